// Chart options a reader notices: one colour per series name across charts, the lr finder's
// suggestion by its documented rules on curves with a known answer, a diverged run shown as a
// mark, log-axis tick labels in one format, `{ x, y }` read as coordinates, axis titles that
// say what is plotted, and concatenated panels with legends of their own.
import { afterEach, describe, expect, it } from "vitest";
import { seriesColor, seriesColors } from "../../engine/plot/colors.js";
import * as plot from "../../engine/plot/index.js";
import { suggestLr } from "../../engine/plot/lr-suggestion.js";

// biome-ignore lint/suspicious/noExplicitAny: specs are plain JSON read by path
type Spec = any;

afterEach(() => seriesColors());

describe("one colour per series name", () => {
  it("a name keeps its colour whatever the chart and the order of its series", () => {
    const race = plot.trajectories({ "gradient descent": [[0, 0]], momentum: [[1, 1]], Adam: [[2, 2]] }).spec as Spec;
    const curves = plot.line({ Adam: [3, 2], "gradient descent": [3, 2.5], momentum: [3, 2.2] }).spec as Spec;
    const colourOf = (scale: { domain: string[]; range: string[] }, name: string) =>
      scale.range[scale.domain.indexOf(name)];
    for (const name of ["gradient descent", "momentum", "Adam"]) {
      expect(colourOf(curves.encoding.color.scale, name)).toBe(colourOf(race.encoding.color.scale, name));
    }
    expect(new Set(race.encoding.color.scale.range).size).toBe(3);
  });

  it("names take palette colours in order of first use, and can be fixed by hand", () => {
    expect(seriesColor("train")).toBe("#4c78a8");
    expect(seriesColor("val")).toBe("#f58518");
    expect(seriesColor("train")).toBe("#4c78a8");
    seriesColors({ Adam: "crimson" });
    expect((plot.line({ SGD: [1, 2], Adam: [2, 1] }).spec as Spec).encoding.color.scale.range).toEqual([
      "#e45756",
      "crimson",
    ]);
  });
});

describe("lr finder suggestion", () => {
  // 100 lrs from 1e-6 to 1, log-spaced; the loss is a sigmoid drop centred at 10^-3 that turns up
  // past 10^-1 and diverges past 10^-0.5.
  const lr = Array.from({ length: 100 }, (_, i) => 10 ** (-6 + (6 * i) / 99));
  const drop = (l: number) => 2.3 - 2 / (1 + Math.exp(-3 * (Math.log10(l) + 3)));
  const curve = lr.map((l) => {
    const x = Math.log10(l);
    return x < -1 ? drop(l) : x < -0.5 ? drop(l) + 5 * (x + 1) ** 2 : Number.POSITIVE_INFINITY;
  });

  it("steepest: where the smoothed loss falls fastest, 10^-3", () => {
    expect(Math.log10(suggestLr(lr, curve)!)).toBeCloseTo(-3, 0.5);
    expect(Math.abs(Math.log10(suggestLr(lr, curve, "steepest")!) + 3)).toBeLessThan(0.07); // one grid step
  });

  it("steepest on a noisy curve: still within a third of a decade", () => {
    let seed = 1;
    const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.15;
    const noisy = curve.map((v) => v + noise());
    expect(Math.abs(Math.log10(suggestLr(lr, noisy)!) + 3)).toBeLessThan(0.34);
  });

  it("minimum: a tenth of the lr with the lowest loss, before divergence", () => {
    const lowest = lr.reduce((best, l, i) => (curve[i]! < curve[lr.indexOf(best)]! ? l : best), lr[0]!);
    expect(Math.log10(lowest)).toBeCloseTo(-1, 0);
    expect(Math.abs(Math.log10(suggestLr(lr, curve, "minimum")!) - Math.log10(lowest / 10))).toBeLessThan(0.1);
  });

  it("valley: half-way down the longest falling stretch (fastai's rule)", () => {
    // A strictly falling curve from the first point to the lowest (index 83 of the finite part).
    const falling = lr.slice(0, 84).map((_, i) => 10 - i * 0.1);
    const rising = lr.slice(84).map((_, i) => 1.7 + i * 0.1);
    // fastai: start = end − run length = 83 − 84 = −1; sections = 84 / 3 = 28; start + 28 + 14.
    const index = -1 + 28 + 14;
    expect(suggestLr(lr, [...falling, ...rising], "valley")).toBeCloseTo(lr[index]!, 12);
  });

  it("the chart names its rule; too short a curve suggests nothing", () => {
    const spec = plot.lrFinder({ lr, loss: curve }).spec as Spec;
    expect(spec.layer[1].data.values[0].label).toMatch(/^suggested lr 0\.001\d* \(steepest descent\)$/);
    expect(suggestLr([1e-3, 1e-2], [1, 0.5])).toBeUndefined();
  });
});

