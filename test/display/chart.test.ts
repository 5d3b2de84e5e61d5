// Charts as notebook bundles: the exact MIME keys (the messaging spec's `display_data`), a PNG
// at 2× with its 1× size in metadata, and axis labels drawn with the font the kernel ships.

import { Resvg } from "@resvg/resvg-js";
import { describe, expect, it } from "vitest";
import { vegaLite } from "../../engine/plot/chart.js";
import * as plot from "../../engine/plot/index.js";
import { staticSpec } from "../../engine/plot/render.js";
import { format } from "../../kernel/display/format.js";
import { darkPixels, decodePng } from "./png.js";

const CHART_KEYS = ["application/vnd.vegalite.v5+json", "image/png", "text/plain"];
const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

describe("chart bundles", () => {
  it("a plot.* chart as a cell's value is Vega-Lite + PNG + text, never HTML", () => {
    const chart = plot.line({ train: [3, 2, 1.5, 1.2], val: [3.2, 2.5, 2.1, 2.0] }, { title: "Loss" });
    const formatted = format(chart);
    expect(Object.keys(formatted.data).sort()).toEqual(CHART_KEYS);
    expect(formatted.data["application/vnd.vegalite.v5+json"]).toEqual(chart.spec);
    expect(formatted.data["text/plain"]).toBe("<Chart: Loss (line, 8 data points)>");
  });

  it("the PNG has 2× the pixels of the 1× size given in metadata", () => {
    const formatted = format(plot.bar({ a: 1, b: 2 }));
    const png = decodePng(Buffer.from(formatted.data["image/png"] as string, "base64"));
    const size = formatted.metadata["image/png"] as { width: number; height: number };
    expect(size.width).toBeGreaterThan(300);
    expect(size.height).toBeGreaterThan(200);
    expect(png.width).toBe(2 * size.width);
    expect(png.height).toBe(2 * size.height);
  });

  it("a hand-written v5 spec object shows as a chart, through vegaLite() or as it is", () => {
    const spec = {
      $schema: SCHEMA,
      data: {
        values: [
          { a: "x", b: 2 },
          { a: "y", b: 5 },
        ],
      },
      mark: "bar",
      encoding: { x: { field: "a", type: "nominal" }, y: { field: "b", type: "quantitative" } },
    };
    expect(Object.keys(format(spec).data).sort()).toEqual(CHART_KEYS);
    expect(Object.keys(format(vegaLite(spec)).data).sort()).toEqual(CHART_KEYS);
  });

  it("other $schema objects stay JSON, and vegaLite() refuses specs notebooks cannot render", () => {
    const v4 = { $schema: "https://vega.github.io/schema/vega-lite/v4.json", mark: "bar" };
    expect(Object.keys(format(v4).data).sort()).toEqual(["application/json", "text/plain"]);
    expect(() => vegaLite(v4)).toThrow(/vega-lite\/v5\.json/);
  });

  it("SVG only on request", () => {
    const chart = plot.line([1, 2, 3]).withSvg();
    const data = format(chart).data;
    expect(Object.keys(data).sort()).toEqual([...CHART_KEYS, "image/svg+xml"].sort());
    expect(String(data["image/svg+xml"])).toMatch(/^<svg /);
  });
});

describe("PNG text", () => {
  // A fixed layout: the plot area is x 60..260, y 10..110 (1×); labels live left of and below it.
  const spec = (axis: Record<string, unknown>) => ({
    $schema: SCHEMA,
    width: 200,
    height: 100,
    autosize: { type: "none" },
    padding: { left: 60, top: 10, right: 10, bottom: 50 },
    data: {
      values: [
        { x: 0, y: 0 },
        { x: 10, y: 100 },
      ],
    },
    mark: "line",
    encoding: {
      x: { field: "x", type: "quantitative", axis: { ...axis, ticks: false, domain: false, grid: false } },
      y: { field: "y", type: "quantitative", axis: { ...axis, ticks: false, domain: false, grid: false } },
    },
  });
  const labelAreas = (png: Uint8Array) => {
    const image = decodePng(png);
    return {
      left: darkPixels(image, 0, 0, 2 * 56, 2 * 115),
      below: darkPixels(image, 2 * 56, 2 * 112, image.width, image.height),
    };
  };

  it("draws axis labels and titles with the bundled font, whatever fonts the machine has", () => {
    const withLabels = labelAreas(vegaLite(spec({})).png());
    const withoutLabels = labelAreas(vegaLite(spec({ labels: false, title: null })).png());
    expect(withoutLabels).toEqual({ left: 0, below: 0 });
    expect(withLabels.left).toBeGreaterThan(200);
    expect(withLabels.below).toBeGreaterThan(200);
  });

  it("(the check above can fail: without a font the same SVG has blank label areas)", () => {
    const svg = vegaLite(spec({})).svg();
    const blank = new Resvg(svg, { fitTo: { mode: "zoom", value: 2 }, font: { loadSystemFonts: false } })
      .render()
      .asPng();
    expect(labelAreas(blank)).toEqual({ left: 0, below: 0 });
  });
});

describe("the spec drawn into the PNG", () => {
  it("leaves out tooltips and unused selections, keeps data, sliders and selections in use", () => {
    const spec = {
      $schema: SCHEMA,
      data: { values: [{ tooltip: 1, x: 2 }] },
      params: [
        { name: "zoom", select: "interval", bind: "scales" },
        { name: "pick", select: "point" },
        { name: "upTo", value: 3, bind: { input: "range", min: 0, max: 3 } },
      ],
      mark: { type: "point", tooltip: true },
      encoding: {
        x: { field: "x", type: "quantitative" },
        color: { condition: { param: "pick", value: "red" }, value: "grey" },
        tooltip: [{ field: "x" }],
      },
      transform: [{ filter: "datum.x <= upTo" }],
    };
    const drawn = staticSpec(spec) as typeof spec & { config: unknown };
    expect(drawn.params.map((p) => p.name)).toEqual(["pick", "upTo"]);
    expect(drawn.mark).toEqual({ type: "point" });
    expect("tooltip" in drawn.encoding).toBe(false);
    expect(drawn.data).toEqual(spec.data);
    expect(drawn.config).toEqual({ aria: false });
    expect(decodePng(vegaLite(spec).png()).width).toBeGreaterThan(0);
  });
});
