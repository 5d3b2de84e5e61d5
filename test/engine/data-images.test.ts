// The image datasets: the shipped UCI digits (sizes, class counts and the first image as
// scikit-learn's digits.csv has them) and the Fashion-MNIST reader on IDX files written here.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { data } from "../../engine/index.js";

describe("data.digits", () => {
  test("1,797 images [1, 8, 8] in [0, 1] with labels 0–9, counted as in the UCI set", () => {
    const { x, y, classNames } = data.digits();
    expect(x.shape).toEqual([1797, 1, 8, 8]);
    expect(y.shape).toEqual([1797]);
    expect(y.dtype).toBe("int32");
    expect(classNames).toHaveLength(10);
    const counts = new Array(10).fill(0);
    for (const label of y.data) counts[label]++;
    expect(counts).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    expect(Math.min(...x.data)).toBe(0);
    expect(Math.max(...x.data)).toBe(1);
  });

  test("the first image is the first row of scikit-learn's digits.csv (a 0)", () => {
    const { x, y } = data.digits();
    const first = [
      0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8, 0, 0, 5, 8,
      0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0,
    ];
    expect(Array.from(x.data.subarray(0, 64), (v) => v * 16)).toEqual(first);
    expect(y.data[0]).toBe(0);
    expect(y.data[1]).toBe(1);
  });
});

/** A gzip-compressed IDX file of unsigned bytes. */
function idx(dims: number[], values: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return gzipSync(Buffer.concat([header, Buffer.from(values)]));
}

describe("data.fashionMnist", () => {
  test("reads IDX images and labels from a folder, scaled to [0, 1], with a limit", () => {
    const dir = mkdtempSync(join(tmpdir(), "fashion-"));
    writeFileSync(join(dir, "t10k-images-idx3-ubyte.gz"), idx([3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]));
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte.gz"), idx([3], [9, 0, 4]));
    const { x, y, classNames } = data.fashionMnist({ split: "test", dir });
    expect(x.shape).toEqual([3, 1, 2, 2]);
    expect(Array.from(x.data.subarray(0, 4))).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect(Array.from(y.data)).toEqual([9, 0, 4]);
    expect(classNames[9]).toBe("Ankle boot");
    expect(data.fashionMnist({ split: "test", dir, limit: 2 }).x.shape).toEqual([2, 1, 2, 2]);
  });

  test("a missing install says how to install it", () => {
    const dir = mkdtempSync(join(tmpdir(), "empty-"));
    expect(() => data.fashionMnist({ dir })).toThrow(
      /Fashion-MNIST is not installed: on Debian or Ubuntu run `sudo apt-get install dataset-fashion-mnist`/,
    );
  });

  // Debian's dataset-fashion-mnist, where scripts/setup installed it: the published split sizes
  // (60,000 and 10,000) and the test set's balance (1,000 pictures of each class).
  test.runIf(existsSync(join(data.FASHION_MNIST_DIR, "t10k-images-idx3-ubyte.gz")))(
    "the installed Debian package loads offline: 10,000 test pictures, 1,000 per class",
    () => {
      const { x, y, classNames } = data.fashionMnist({ split: "test" });
      expect(x.shape).toEqual([10000, 1, 28, 28]);
      const counts = new Array(10).fill(0);
      for (const label of y.data) counts[label]++;
      expect(counts).toEqual(new Array(10).fill(1000));
      expect(classNames[0]).toBe("T-shirt/top");
      expect(Math.max(...x.data.subarray(0, 784))).toBeLessThanOrEqual(1);
      expect(data.fashionMnist({ limit: 100 }).x.shape).toEqual([100, 1, 28, 28]);
    },
  );

  test("a file that is not IDX is refused by name", () => {
    const dir = mkdtempSync(join(tmpdir(), "bad-"));
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(Buffer.from("hello world, not idx")));
    writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), idx([1], [0]));
    expect(() => data.fashionMnist({ dir })).toThrow(/train-images-idx3-ubyte.gz is not an IDX file/);
  });
});