describe("non-finite points", () => {
  it("a series that turns NaN or infinite gets a red 'diverged' mark where it did", () => {
    const spec = plot.line({ loss: [1, 0.5, 3, Number.NaN, Number.NaN], val: [1, 0.8, 0.7, 0.6, 0.5] }).spec as Spec;
    expect(spec.layer[0].mark.type).toBe("line");
    // Among several series the mark names the one that diverged.
    expect(spec.layer[1].data.values).toEqual([{ x: 3, series: "loss", value: "NaN", label: "loss diverged" }]);
    expect(spec.layer[1].layer.map((l: Spec) => l.mark.type)).toEqual(["rule", "point", "text"]);
    expect(spec.layer[1].layer[2].encoding.text).toEqual({ field: "label" });
    const alone = plot.line([1, Number.POSITIVE_INFINITY]).spec as Spec;
    expect(alone.layer.at(-1).data.values[0].label).toBe("diverged");
  });

  it("a field a record leaves out is a gap, not divergence", () => {
    const spec = plot.line([
      { step: 1, loss: 1 },
      { step: 2, loss: 0.5, valLoss: 0.7 },
    ]).spec as Spec;
    expect(JSON.stringify(spec)).not.toContain("diverged");
  });
});

describe("axes", () => {
  it("a log axis over many decades labels powers of ten only, in one format", () => {
    const wide = plot.line([1, 1e6, 1e12, 1e22], { logY: true }).spec as Spec;
    expect(wide.encoding.y.axis).toEqual({ format: ".0e", values: [1, 1e3, 1e6, 1e9, 1e12, 1e15, 1e18, 1e21] });
    const narrow = plot.line([0.5, 0.2, 0.1], { logY: true }).spec as Spec;
    expect(narrow.encoding.y.axis).toEqual({ format: "~g" });
    // Five decades of a loss: plain numbers at the powers of ten only.
    const losses = plot.line([12, 3000, 0.15], { logY: true }).spec as Spec;
    expect(losses.encoding.y.axis).toEqual({ format: "~g", values: [0.1, 1, 10, 100, 1000, 10000] });
    const lrAxis = (
      plot.lrFinder({ lr: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1], loss: [2, 2, 1.5, 1, 0.8, 3] }).spec as Spec
    ).layer[0].encoding.x.axis;
    expect(lrAxis).toEqual({ format: ".0e", values: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1] });
  });

  it("line({ x, y }) plots y against x, as scatter({ x, y }) does", () => {
    const spec = plot.line({ x: [0, 0.5, 1], y: [1, 4, 9] }).spec as Spec;
    expect(spec.data.values).toEqual([
      { x: 0, series: "y", value: 1 },
      { x: 0.5, series: "y", value: 4 },
      { x: 1, series: "y", value: 9 },
    ]);
  });

  it("plot.loss titles the y axis after what it plots", () => {
    expect(
      (
        plot.loss([
          { epoch: 1, accuracy: 0.5 },
          { epoch: 2, accuracy: 0.7 },
        ]).spec as Spec
      ).encoding.y.title,
    ).toBe("accuracy");
    const both = plot.loss([{ epoch: 1, loss: 1, valLoss: 1.2 }]).spec as Spec;
    expect(both.layer[0].encoding.y.title).toBe("loss"); // one epoch: lines and their dots
  });

  it("panels side by side keep their own colour legends", () => {
    const spec = plot.hconcat(
      plot.line({ loss: [1, 0.5], valLoss: [1, 0.7] }),
      plot.line({ accuracy: [0.5, 0.7], valAccuracy: [0.4, 0.6] }),
    ).spec as Spec;
    expect(spec.resolve).toEqual({ scale: { color: "independent" }, legend: { color: "independent" } });
  });
});

