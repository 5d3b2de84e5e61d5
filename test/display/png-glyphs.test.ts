// Every script a student may type shows in a chart's PNG: Chinese, Japanese and Korean through
// the fallback font scripts/setup installs, Greek and maths symbols from the bundled font.
// Glyphs are checked by pixels: the label area is blank without the text, dark with it, and two
// different strings draw different pixels (so no placeholder box stands in for the glyphs).
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { vegaLite } from "../../engine/plot/chart.js";
import { FALLBACK_FONT_FILES } from "../../engine/plot/fallback-fonts.js";
import * as plot from "../../engine/plot/index.js";
import { type DecodedPng, darkPixels, decodePng } from "./png.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

// A fixed layout with only a y-axis title: it sits left of the plot area (x < 56 at 1×).
function titled(title: string | null): DecodedPng {
  const spec = {
    $schema: SCHEMA,
    width: 200,
    height: 100,
    autosize: { type: "none" },
    padding: { left: 60, top: 10, right: 10, bottom: 10 },
    data: { values: [{ x: 0, y: 0 }] },
    mark: "point",
    encoding: {
      x: { field: "x", type: "quantitative", axis: null },
      y: { field: "y", type: "quantitative", axis: { title, labels: false, ticks: false, domain: false, grid: false } },
    },
  };
  return decodePng(vegaLite(spec).png());
}

const titleArea = (image: DecodedPng) => darkPixels(image, 0, 0, 2 * 56, image.height);

function differentPixels(a: DecodedPng, b: DecodedPng): number {
  let n = 0;
  for (let i = 0; i < a.pixels.length; i += 4) if (a.pixels[i] !== b.pixels[i]) n++;
  return n;
}

describe("text in every script in the PNG", () => {
  it("the empty title area is blank", () => {
    expect(titleArea(titled(null))).toBe(0);
  });

  it("Greek and maths symbols come from the bundled font", () => {
    expect(titleArea(titled("αβγ ∇∑∂ ≤ θ"))).toBeGreaterThan(100);
  });

  it.skipIf(!FALLBACK_FONT_FILES.some((file) => existsSync(file)) && !process.env.CI)(
    "Chinese, Japanese and Korean labels are drawn, each string as its own glyphs",
    () => {
      const loss = titled("损失函数");
      const epoch = titled("训练轮次");
      expect(titleArea(loss)).toBeGreaterThan(200);
      expect(titleArea(epoch)).toBeGreaterThan(200);
      expect(differentPixels(loss, epoch)).toBeGreaterThan(200);
      expect(titleArea(titled("ひらがな カタカナ"))).toBeGreaterThan(200);
      expect(titleArea(titled("손실 함수"))).toBeGreaterThan(200);
    },
    60_000,
  );

  it.skipIf(!FALLBACK_FONT_FILES.some((file) => existsSync(file)) && !process.env.CI)(
    "the issue's chart: a Chinese title, x label and y label all show",
    () => {
      const withText = decodePng(
        plot.line([3, 2, 1.5, 1.2], { title: "损失函数 loss", xLabel: "轮次 epoch", yLabel: "损失" }).png(),
      );
      const latinOnly = decodePng(
        plot.line([3, 2, 1.5, 1.2], { title: "loss", xLabel: "epoch", yLabel: "loss" }).png(),
      );
      // The y title sits in the leftmost 17 px (1×), left of the tick labels; the chart title on top.
      expect(darkPixels(withText, 0, 0, 2 * 17, withText.height)).toBeGreaterThan(100);
      expect(darkPixels(withText, 0, 0, withText.width, 2 * 30)).toBeGreaterThan(
        darkPixels(latinOnly, 0, 0, latinOnly.width, 2 * 30) + 100,
      );
    },
    60_000,
  );
});
