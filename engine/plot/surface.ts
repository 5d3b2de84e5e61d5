// A 2-D loss surface and the paths optimizers take across it: the seed lesson on optimizers
// (gradient descent zig-zags, momentum overshoots, Adam heads straight). Layer them with
// `plot.layer(plot.surface(f, { x, y }), plot.trajectories(paths))`; a slider scrubs the steps.
import { Tensor } from "../tensor.js";
import { layer, ZOOM_PAN } from "./basic.js";
import { Chart } from "./chart.js";
import { colorScale } from "./colors.js";
import { bandFeatures, bandsOf, contourLevels, pixelProjection, type SampleGrid } from "./contours.js";
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
  /** The colour legend's title (default `f(x, y)` with the axis titles). */
  colorLabel?: string;
  /** Samples along each axis (default 80); the level lines are interpolated between them. */
  resolution?: number;
  /** Contour levels: their values, or about how many evenly spaced ones (default: see `logColor`). */
  levels?: number | readonly number[];
  /** Levels at 1-2-5 steps above the minimum over four decades, for surfaces such as Rosenbrock's (default true). */
  logColor?: boolean;
  /** A Vega colour scheme (default "viridis"). */
  scheme?: string;
}

/**
 * A function of two variables as a filled contour plot: smooth level lines, bands between them.
 * `f(x, y)` returns a number or a one-element tensor.
 * Example: `plot.surface((x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2, { x: [-2, 2], y: [-1, 3] })`
 */
export function surface(f: (x: number, y: number) => number | Tensor, options: SurfaceOptions): Chart {
  const n = options.resolution ?? 80;
  if (!Number.isInteger(n) || n < 2) throw new Error(`plot.surface: resolution must be an integer ≥ 2, got ${n}`);
  const points = Object.entries(options.paths ?? {}).flatMap(([name, path]) => {
    const m = toMatrix(pathMatrix(path), name);
    return Array.from({ length: m.rows }, (_, i) => [m.at(i, 0), m.at(i, 1)] as const);
  });
  const xRange = fitted(
    options.x,
    points.map((p) => p[0]),
    "x",
  );
  const yRange = fitted(
    options.y,
    points.map((p) => p[1]),
    "y",
  );
  const grid = sample(f, xRange, yRange, n);
  const finite = Array.from(grid.values).filter(Number.isFinite);
  if (finite.length === 0) throw new Error("plot.surface: f returned no finite value on the grid");
  const [min, max] = extent(finite);
  const logColor = options.logColor ?? true;
  const levels =
    typeof options.levels === "object"
      ? [min, ...[...options.levels].filter((l) => l > min).sort((a, b) => a - b)]
      : options.levels !== undefined
        ? contourLevels(min, max, false, options.levels)
        : contourLevels(min, max, logColor);
  const bands = bandsOf(levels, max);
  const width = options.width ?? 360;
  const height = options.height ?? 360;
  const fLabel = options.colorLabel ?? `f(${options.xLabel ?? "x"}, ${options.yLabel ?? "y"})`;
  const domain = bands.map((b) => b.label);
  // Discrete bands, so a discrete legend, one swatch per band (matplotlib's contourf colour bar).
  const color = (field: string) => ({
    field,
    type: "ordinal" as const,
    title: fLabel,
    scale: { domain, scheme: options.scheme ?? "viridis" },
    legend: { symbolType: "square", symbolSize: 120 },
  });
  const field = new Chart(
    topLevel(
      {
        layer: [
          {
            // The lowest band is the whole plot; it also carries the x/y axes the paths share.
            data: { values: [{ x: xRange[0], x2: xRange[1], y: yRange[0], y2: yRange[1], band: domain[0]! }] },
            mark: { type: "rect" },
            encoding: {
              ...gridCellAxes(xRange, yRange, options),
              color: color("band"),
              tooltip: { field: "band", title: fLabel },
            },
          },
          {
            data: { values: bandFeatures(grid, bands, width, height) },
            projection: pixelProjection(height),
            // Clipped: the grid reaches one cell past the range, so no band is cut short at an edge.
            mark: { type: "geoshape", clip: true, stroke: "white", strokeWidth: 0.5, strokeOpacity: 0.5 },
            encoding: {
              color: color("properties.band"),
              tooltip: { field: "properties.band", type: "ordinal", title: fLabel },
            },
          },
        ],
      },
      { title: options.title, width, height },
    ),
  );
  if (!options.paths) return field;
  const drawn = trajectories(options.paths, { slider: options.slider, xLabel: options.xLabel, yLabel: options.yLabel });
  return layer(field, drawn);
}

/** `f` at every cell centre of the range, plus one ring of cells outside it. */
function sample(
  f: (x: number, y: number) => number | Tensor,
  [x0, x1]: [number, number],
  [y0, y1]: [number, number],
  n: number,
): SampleGrid {
  const side = n + 2;
  const values = new Float64Array(side * side);
  const dx = (x1 - x0) / n;
  const dy = (y1 - y0) / n;
  for (let i = 0; i < side; i++)
    for (let j = 0; j < side; j++) {
      const raw = f(x0 + (j - 0.5) * dx, y0 + (i - 0.5) * dy);
      const value = raw instanceof Tensor ? raw.item() : raw;
      if (typeof value !== "number") throw new TypeError(`plot.surface: f must return a number, got ${typeof value}`);
      values[i * side + j] = value;
    }
  return { values, cells: n };
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
