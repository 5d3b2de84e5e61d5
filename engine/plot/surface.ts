// A 2-D loss surface and the paths optimizers take across it: the seed lesson on optimizers
// (gradient descent zig-zags, momentum overshoots, Adam heads straight). Layer them with
// `plot.layer(plot.surface(f, { x, y }), plot.trajectories(paths))`; a slider scrubs the steps.
import { Tensor } from "../tensor.js";
import { layer, ZOOM_PAN } from "./basic.js";
import { Chart } from "./chart.js";
import { colorScale } from "./colors.js";
import { compact, extent, toMatrix } from "./data.js";
import { gridCellAxes } from "./grid-cells.js";
import { addSlider } from "./loss.js";
import { type ChartOptions, type Row, topLevel } from "./spec.js";

export interface SurfaceOptions extends ChartOptions {
  /** The x range `[min, max]` (default: the paths' range); widened to hold every path. */
  x?: readonly [number, number];
  /** The y range `[min, max]` (default: the paths' range); widened to hold every path. */
  y?: readonly [number, number];
  /** Optimizer paths drawn on the surface (as `plot.trajectories`), which the ranges fit. */
  paths?: Record<string, Path>;
  /** A slider that shows each path up to the chosen step (browser only). */
  slider?: boolean;
  xLabel?: string;
  yLabel?: string;
  /** The colour legend's title. */
  colorLabel?: string;
  /** Grid cells along each axis (default 50). */
  resolution?: number;
  /** Colour by log(value): surfaces such as Rosenbrock span many decades (default true). */
  logColor?: boolean;
  /** A Vega colour scheme (default "viridis"). */
  scheme?: string;
}

/**
 * A function of two variables as a heatmap with banded colours (a filled contour plot).
 * `f(x, y)` returns a number or a one-element tensor.
 * Example: `plot.surface((x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2, { x: [-2, 2], y: [-1, 3] })`
 */
export function surface(f: (x: number, y: number) => number | Tensor, options: SurfaceOptions): Chart {
  const n = options.resolution ?? 50;
  const points = Object.entries(options.paths ?? {}).flatMap(([name, path]) => {
    const m = toMatrix(pathMatrix(path), name);
    return Array.from({ length: m.rows }, (_, i) => [m.at(i, 0), m.at(i, 1)] as const);
  });
  const [x0, x1] = fitted(
    options.x,
    points.map((p) => p[0]),
    "x",
  );
  const [y0, y1] = fitted(
    options.y,
    points.map((p) => p[1]),
    "y",
  );
  const dx = (x1 - x0) / n;
  const dy = (y1 - y0) / n;
  const cells: Row[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const x = x0 + (j + 0.5) * dx;
      const y = y0 + (i + 0.5) * dy;
      const raw = f(x, y);
      const value = raw instanceof Tensor ? raw.item() : raw;
      // Each cell overlaps the next by a tenth: abutting anti-aliased edges would show a grid of seams.
      cells.push({
        x: compact(x - dx / 2),
        x2: compact(x + 0.6 * dx),
        y: compact(y - dy / 2),
        y2: compact(y + 0.6 * dy),
        value: compact(value),
      });
    }
  // Colour levels: equal steps of log10(1 + f - min) show the valley of a surface spanning
  // decades, where equal steps of f would paint all of it one colour.
  const logColor = options.logColor ?? true;
  const values = cells.map((c) => c.value).filter((v): v is number => typeof v === "number");
  const [min] = values.length ? extent(values) : [0];
  for (const cell of cells) {
    const v = cell.value;
    cell.level = typeof v !== "number" ? null : logColor ? compact(Math.log10(1 + v - min)) : v;
  }
  const field = new Chart(
    topLevel(
      {
        data: { values: cells },
        mark: { type: "rect", tooltip: true, clip: true },
        encoding: {
          ...gridCellAxes([x0, x1], [y0, y1], options),
          // Binned colours show level sets, as a filled contour plot does.
          color: {
            field: "level",
            type: "quantitative",
            title: options.colorLabel ?? (logColor ? "log₁₀(1 + f − min f)" : "f(x, y)"),
            scale: { scheme: options.scheme ?? "viridis" },
            bin: { maxbins: 16 },
          },
          tooltip: [
            { field: "x", type: "quantitative", format: ".3~g" },
            { field: "y", type: "quantitative", format: ".3~g" },
            { field: "value", type: "quantitative", title: "f(x, y)", format: ".4~g" },
          ],
        },
      },
      { title: options.title, width: options.width ?? 360, height: options.height ?? 360 },
    ),
  );
  if (!options.paths) return field;
  const drawn = trajectories(options.paths, { slider: options.slider, xLabel: options.xLabel, yLabel: options.yLabel });
  return layer(field, drawn);
}

