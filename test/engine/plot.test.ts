// Chart specs: what each builder draws (marks, encodings, interactions), that every spec is
// Vega-Lite v5 and compiles without a warning in Vega-Lite 5.6.1 (what JupyterLab 4.6 ships).

import { compile } from "vega-lite";
import { describe, expect, it } from "vitest";
import { tensor } from "../../engine/creation.js";
import type { Chart } from "../../engine/plot/chart.js";
import { bandsOf, contourLevels } from "../../engine/plot/contours.js";
import * as plot from "../../engine/plot/index.js";
import { steepestDescent } from "../../engine/plot/loss.js";
import { fontWidths, textWidth } from "../../engine/plot/text-width.js";
import type { Tensor } from "../../engine/tensor.js";

// biome-ignore lint/suspicious/noExplicitAny: specs are read field by field in assertions
type Spec = Record<string, any>;

/** Compiles with Vega-Lite 5.6.1, returning every warning it logged. */
function warningsOf(spec: Spec): string[] {
  const warnings: string[] = [];
  const logger = {
    level: () => logger,
    warn: (...args: unknown[]) => {
      warnings.push(args.join(" "));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
    error: (...args: unknown[]) => {
      warnings.push(`error: ${args.join(" ")}`);
      return logger;
    },
  };
  compile(spec as never, { logger: logger as never });
  return warnings;
}

/** Every unit spec's mark type, depth first. */
function marks(spec: Spec): string[] {
  const own = spec.mark ? [typeof spec.mark === "string" ? spec.mark : spec.mark.type] : [];
  const children = [...(spec.layer ?? []), ...(spec.hconcat ?? []), ...(spec.vconcat ?? [])];
  return [...own, ...children.flatMap(marks)];
}

const linearModel = { forward: (x: Tensor) => x.matmul(tensor([[1], [0]])) }; // class 1 where x > 0
const X = tensor([
  [-1, 0],
  [1, 0],
  [-2, 1],
  [2, -1],
]);
const rosenbrock = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;

const CHARTS: Record<string, () => Chart> = {
  line: () => plot.line({ train: [3, 2, 1], val: [3.5, 2.5, 2] }, { logY: true }),
  scatter: () => plot.scatter(X, [0, 1, 0, 1]),
  bar: () => plot.bar({ SGD: 0.3, Adam: 0.1 }),
  histogram: () => plot.histogram([1, 2, 2, 3, 3, 3], { bins: 3 }),
  heatmap: () =>
    plot.heatmap(
      [
        [5, 1],
        [0, 4],
      ],
      { rowLabels: ["a", "b"], colLabels: ["a", "b"] },
    ),
  layer: () => plot.layer(plot.line([1, 2, 3]), plot.line([3, 2, 1])),
  hconcat: () => plot.hconcat(plot.bar([1, 2]), plot.histogram([1, 2, 3])),
  vconcat: () => plot.vconcat(plot.bar([1, 2]), plot.line([1, 2])),
  loss: () =>
    plot.loss(
      [
        { epoch: 1, loss: 1, valLoss: 1.2 },
        { epoch: 2, loss: 0.5, valLoss: 0.7 },
      ],
      { slider: true },
    ),
  decisionBoundary: () => plot.decisionBoundary(linearModel, X, [0, 1, 0, 1], { resolution: 10 }),
  surface: () =>
    plot.layer(
      plot.surface(rosenbrock, { x: [-2, 2], y: [-1, 3], resolution: 10 }),
      plot.trajectories(
        {
          SGD: [
            [0, 0],
            [0.5, 0.2],
            [1, 1],
          ],
        },
        { slider: true },
      ),
    ),
  lrFinder: () => plot.lrFinder({ lr: [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1], loss: [2.3, 2.3, 2.0, 1.0, 0.8, 5] }),
  graph: () =>
    tensor([1, 2])
      .mul(tensor([3, 4]))
      .sum()
      .graph(),
};

describe("every chart kind", () => {
  for (const [name, make] of Object.entries(CHARTS)) {
    it(`${name}: a Vega-Lite v5 spec that Vega-Lite 5.6.1 compiles without warnings`, () => {
      const spec = make().spec as Spec;
      expect(spec.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
      expect(warningsOf(spec)).toEqual([]);
      expect(JSON.parse(JSON.stringify(spec))).toEqual(spec); // plain JSON
    });
  }
});

describe("plot builders", () => {
  it("line: one series per key, coloured, zoomable, log y drops non-positive values", () => {
    const spec = plot.line({ train: [3, 2, 0], val: [4, 3, 2] }, { logY: true, xLabel: "epoch" }).spec as Spec;
    expect(marks(spec)).toEqual(["line"]);
    expect(spec.encoding.color).toMatchObject({ field: "series", type: "nominal", title: null });
    expect(spec.encoding.color.scale.domain).toEqual(["train", "val"]);
    expect(spec.encoding.y.scale).toEqual({ type: "log" });
    expect(spec.encoding.x.title).toBe("epoch");
    expect(spec.params).toEqual([{ name: "zoom", select: "interval", bind: "scales" }]);
    expect(spec.encoding.tooltip.map((t: Spec) => t.field)).toEqual(["x", "series", "value"]);
    expect(spec.data.values.filter((r: Spec) => r.series === "train").map((r: Spec) => r.value)).toEqual([3, 2, null]);
  });

  it("line: rows of records plot every numeric field against step or epoch", () => {
    const spec = plot.line([
      { epoch: 1, loss: 2, acc: 0.5 },
      { epoch: 2, loss: 1, acc: 0.7 },
    ]).spec as Spec;
    expect(spec.encoding.x.field).toBe("epoch");
    expect(spec.data.values).toEqual([
      { epoch: 1, series: "loss", value: 2 },
      { epoch: 2, series: "loss", value: 1 },
      { epoch: 1, series: "acc", value: 0.5 },
      { epoch: 2, series: "acc", value: 0.7 },
    ]);
  });

  it("scatter: x/y from an [N, 2] tensor, colour and shape by label", () => {
    const spec = plot.scatter(X, [0, 1, 0, 1]).spec as Spec;
    expect(spec.data.values[1]).toEqual({ x: 1, y: 0, label: "1" });
    expect(spec.encoding.color.field).toBe("label");
    expect(() => plot.scatter(X, [0, 1])).toThrow("4 points but 2 labels");
  });

  it("histogram: counts per equal-width bin, binned in the kernel", () => {
    const spec = plot.histogram([1, 2, 2, 3, 3, 3], { bins: 2 }).spec as Spec;
    expect(spec.data.values).toEqual([
      { start: 1, end: 2, count: 1 },
      { start: 2, end: 3, count: 5 },
    ]);
    const big = plot.histogram(
      new Float32Array(200_000).map((_, i) => i % 7),
      { bins: 7 },
    ).spec as Spec;
    expect(big.data.values.map((r: Spec) => r.count).reduce((a: number, b: number) => a + b)).toBe(200_000);
  });

  it("heatmap: a cell per entry in row order, with value labels when small", () => {
    const spec = plot.heatmap(
      [
        [5, 1],
        [0, 4],
      ],
      { rowLabels: ["cat", "dog"], colLabels: ["cat", "dog"] },
    ).spec as Spec;
    expect(marks(spec)).toEqual(["rect", "text"]);
    expect(spec.data.values).toContainEqual({ row: "dog", col: "cat", value: 0, label: "0" });
    expect(spec.layer[0].encoding.y.sort).toEqual(["cat", "dog"]);
    expect(marks(plot.heatmap([[1]], { showValues: false }).spec as Spec)).toEqual(["rect"]);
  });

  it("layer: one zoom param, slider params at the top, separate colour scales for a surface and paths", () => {
    expect(
      (plot.layer(plot.line([1, 2]), plot.line([2, 1])).spec as Spec).layer.flatMap((l: Spec) => l.params ?? []),
    ).toHaveLength(1);
    const spec = CHARTS.surface!().spec as Spec;
    expect(marks(spec)).toEqual(["rect", "geoshape", "line"]);
    // No zoom: the contours are drawn in pixel space and would not follow it.
    expect(spec.params).toEqual([
      { name: "stepShown", value: 2, bind: { input: "range", min: 0, max: 2, step: 1, name: "step " } },
    ]);
    expect(spec.layer[1].transform).toEqual([{ filter: 'datum["step"] <= stepShown' }]);
    expect(spec.resolve).toEqual({ scale: { color: "independent" } });
  });

  it("loss: curves by epoch with a slider over epochs", () => {
    const spec = CHARTS.loss!().spec as Spec;
    expect(spec.encoding.x.field).toBe("epoch");
    expect(spec.params[1]).toMatchObject({ name: "epochShown", bind: { input: "range", min: 1, max: 2 } });
    expect(new Set(spec.data.values.map((r: Spec) => r.series))).toEqual(new Set(["loss", "valLoss"]));
    const withAccuracy = plot.loss([
      { epoch: 1, loss: 1, accuracy: 0.5 },
      { epoch: 2, loss: 0.5, accuracy: 0.8 },
    ]).spec as Spec;
    expect(new Set(withAccuracy.data.values.map((r: Spec) => r.series))).toEqual(new Set(["loss"]));
    expect(withAccuracy.title).toBe("Loss");
    const accuracy = plot.loss([{ epoch: 1, accuracy: 0.5 }], { slider: true }).spec as Spec;
    expect([accuracy.title, accuracy.layer[0].encoding.y.title]).toEqual(["Training history", "accuracy"]);
    // One epoch: a dot, not an empty line; the slider filters every layer holding data.
    expect(marks(accuracy)).toEqual(["line", "point"]);
    for (const l of accuracy.layer) expect(l.transform).toEqual([{ filter: 'datum["epoch"] <= epochShown' }]);
  });

  it("decisionBoundary: the model's class over a grid, then the points", () => {
    const spec = CHARTS.decisionBoundary!().spec as Spec;
    expect(marks(spec)).toEqual(["rect", "geoshape", "point"]);
    // The model's boundary is x = 0: class 1's region lies right of it, class 0's left, and the
    // traced edge runs along x = 0 exactly (interpolated, not a staircase of cells).
    const [x0, x1] = spec.layer[0].layer[0].encoding.x.scale.domain;
    const zero = (-x0 / (x1 - x0)) * spec.width;
    const regions = spec.layer[0].layer[1].data.values as Spec[];
    // Class 0 is the plot's ground; class 1's region is traced over it.
    expect(regions.map((r) => r.properties.label)).toEqual(["1"]);
    const ring: [number, number][] = regions[0].geometry.coordinates[0][0];
    const inside = ring.filter(([px]) => px > 0 && px < spec.width);
    expect(inside.length).toBeGreaterThan(0);
    for (const [px] of inside) expect(px - zero).toBeGreaterThan(-0.2);
    expect(inside.some(([px]) => Math.abs(px - zero) < 0.2)).toBe(true);
    // The regions' tints and the points' legend colours are the same classes' colours.
    const points = spec.layer[1].encoding.color.scale;
    expect(points.domain).toEqual(["0", "1"]);
    expect(spec.layer[0].layer[0].mark.color).toBe("rgb(201, 215, 229)"); // #4c78a8 at 30% over white
  });

  it("decisionBoundary: where three classes meet, no sliver of class 0 shows between the others", () => {
    // Three linear scores at 120° to each other: classes 1 and 2 share the ray x > 0, y = 0,
    // and all three meet at the origin, between grid samples.
    const angles = [Math.PI, -Math.PI / 3, Math.PI / 3];
    const W = tensor([angles.map(Math.cos), angles.map(Math.sin)]);
    const model = { forward: (x: Tensor) => x.matmul(W) };
    const corners = [
      [-1, -1],
      [1, 1],
      [-1, 1],
      [1, -1],
    ];
    const spec = plot.decisionBoundary(model, corners, [0, 1, 2, 0], { resolution: 10 }).spec as Spec;
    const regions = spec.layer[0].layer[1].data.values as Spec[];
    expect(regions.map((r) => r.properties.label)).toEqual(["1", "2"]);
    const covered = ([px, py]: [number, number]) =>
      regions.some((r) => insideMultiPolygon(r.geometry.coordinates, px, py));
    // Along the 1|2 boundary from the junction (the plot's centre) outwards, every point is drawn
    // in class 1's or class 2's tint.
    const centre = spec.width / 2;
    for (let d = 0.5; d < 60; d += 0.5) expect(covered([centre + d, centre]), `${d} px from the junction`).toBe(true);
    // Class 0's own side stays class 0.
    expect(covered([centre - 30, centre])).toBe(false);
  });

  it("surface: contour levels at round values, evenly spaced or 1-2-5 over four decades", () => {
    expect(contourLevels(0, 1, false, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(contourLevels(0.003, 2500, true)).toEqual([0.003, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000]);
    expect(contourLevels(3.7, 4, true).slice(0, 3)).toEqual([3.7, 3.7001, 3.7002]);
    expect(bandsOf([0, 1, 2], 3).map((b) => b.label)).toEqual(["< 1", "1 – 2", "≥ 2"]);
  });

  it("surface: level lines interpolated between samples lie on the true level set", () => {
    // f = 1 − x² − y² on [-1, 1]²: f ≥ 0.75 is the disc of radius 0.5 about the centre.
    const size = 200;
    const spec = plot.surface((x, y) => 1 - x * x - y * y, {
      x: [-1, 1],
      y: [-1, 1],
      levels: [0.75],
      resolution: 40,
      width: size,
      height: size,
    }).spec as Spec;
    const [background, shapes] = spec.layer;
    expect(background.encoding.x.scale.domain).toEqual([-1, 1]);
    expect(shapes.projection).toEqual({ type: "identity", reflectY: true, scale: 1, translate: [0, size] });
    const [disc] = shapes.data.values;
    expect(disc.properties.band).toBe("≥ 0.75");
    expect(disc.geometry.coordinates).toHaveLength(1); // one polygon, no hole
    const ring: [number, number][] = disc.geometry.coordinates[0][0];
    expect(ring.length).toBeGreaterThan(60); // a smooth ring, not a few cells' corners
    for (const [px, py] of ring) {
      const r = Math.hypot((px / size) * 2 - 1, (py / size) * 2 - 1);
      expect(Math.abs(r - 0.5)).toBeLessThan(0.004);
    }
  });

  it("trajectories: points per optimizer in step order", () => {
    const spec = plot.trajectories({
      Adam: tensor([
        [0, 0],
        [1, 1],
      ]),
      SGD: [tensor([0, 0]), tensor([0.5, 0.5])],
    }).spec as Spec;
    expect(spec.data.values).toEqual([
      { optimizer: "Adam", step: 0, x: 0, y: 0 },
      { optimizer: "Adam", step: 1, x: 1, y: 1 },
      { optimizer: "SGD", step: 0, x: 0, y: 0 },
      { optimizer: "SGD", step: 1, x: 0.5, y: 0.5 },
    ]);
    expect(spec.encoding.order).toEqual({ field: "step", type: "quantitative" });
  });

  it("lrFinder: log lr axis and the steepest descent marked", () => {
    const spec = CHARTS.lrFinder!().spec as Spec;
    expect(marks(spec)).toEqual(["line", "rule", "text"]);
    expect(spec.layer[0].encoding.x.scale).toEqual({ type: "log" });
    // A sigmoid in log10(lr) falls fastest at its centre, 10^-2.5.
    const lr = Array.from({ length: 100 }, (_, i) => 10 ** (-5 + (5 * i) / 99));
    const losses = lr.map((v) => 2.3 - 2 / (1 + Math.exp(-3 * (Math.log10(v) + 2.5))));
    const suggested = steepestDescent(lr, losses)!;
    expect(Math.abs(Math.log10(suggested) + 2.5)).toBeLessThan(0.1);
  });
});

describe("graph", () => {
  const x = tensor([[1, -2]]);
  const w = tensor([[0.5], [-0.3]]);
  w.requiresGrad = true;
  const loss = x.matmul(w).tanh().square().mean();
  loss.backward(undefined, { retainGrads: true });
  const spec = loss.graph({ names: { x, w } }).spec as Spec;
  const boxes = spec.layer[2].data.values as Spec[];
  const edges = spec.layer[0].data.values as Spec[];

  it("has a box per tensor, named by op or by the names given, with shape, value and gradient", () => {
    expect(boxes.map((b) => b.name).sort()).toEqual(["matmul", "mean", "square", "tanh", "w", "x"].sort());
    const wBox = boxes.find((b) => b.name === "w")!;
    expect(wBox.label).toBe(
      `w\n[2, 1]\n[0.5, -0.3]\ngrad [${Array.from(w.grad!.data, (v) => Number(v.toPrecision(3))).join(", ")}]`,
    );
    expect(boxes.find((b) => b.kind === "output")!.name).toBe("mean");
  });

  it("colours each box by the kind its legend names: an unnamed leaf's label is its kind", () => {
    const p = tensor([1, 2]);
    p.requiresGrad = true;
    const spec = tensor([3, 4]).mul(p).sum().graph().spec as Spec;
    const unnamed = spec.layer[2].data.values as Spec[];
    const legend = spec.layer[2].layer[0].encoding.color.scale.domain as string[];
    for (const box of unnamed) expect(legend).toContain(box.kind);
    const leaves = unnamed.filter((b) => b.kind === "input" || b.kind === "parameter");
    expect(leaves.map((b) => [b.name, b.kind]).sort()).toEqual([
      ["input", "input"],
      ["parameter", "parameter"],
    ]);
  });

  it("lays boxes out without overlaps, edges running left to right", () => {
    for (const a of boxes)
      for (const b of boxes) {
        if (a === b) continue;
        const overlap = a.x < b.x2 && b.x < a.x2 && a.y < b.y2 && b.y < a.y2;
        expect(overlap, `${a.name} overlaps ${b.name}`).toBe(false);
      }
    expect(edges).toHaveLength(5); // x, w → matmul → tanh → square → mean
    for (const e of edges) expect(e.x2).toBeGreaterThan(e.x);
  });

  it("draws one arrow per input, a tensor used twice (w·w) included, their heads apart", () => {
    const v = tensor([0.5, -1]);
    v.requiresGrad = true;
    const squared = v.mul(v).sum().graph().spec as Spec;
    const arrows = squared.layer[0].data.values as Spec[];
    const mulBox = (squared.layer[2].data.values as Spec[]).find((b) => b.name === "mul")!;
    const intoMul = arrows.filter((e) => e.x2 === mulBox.x - 5);
    expect(intoMul).toHaveLength(2);
    expect(intoMul[0]!.y).toBe(intoMul[1]!.y); // both from v
    expect(intoMul[0]!.y2).not.toBe(intoMul[1]!.y2);
    for (const e of intoMul) {
      expect(e.y2).toBeGreaterThan(mulBox.y);
      expect(e.y2).toBeLessThan(mulBox.y2);
    }
  });

  it("keeps a 200-node MLP graph overlap-free", () => {
    let h = tensor([[0.1, 0.2, 0.3, 0.4]]);
    for (let layer = 0; layer < 40; layer++) {
      const wl = tensor([[0.1], [0.2], [0.3], [0.4]]);
      wl.requiresGrad = true;
      h = h.mul(h.matmul(wl).tanh()).add(0.1);
    }
    const big = h.sum().graph().spec as Spec;
    const bigBoxes = big.layer[2].data.values as Spec[];
    expect(bigBoxes.length).toBeGreaterThan(200);
    const key = (b: Spec) => `${b.x},${b.y}`;
    expect(new Set(bigBoxes.map(key)).size).toBe(bigBoxes.length);
    expect(warningsOf(big)).toEqual([]);
  });
});

describe("text widths for layout", () => {
  const fonts = new URL("../../engine/plot/fonts/", import.meta.url);
  const regular = fontWidths(new URL("tsgradSans-Regular.ttf", fonts).pathname);
  const bold = fontWidths(new URL("tsgradSans-Bold.ttf", fonts).pathname);

  it("reads DejaVu Sans's advance widths through cmap and hmtx", () => {
    // DejaVu Sans: digits advance 1303/2048 em, the space 651/2048 em; bold digits 1425/2048 em.
    expect(textWidth(regular, "1,000", 2048)).toBe(4 * 1303 + 651);
    expect(textWidth(regular, " ", 2048)).toBe(651);
    expect(textWidth(bold, "0", 2048)).toBe(1425);
    expect(textWidth(regular, "0.5", 11)).toBeCloseTo((11 * (2 * 1303 + 651)) / 2048, 6);
  });
});

/** Even-odd point in a GeoJSON MultiPolygon's rings. */
function insideMultiPolygon(polygons: [number, number][][][], x: number, y: number): boolean {
  let inside = false;
  for (const ring of polygons.flat())
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  return inside;
}
