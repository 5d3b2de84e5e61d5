// The decision boundary of a 2-D classifier: the model's prediction over a grid covering the
// data, drawn as a light class-coloured field, with the data points on top in the same colours.
import { noGrad } from "../autograd.js";
import { Tensor } from "../tensor.js";
import { scatter, ZOOM_PAN } from "./basic.js";
import { Chart } from "./chart.js";
import { compact, extent, type Numbers, toMatrix, toNumbers } from "./data.js";
import { gridCellAxes } from "./grid-cells.js";
import { type ChartOptions, type Row, topLevel } from "./spec.js";

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
  const dx = (x1 - x0) / n;
  const dy = (y1 - y0) / n;
  const grid = new Float32Array(n * n * 2);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      grid[2 * (i * n + j)] = x0 + (j + 0.5) * dx;
      grid[2 * (i * n + j) + 1] = y0 + (i + 0.5) * dy;
    }
  const classes = predictedClasses(model, new Tensor(grid, [n * n, 2]));
  const name = (c: number) => options.classNames?.[c] ?? String(c);
  const cells: Row[] = [];
  for (let k = 0; k < n * n; k++) {
    const x = grid[2 * k]!;
    const yv = grid[2 * k + 1]!;
    cells.push({
      x: compact(x - dx / 2),
      x2: compact(x + dx / 2),
      y: compact(yv - dy / 2),
      y2: compact(yv + dy / 2),
      label: name(classes[k]!),
    });
  }
  const labels = toNumbers(y, "y").map((c) => name(Math.round(c)));
  const dots = scatter(X, labels, { xLabel: options.xLabel, yLabel: options.yLabel }).spec;
  const field = {
    data: { values: cells },
    mark: { type: "rect", opacity: 0.3 },
    encoding: {
      ...gridCellAxes([x0, x1], [y0, y1], options),
      color: { field: "label", type: "nominal", title: "class" },
    },
  };
  const { $schema: _schema, width: _width, height: _height, params: _params, ...dotLayer } = dots;
  // One legend: the field's colours and the points' colours are the same classes.
  const { shape: _shape, ...dotEncoding } = dotLayer.encoding as Record<string, unknown>;
  dotLayer.encoding = dotEncoding;
  return new Chart(
    topLevel(
      {
        layer: [
          field,
          {
            ...dotLayer,
            mark: { type: "point", filled: true, size: 40, tooltip: true, stroke: "white", strokeWidth: 0.5 },
            params: [ZOOM_PAN],
          },
        ],
      },
      {
        title: options.title ?? "Decision boundary",
        width: options.width ?? 360,
        height: options.height ?? 360,
      },
    ),
  );
}

/** Arg-max class per row; one output per row means a logit (split at 0) or a probability (at 0.5). */
function predictedClasses(model: { forward(x: Tensor): Tensor }, grid: Tensor): Int32Array {
  const out = noGrad(() => model.forward(grid));
  const rows = grid.shape[0]!;
  const width = out.numel() / rows;
  const classes = new Int32Array(rows);
  if (width === 1) {
    let probabilities = true;
    for (const v of out.data) if (v < 0 || v > 1) probabilities = false;
    const threshold = probabilities ? 0.5 : 0;
    for (let i = 0; i < rows; i++) classes[i] = out.data[i]! > threshold ? 1 : 0;
    return classes;
  }
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let c = 1; c < width; c++) if (out.data[i * width + c]! > out.data[i * width + best]!) best = c;
    classes[i] = best;
  }
  return classes;
}

function padded([lo, hi]: [number, number]): [number, number] {
  const margin = (hi - lo) * 0.1 || 1;
  return [lo - margin, hi + margin];
}
