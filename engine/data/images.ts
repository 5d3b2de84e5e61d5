// Image datasets for the vision lessons, as [n, 1, height, width] float32 tensors in [0, 1]
// (the layout Conv2d takes) with int32 labels. The UCI handwritten digits ship with the engine
// (60 KB); Fashion-MNIST is read from Debian's `dataset-fashion-mnist` package (IDX files,
// gzip), or from any folder holding the same four files.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, inflateSync } from "node:zlib";
import { Tensor } from "../tensor.js";
import { DIGITS_ZLIB_BASE64 } from "./digits-data.js";

/** A labelled image set: x [n, 1, height, width] in [0, 1], y [n] int32 class indices. */
export interface ImageData {
  x: Tensor;
  y: Tensor;
  classNames: string[];
}

const DIGIT_COUNT = 1797;

/**
 * The UCI handwritten digits (Alpaydin & Kaynak 1998, CC BY 4.0; scikit-learn's load_digits):
 * 1,797 images of 8×8 pixels, x [1797, 1, 8, 8] with values 0..16 divided by 16, y [1797] int32 0–9.
 * Example: `const { x, y } = data.digits(); x.shape // [1797, 1, 8, 8]`
 */
export function digits(): ImageData {
  const bytes = inflateSync(Buffer.from(DIGITS_ZLIB_BASE64, "base64"));
  const y = Tensor.zeros([DIGIT_COUNT], "int32");
  const x = Tensor.zeros([DIGIT_COUNT, 1, 8, 8]);
  for (let i = 0; i < DIGIT_COUNT; i++) y.data[i] = bytes[i]!;
  for (let i = 0; i < DIGIT_COUNT * 64; i++) x.data[i] = bytes[DIGIT_COUNT + i]! / 16;
  return { x, y, classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] };
}

/** Where Debian's `dataset-fashion-mnist` puts the files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

const FASHION_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

/** Options of `fashionMnist`. */
export interface FashionMnistOptions {
  /** "train" (60,000 images, the default) or "test" (10,000). */
  split?: "train" | "test";
  /** Keep only the first `limit` images (a smaller lesson, less memory: 60,000 images are 188 MB). */
  limit?: number;
  /** A folder holding the four `*-ubyte.gz` files (default: Debian's, or $TSGRAD_FASHION_MNIST). */
  dir?: string;
}

/**
 * Zalando's Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, MIT licence): 28×28 greyscale pictures of
 * ten kinds of clothing, x [n, 1, 28, 28] in [0, 1], y [n] int32. Read from Debian's
 * `dataset-fashion-mnist` package; a clear error says how to install it when it is missing.
 * Example: `const { x, y, classNames } = data.fashionMnist({ split: "test", limit: 1000 })`
 */
export function fashionMnist({ split = "train", limit, dir }: FashionMnistOptions = {}): ImageData {
  if (split !== "train" && split !== "test")
    throw new RangeError(`fashionMnist: split must be "train" or "test", got ${JSON.stringify(split)}`);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new RangeError(`fashionMnist: limit must be a positive integer, got ${limit}`);
  const folder = dir ?? process.env.TSGRAD_FASHION_MNIST ?? FASHION_MNIST_DIR;
  const prefix = split === "train" ? "train" : "t10k";
  const imagesPath = join(folder, `${prefix}-images-idx3-ubyte.gz`);
  const labelsPath = join(folder, `${prefix}-labels-idx1-ubyte.gz`);
  for (const path of [imagesPath, labelsPath]) {
    if (!existsSync(path)) {
      throw new Error(
        `fashionMnist: ${path} not found. Fashion-MNIST is not installed: on Debian or Ubuntu run \`sudo apt-get install dataset-fashion-mnist\`, or pass { dir } naming a folder with the four *-ubyte.gz files. data.digits() needs nothing installed.`,
      );
    }
  }
  const images = readIdx(imagesPath, 3);
  const labels = readIdx(labelsPath, 1);
  if (images.dims[0] !== labels.dims[0])
    throw new Error(`fashionMnist: ${images.dims[0]} images but ${labels.dims[0]} labels in ${folder}`);
  const n = Math.min(images.dims[0]!, limit ?? Infinity);
  const [h, w] = [images.dims[1]!, images.dims[2]!];
  const x = Tensor.unfilled([n, 1, h, w]);
  const xd = x.data;
  const pixels = images.bytes;
  for (let i = 0; i < n * h * w; i++) xd[i] = pixels[i]! / 255;
  const y = Tensor.unfilled([n], "int32");
  y.data.set(labels.bytes.subarray(0, n));
  return { x, y, classNames: [...FASHION_CLASSES] };
}

/** An IDX file of unsigned bytes (LeCun's MNIST format), gzip-compressed: its sizes and its bytes. */
function readIdx(path: string, rank: number): { dims: number[]; bytes: Uint8Array } {
  const raw = gunzipSync(readFileSync(path));
  // Magic: two zero bytes, the type (0x08 = unsigned byte), the number of dimensions.
  if (raw.length < 4 + 4 * rank || raw[0] !== 0 || raw[1] !== 0 || raw[2] !== 0x08 || raw[3] !== rank) {
    throw new Error(`fashionMnist: ${path} is not an IDX file of unsigned bytes with ${rank} dimension(s)`);
  }
  const dims = Array.from({ length: rank }, (_, i) => raw.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const size = dims.reduce((a, b) => a * b, 1);
  if (raw.length < offset + size)
    throw new Error(`fashionMnist: ${path} is truncated (${raw.length - offset} of ${size} bytes)`);
  return { dims, bytes: raw.subarray(offset, offset + size) };
}
