// Pictures for vision lessons: a grid of small images (samples with their labels, and the
// model's predictions with mistakes marked) and a convolution layer's filters. Each image is a
// small Vega-Lite heatmap (one rect per pixel, no axes) in a `concat` grid, so the chart is
// one spec like every other and renders to PNG in the kernel.
import { Tensor } from "../tensor.js";
import { Chart } from "./chart.js";
import { compact } from "./data.js";
import { type ChartOptions, type Row, topLevel, type VegaLiteSpec } from "./spec.js";

const MISTAKE_COLOR = "#d62728";

/** Options of `plot.images`. */
export interface ImageGridOptions extends Omit<ChartOptions, "width" | "height"> {
  /** The true class of each image (indices into classNames, or names). */
  labels?: Tensor | readonly (number | string)[];
  /** The predicted class of each image: a caption says it, and mistakes are drawn in red with a red frame. */
  predictions?: Tensor | readonly (number | string)[];
  /** Names of the classes (e.g. `data.fashionMnist().classNames`). */
  classNames?: readonly string[];
  /** Captions of your own, one per image (instead of labels and predictions). */
  captions?: readonly string[];
  /** Images per row (default up to 8). */
  columns?: number;
  /** Draw at most this many (default 64). */
  limit?: number;
  /** Side of each image in CSS pixels (default 56). */
  size?: number;
  /** Vega colour scheme (default "greys": 0 white, the maximum black; "redblue" etc. for signed values). */
  scheme?: string;
  /** Colour scale range shared by every image (default: the smallest and largest value drawn). */
  domain?: [number, number];
}

/** The images as [n, height, width]: from [n, 1, h, w], [n, h, w] or a single [h, w]. */
function imageStack(images: Tensor, what: string): { n: number; h: number; w: number; data: Tensor["data"] } {
  if (!(images instanceof Tensor)) throw new TypeError(`plot.${what}: expected a Tensor of images`);
  const s = images.shape;
  if (s.length === 4 && s[1] === 1) return { n: s[0]!, h: s[2]!, w: s[3]!, data: images.data };
  if (s.length === 3) return { n: s[0]!, h: s[1]!, w: s[2]!, data: images.data };
  if (s.length === 2) return { n: 1, h: s[0]!, w: s[1]!, data: images.data };
  throw new Error(`plot.${what}: expected images [n, 1, h, w], [n, h, w] or one [h, w], got shape [${s.join(", ")}]`);
}

function listOf(
  values: Tensor | readonly (number | string)[] | undefined,
  n: number,
  name: string,
): (number | string)[] | null {
  if (values === undefined) return null;
  const list = values instanceof Tensor ? Array.from(values.data) : [...values];
  if (list.length < n) throw new Error(`plot.images: ${name} has ${list.length} entries for ${n} images`);
  return list;
}

/**
 * A grid of small greyscale images, captioned with labels and predictions (mistakes in red).
 * Example: `plot.images(x.slice(0, 0, 16), { labels: y.slice(0, 0, 16), predictions: pred })`
 */
export function images(input: Tensor, options: ImageGridOptions = {}): Chart {
  const { n: total, h, w, data } = imageStack(input, "images");
  const limit = options.limit ?? 64;
  if (!(Number.isInteger(limit) && limit > 0))
    throw new RangeError(`plot.images: limit must be a positive integer, got ${limit}`);
  const n = Math.min(total, limit);
  const labels = listOf(options.labels, n, "labels");
  const predictions = listOf(options.predictions, n, "predictions");
  const name = (v: number | string): string =>
    typeof v === "number" && options.classNames?.[v] !== undefined ? options.classNames[v]! : String(v);
  const captions: string[] = [];
  const mistakes: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const label = labels ? name(labels[i]!) : null;
    const predicted = predictions ? name(predictions[i]!) : null;
    mistakes.push(label !== null && predicted !== null && label !== predicted);
    captions.push(
      options.captions?.[i] ??
        (predicted === null
          ? (label ?? "")
          : label === null
            ? `predicted ${predicted}`
            : label === predicted
              ? predicted
              : `${label}, predicted ${predicted}`),
    );
  }
  return grid(data, n, h, w, captions, mistakes, options, "images");
}