/** The range given, widened to hold every path point (plus a 5% margin), or the points' range alone. */
function fitted(range: readonly [number, number] | undefined, values: number[], axis: string): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) {
    if (!range) throw new Error(`plot.surface: give the ${axis} range ({ ${axis}: [min, max] }) or paths to fit it to`);
    return [range[0], range[1]];
  }
  const [lo, hi] = extent(finite);
  const margin = 0.05 * (hi - lo || Math.abs(hi) || 1);
  return [Math.min(range?.[0] ?? Infinity, lo - margin), Math.max(range?.[1] ?? -Infinity, hi + margin)];
}

/** A path: points as an [N, 2] tensor, pairs, or tensors of 2 elements (parameters after each step). */
export type Path = Tensor | readonly (readonly number[])[] | readonly Tensor[];

export interface TrajectoryOptions extends ChartOptions {
  /** A slider that shows each path up to the chosen step (browser only). */
  slider?: boolean;
  xLabel?: string;
  yLabel?: string;
}

/**
 * Optimizer paths by name, drawn as lines with a dot per step, in step order.
 * Example: `plot.trajectories({ SGD: sgdPath, Momentum: momentumPath, Adam: adamPath }, { slider: true })`
 */
export function trajectories(paths: Record<string, Path>, options: TrajectoryOptions = {}): Chart {
  const rows: Row[] = [];
  for (const [name, path] of Object.entries(paths)) {
    const m = toMatrix(pathMatrix(path), name);
    for (let i = 0; i < m.rows; i++)
      rows.push({ optimizer: name, step: i, x: compact(m.at(i, 0)), y: compact(m.at(i, 1)) });
  }
  const spec = topLevel(
    {
      data: { values: rows },
      // Clipped: an overshooting optimizer leaves the surface's range, not the plot area.
      mark: { type: "line", point: { filled: true, size: 25 }, strokeWidth: 2, tooltip: true, clip: true },
      encoding: {
        x: { field: "x", type: "quantitative", scale: { zero: false }, title: options.xLabel ?? "x" },
        y: { field: "y", type: "quantitative", scale: { zero: false }, title: options.yLabel ?? "y" },
        color: { field: "optimizer", type: "nominal", title: "optimizer", scale: colorScale(Object.keys(paths)) },
        order: { field: "step", type: "quantitative" },
        tooltip: [
          { field: "optimizer", type: "nominal" },
          { field: "step", type: "quantitative" },
          { field: "x", type: "quantitative", format: ".4~g" },
          { field: "y", type: "quantitative", format: ".4~g" },
        ],
      },
      params: [ZOOM_PAN],
    },
    { title: options.title, width: options.width ?? 360, height: options.height ?? 360 },
  );
  if (options.slider)
    addSlider(
      spec,
      "step",
      rows.map((r) => r.step as number),
    );
  return new Chart(spec);
}

function pathMatrix(path: Path): Tensor | readonly (readonly number[])[] {
  if (path instanceof Tensor) return path;
  return (path as readonly (readonly number[] | Tensor)[]).map((p) => (p instanceof Tensor ? Array.from(p.data) : p));
}
