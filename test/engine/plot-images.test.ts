// plot.images and plot.filters: one small heatmap per image in a concat grid, captions from
// labels and predictions with mistakes in red, a diverging scale centred on 0 for filters; every
// spec compiles in Vega-Lite 5.6.1 without a warning, and the PNG renders.

import { compile } from "vega-lite";
import { describe, expect, it } from "vitest";
import { data, nn, plot, tensor } from "../../engine/index.js";

// biome-ignore lint/suspicious/noExplicitAny: specs are read field by field in assertions
type Spec = Record<string, any>;

function warningsOf(spec: Spec): string[] {
  const warnings: string[] = [];
  const logger = {
    level: () => logger,
    warn: (...args: unknown[]) => warnings.push(args.join(" ")) && logger,
    info: () => logger,
    debug: () => logger,
    error: (...args: unknown[]) => warnings.push(`error: ${args.join(" ")}`) && logger,
  };
  compile(spec as never, { logger: logger as never });
  return warnings;
}

describe("plot.images", () => {
  const { x, y } = data.digits();
  const first = x.slice(0, 0, 10);
  const labels = y.slice(0, 0, 10);

  it("draws one 8×8 panel per image, captioned by its label", () => {
    const spec = plot.images(first, { labels }).spec as Spec;
    expect(spec.concat).toHaveLength(10);
    expect(spec.columns).toBe(8);
    expect(spec.concat[0].data.values).toHaveLength(64);
    expect(spec.concat.map((p: Spec) => p.title.text)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(spec.concat[0].encoding.color.scale.domain).toEqual([0, 1]);
    expect(warningsOf(spec)).toEqual([]);
  });

  it("marks the mistakes: red caption naming both classes and a red frame", () => {
    const predictions = Array.from(labels.data);
    predictions[3] = 8;
    const spec = plot.images(first, {
      labels,
      predictions,
      classNames: ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    }).spec as Spec;
    expect(spec.concat[3].title).toMatchObject({ text: "three, predicted eight", color: "#d62728" });
    expect(spec.concat[3].view.stroke).toBe("#d62728");
    expect(spec.concat[2].title).toMatchObject({ text: "two", color: "#333" });
  });

  it("takes [n, h, w] and one [h, w] image, limits and columns; says what is wrong", () => {
    const spec = plot.images(
      tensor([
        [
          [0, 1],
          [1, 0],
        ],
        [
          [1, 1],
          [0, 0],
        ],
      ]),
      { captions: ["a", "b"], columns: 1 },
    ).spec as Spec;
    expect(spec.columns).toBe(1);
    expect(spec.concat.map((p: Spec) => p.title.text)).toEqual(["a", "b"]);
    expect((plot.images(x, { limit: 5 }).spec as Spec).concat).toHaveLength(5);
    expect(() => plot.images(tensor([1, 2, 3]))).toThrow(
      "plot.images: expected images [n, 1, h, w], [n, h, w] or one [h, w], got shape [3]",
    );
    expect(() => plot.images(first, { labels: [1, 2] })).toThrow("plot.images: labels has 2 entries for 10 images");
  });

  it("renders to a PNG", () => {
    const png = plot.images(first.slice(0, 0, 4), { labels: labels.slice(0, 0, 4) }).png();
    expect(Array.from(png.subarray(1, 4), (c) => String.fromCharCode(c)).join("")).toBe("PNG");
  });
});

describe("plot.filters", () => {
  it("one panel per filter on a red–blue scale symmetric about 0", () => {
    const conv = new nn.Conv2d(1, 6, 3);
    const spec = plot.filters(conv).spec as Spec;
    expect(spec.concat).toHaveLength(6);
    const largest = Math.max(...Array.from(conv.weight.data, Math.abs));
    const [lo, hi] = spec.concat[0].encoding.color.scale.domain;
    expect(hi).toBeCloseTo(largest, 6);
    expect(lo).toBe(-hi);
    expect(spec.concat[0].encoding.color.scale.scheme).toBe("redblue");
    expect(warningsOf(spec)).toEqual([]);
  });

  it("several input channels: a row per output channel, captions output·input", () => {
    const spec = plot.filters(new nn.Conv2d(3, 2, 3).weight).spec as Spec;
    expect(spec.columns).toBe(3);
    expect(spec.concat.map((p: Spec) => p.title.text)).toEqual(["0·0", "0·1", "0·2", "1·0", "1·1", "1·2"]);
    expect(() => plot.filters(tensor([1, 2]))).toThrow(
      /plot.filters: expected a convolution weight .* got shape \[2\]/,
    );
  });
});