/** Options of `plot.filters`. */
export interface FiltersOptions extends Omit<ImageGridOptions, "labels" | "predictions" | "classNames" | "captions"> {}

/**
 * A convolution layer's filters, one small image per (output, input) channel pair, on a diverging
 * scale centred on 0 (red negative, blue positive). Takes a weight [outC, inC, kh, kw] or a layer.
 * Example: `plot.filters(model.conv1.weight)`
 */
export function filters(weight: Tensor | { weight: Tensor }, options: FiltersOptions = {}): Chart {
  const wt = weight instanceof Tensor ? weight : weight?.weight;
  if (!(wt instanceof Tensor) || wt.ndim !== 4) {
    throw new Error(
      `plot.filters: expected a convolution weight [outChannels, inChannels, kh, kw] or a Conv2d layer${wt instanceof Tensor ? `, got shape [${wt.shape.join(", ")}]` : ""}`,
    );
  }
  const [out, inC, kh, kw] = wt.shape as [number, number, number, number];
  const n = Math.min(out * inC, options.limit ?? 64);
  let largest = 0;
  for (let i = 0; i < n * kh * kw; i++) largest = Math.max(largest, Math.abs(wt.data[i]!));
  const captions = Array.from({ length: n }, (_, i) =>
    inC === 1 ? `${Math.floor(i / inC)}` : `${Math.floor(i / inC)}·${i % inC}`,
  );
  return grid(
    wt.data,
    n,
    kh,
    kw,
    captions,
    new Array<boolean>(n).fill(false),
    {
      columns: inC > 1 && inC <= 16 ? inC : undefined,
      scheme: "redblue",
      domain: [-largest || -1, largest || 1],
      size: 48,
      title: inC === 1 ? "filters" : "filters (output·input channel)",
      ...options,
    },
    "filters",
  );
}

function grid(
  data: Tensor["data"],
  n: number,
  h: number,
  w: number,
  captions: string[],
  mistakes: boolean[],
  options: ImageGridOptions,
  what: string,
): Chart {
  if (n === 0) throw new Error(`plot.${what}: no images to draw`);
  const columns = options.columns ?? Math.min(n, 8);
  if (!(Number.isInteger(columns) && columns > 0))
    throw new RangeError(`plot.${what}: columns must be a positive integer, got ${columns}`);
  const size = options.size ?? 56;
  let [lo, hi] = options.domain ?? [Infinity, -Infinity];
  if (!options.domain) {
    for (let i = 0; i < n * h * w; i++) {
      const v = data[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(hi > lo)) hi = lo + 1;
  }
  const panels: VegaLiteSpec[] = [];
  for (let k = 0; k < n; k++) {
    const rows: Row[] = [];
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) rows.push({ r, c, v: compact(data[(k * h + r) * w + c]!) });
    const mistake = mistakes[k]!;
    panels.push({
      data: { values: rows },
      width: size,
      height: Math.round((size * h) / w),
      title: { text: captions[k]!, fontSize: 10, color: mistake ? MISTAKE_COLOR : "#333" },
      view: mistake ? { stroke: MISTAKE_COLOR, strokeWidth: 3 } : { stroke: "#ccc" },
      mark: { type: "rect", tooltip: false },
      encoding: {
        x: { field: "c", type: "ordinal", axis: null },
        y: { field: "r", type: "ordinal", axis: null },
        color: {
          field: "v",
          type: "quantitative",
          legend: null,
          scale: { scheme: options.scheme ?? "greys", domain: [lo, hi] },
        },
      },
    });
  }
  return new Chart(
    topLevel({ columns, spacing: 6, concat: panels, resolve: { scale: { color: "shared" } } }, options, false),
  );
}