describe("heatmap values", () => {
  const attention = [
    [0.9999984, 1.5831e-6, 1.11e-16],
    [0.25, 0.5, 0.25],
    [0.1, 0.2, 0.7],
  ];

  it("print in one short format: three significant digits of the largest, no 1.11e-16", () => {
    const spec = plot.heatmap(attention).spec as Spec;
    expect(spec.data.values.map((r: Spec) => r.label)).toEqual([
      "1.00",
      "0.00",
      "0.00",
      "0.25",
      "0.50",
      "0.25",
      "0.10",
      "0.20",
      "0.70",
    ]);
    expect(spec.layer[0].encoding.color.title).toBe("value");
  });

  it("take a number of decimals, or a format of the caller's, and a legend title", () => {
    expect((plot.heatmap(attention, { decimals: 1 }).spec as Spec).data.values[3].label).toBe("0.3");
    const percent = plot.heatmap(attention, { format: (v) => `${Math.round(100 * v)}%`, colorLabel: "attention" })
      .spec as Spec;
    expect(percent.data.values[3].label).toBe("25%");
    expect(percent.layer[0].encoding.color.title).toBe("attention");
    expect(
      (
        plot.heatmap([
          [3, 12],
          [0, 40],
        ]).spec as Spec
      ).data.values.map((r: Spec) => r.label),
    ).toEqual(["3", "12", "0", "40"]);
  });

  it("are hidden when a label does not fit its cell, even when asked for", () => {
    const wide = [
      [123456.789, 2],
      [3, 4],
    ];
    expect((plot.heatmap(wide).spec as Spec).layer).toBeUndefined(); // "123456.79" is wider than a 40 px cell
    expect((plot.heatmap(attention, { width: 30, showValues: true }).spec as Spec).layer).toBeUndefined();
    expect((plot.heatmap(attention).spec as Spec).layer.map((l: Spec) => l.mark.type)).toEqual(["rect", "text"]);
  });

  it("axis names never run together: angled, upright, then every k-th", () => {
    const tokens = Array.from("Shall I compare thee to a summer", (c, i) => `${i} ${c}`); // 32 tokens
    const square = Array.from({ length: 32 }, () => Array.from({ length: 32 }, () => 0.5));
    const spec = plot.heatmap(square, { rowLabels: tokens, colLabels: tokens }).spec as Spec;
    const cell = spec.width / 32; // 11 px: under one line of 11-px text
    expect(spec.encoding.x.axis.labelAngle).toBe(-90);
    for (const axis of [spec.encoding.x.axis, spec.encoding.y.axis]) {
      const shown: number[] = axis.values.map((name: string) => tokens.indexOf(name));
      for (let i = 1; i < shown.length; i++) expect((shown[i]! - shown[i - 1]!) * cell).toBeGreaterThanOrEqual(12);
    }
    const few = plot.heatmap([[1, 2, 3, 4, 5, 6]], { colLabels: ["cat", "dog", "ant", "bee", "elk", "fox"] })
      .spec as Spec;
    expect(few.layer[0].encoding.x.axis).toEqual({ labelAngle: 0 }); // 40-px cells hold the names
  });
});

describe("surface with paths", () => {
  it("fits its domain to the paths, takes axis titles and a title, and draws the paths", () => {
    const paths = {
      momentum: [
        [-4, 1.5],
        [2, -3],
      ],
      Adam: [
        [-4, 1.5],
        [0, 0],
      ],
    };
    const spec = plot.surface((a, b) => a * a + b * b, {
      x: [-1, 1],
      y: [-1, 1],
      paths,
      xLabel: "θ₁",
      yLabel: "θ₂",
      title: "race",
      resolution: 10,
    }).spec as Spec;
    const field = spec.layer[0].layer[0];
    const [x0, x1] = field.encoding.x.scale.domain;
    const [y0, y1] = field.encoding.y.scale.domain;
    expect(x0).toBeLessThan(-4);
    expect(x1).toBeGreaterThan(2);
    expect(y0).toBeLessThan(-3);
    expect(y1).toBeGreaterThan(1.5);
    expect([field.encoding.x.title, field.encoding.y.title, spec.title]).toEqual(["θ₁", "θ₂", "race"]);
    expect(spec.layer[0].layer[1].mark.type).toBe("geoshape");
    expect(spec.layer[1].mark.type).toBe("line");
    expect(() => plot.surface((a) => a, {})).toThrow(/give the x range/);
  });
});
