// The decision boundary of a 2-D classifier: the model's prediction over a grid covering the
// data, drawn as a light class-coloured field, with the data points on top in the same colours.
import { noGrad } from "../autograd.js";
import { Tensor } from "../tensor.js";
import { scatter } from "./basic.js";
import { Chart } from "./chart.js";
import { PALETTE } from "./colors.js";
import { pixelProjection, regionFeature } from "./contours.js";
import { extent, type Numbers, toMatrix, toNumbers } from "./data.js";
import { gridCellAxes } from "./grid-cells.js";
import { type ChartOptions, topLevel } from "./spec.js";

export interface DecisionBoundaryOptions extends ChartOptions {
  /** Grid cells along each axis (default 60). */
  resolution?: number;
  /** Class names by index (default 0, 1, …). */
  classNames?: readonly string[];
  xLabel?: string;
  yLabel?: string;
}

/**
 * A 2-D classifier's predicted class over the plane, with the points `X` coloured by `y`.
 * `model.forward` takes [N, 2] and returns logits [N, C] (or one logit/probability per row).
 * Example: `plot.decisionBoundary(model, X, y, { title: "after 100 epochs" })`
 */
export function decisionBoundary(
  model: { forward(x: Tensor): Tensor },
  X: Tensor | readonly (readonly number[])[],
  y: Numbers,
  options: DecisionBoundaryOptions = {},
): Chart {
  const points = toMatrix(X, "X");
  if (points.cols !== 2) throw new Error(`plot.decisionBoundary: X must have 2 columns (features), got ${points.cols}`);
  const n = options.resolution ?? 60;
  const [x0, x1] = padded(extent(Array.from({ length: points.rows }, (_, i) => points.at(i, 0))));
  const [y0, y1] = padded(extent(Array.from({ length: points.rows }, (_, i) => points.at(i, 1))));
  const width = options.width ?? 360;
  const height = options.height ?? 360;
  // The model's scores on a grid one cell past the range; each class's region is where its
  // margin over the best other class is ≥ 0, traced with interpolation: a smooth boundary, not
  // the staircase of coloured cells.
  const side = n + 2;
  const grid = new Float32Array(side * side * 2);
  for (let i = 0; i < side; i++)
    for (let j = 0; j < side; j++) {
      grid[2 * (i * side + j)] = x0 + ((j - 0.5) * (x1 - x0)) / n;
      grid[2 * (i * side + j) + 1] = y0 + ((i - 0.5) * (y1 - y0)) / n;
    }
  const margins = classMargins(model, new Tensor(grid, [side * side, 2]));
  const name = (c: number) => options.classNames?.[c] ?? String(c);
  const classes = toNumbers(y, "y").map(Math.round);
  const count = Math.max(margins.length, ...classes.map((c) => c + 1));
  const names = Array.from({ length: count }, (_, c) => name(c));
  const colors = names.map((_, c) => PALETTE[c % PALETTE.length]!);
  // Class 0 fills the plot; every other class's region is drawn over it in class order, opaque in
  // a light tint of the class colour. Class k's region is where it beats every earlier class, so
  // later regions cover what is not its own, and the last drawn at a point is the class predicted
  // there. Traced as "beats every other class", three regions met in rounded corners that left a
  // sliver of class 0 where they meet; traced so, each region runs on under the later ones.
  const regions = margins
    .slice(1)
    .map((values, k) =>
      regionFeature({ values, cells: n }, 0, width, height, { label: names[k + 1]!, fill: tint(colors[k + 1]!) }),
    );
  const dots = scatter(
    X,
    classes.map((c) => names[c]!),
    { xLabel: options.xLabel, yLabel: options.yLabel },
  ).spec;
  const field = {
    layer: [
      {
        // Class 0's region, and the x/y axes the other regions are drawn on in pixels.
        data: { values: [{ x: x0, x2: x1, y: y0, y2: y1 }] },
        mark: { type: "rect", color: tint(colors[0]!) },
        encoding: gridCellAxes([x0, x1], [y0, y1], options),
      },
      {
        data: { values: regions },
        projection: pixelProjection(height),
        mark: { type: "geoshape", clip: true, tooltip: true },
        encoding: {
          fill: { field: "properties.fill", type: "nominal", scale: null, legend: null },
          tooltip: { field: "properties.label", type: "nominal", title: "predicted" },
        },
      },
    ],
  };
  const { $schema: _schema, width: _width, height: _height, params: _params, ...dotLayer } = dots;
  // One legend, the points': the regions' tints are the same classes' colours.
  const { shape: _shape, color, ...dotEncoding } = dotLayer.encoding as Record<string, Record<string, unknown>>;
  dotLayer.encoding = { ...dotEncoding, color: { ...color, scale: { domain: names, range: colors } } };
  return new Chart(
    topLevel(
      {
        layer: [
          field,
          // No zoom: the regions are drawn in pixels and would not follow a zoomed scale.
          {
            ...dotLayer,
            mark: { type: "point", filled: true, size: 40, tooltip: true, stroke: "white", strokeWidth: 0.5 },
          },
        ],
      },
      {
        title: options.title ?? "Decision boundary",
        width,
        height,
      },
    ),
  );
}

/**
 * Per class, each row's score minus the best earlier class's (≥ 0 where the class beats every
 * class before it; class 0's is unused). One output per row is a logit (split at 0) or a
 * probability (at 0.5) for class 1.
 */
function classMargins(model: { forward(x: Tensor): Tensor }, grid: Tensor): Float64Array[] {
  const out = noGrad(() => model.forward(grid));
  const rows = grid.shape[0]!;
  const width = out.numel() / rows;
  if (width === 1) {
    let probabilities = true;
    for (const v of out.data) if (v < 0 || v > 1) probabilities = false;
    const threshold = probabilities ? 0.5 : 0;
    const one = Float64Array.from(out.data, (v) => v - threshold);
    return [one.map((v) => -v), one];
  }
  return Array.from({ length: width }, (_, c) => {
    const margin = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let other = -Infinity;
      for (let d = 0; d < c; d++) other = Math.max(other, out.data[i * width + d]!);
      margin[i] = out.data[i * width + c]! - other;
    }
    return margin;
  });
}

/** `color` (#rrggbb) at 30% over white: the light field under the points. */
function tint(color: string): string {
  const channel = (i: number) => Math.round(0.3 * Number.parseInt(color.slice(i, i + 2), 16) + 0.7 * 255);
  return `rgb(${channel(1)}, ${channel(3)}, ${channel(5)})`;
}

function padded([lo, hi]: [number, number]): [number, number] {
  const margin = (hi - lo) * 0.1 || 1;
  return [lo - margin, hi + margin];
}
