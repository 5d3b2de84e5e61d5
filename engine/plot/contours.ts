// Filled contour bands of a function sampled on a grid: d3-contour's marching squares with
// linear interpolation (smooth level lines, unlike colouring grid cells), as GeoJSON that
// Vega-Lite draws with a `geoshape` mark. The polygons are placed in the chart's pixel space
// and drawn through an identity projection, so they sit exactly on the x/y axes of the layers
// drawn with them (a projection has one scale for both axes; x and y ranges differ).
import { contours } from "d3-contour";
import { compact } from "./data.js";

/** A grid of samples: `values[i * columns + j]` at x = x0 + (j − 1)·dx, y = y0 + (i − 1)·dy. */
export interface SampleGrid {
  values: Float64Array;
  /** Cells across the plotted range; the grid holds `cells + 2` samples a side (one outside each edge). */
  cells: number;
}

/** One colour band: values in [lower, upper) and its legend label. */
export interface Band {
  lower: number;
  upper: number;
  label: string;
}

const FORMAT = (v: number) => String(Number(v.toPrecision(3)));

/**
 * Contour levels between `min` and `max`: about `count` evenly spaced round numbers, or, with
 * `log`, the 1-2-5 sequence over about four decades (from 0 when `min` is about 0) (how matplotlib users draw a
 * surface spanning decades, such as Rosenbrock's valley). `min` itself is the first level.
 * Example: `contourLevels(0, 2500, true) // [0, 0.5, 1, 2, 5, …, 1000, 2000]`
 */
export function contourLevels(min: number, max: number, log: boolean, count = 10): number[] {
  if (!(max > min)) return [min];
  if (!log) {
    const step = niceStep((max - min) / count);
    const first = Math.ceil(min / step) * step;
    const levels = [min];
    for (let k = 0; first + k * step < max; k++) {
      const level = Number((first + k * step).toPrecision(12));
      if (level > min) levels.push(level);
    }
    return levels;
  }
  const span = max - min;
  const first = niceStep(span / 5000);
  // Round values of f itself where the minimum is about 0 (most losses); steps above it otherwise.
  const base = min >= 0 && min < first ? 0 : min;
  const levels = [min];
  for (let e = first; base + e < max; e = nextOneTwoFive(e)) {
    const level = Number((base + e).toPrecision(12));
    if (level > min) levels.push(level);
  }
  return levels;
}

/** The colour bands of `levels` (ascending), labelled. Example: `bandsOf([0, 1, 2], 3) // "< 1", "1 – 2", "≥ 2"` */
export function bandsOf(levels: readonly number[], max: number): Band[] {
  return levels.map((lower, k) => {
    const upper = levels[k + 1] ?? max;
    const label =
      levels.length === 1
        ? FORMAT(lower)
        : k === 0
          ? `< ${FORMAT(upper)}`
          : k === levels.length - 1
            ? `≥ ${FORMAT(lower)}`
            : `${FORMAT(lower)} – ${FORMAT(upper)}`;
    return { lower, upper, label };
  });
}

/**
 * The region at or above each level (but the first, which is everything) as GeoJSON features
 * in pixel coordinates of a `width`×`height` plot, y up; the `band` property is the band's label.
 * Example: `bandFeatures(grid, bandsOf(levels, max), 360, 360)`
 */
export function bandFeatures(grid: SampleGrid, bands: readonly Band[], width: number, height: number): object[] {
  return bands.slice(1).map((band) => regionFeature(grid, band.lower, width, height, { band: band.label }));
}

/**
 * The region where the grid's value is at least `threshold`, as a GeoJSON feature in pixel
 * coordinates of a `width`×`height` plot (y up), carrying `properties`.
 * Example: `regionFeature(margins, 0, 360, 360, { label: "setosa" })`
 */
export function regionFeature(
  grid: SampleGrid,
  threshold: number,
  width: number,
  height: number,
  properties: Record<string, string>,
): object {
  const side = grid.cells + 2;
  const shape = contours().size([side, side]).smooth(true).contour(grid.values, threshold);
  // d3-contour puts sample k at coordinate k + 0.5; sample 1 is the first cell centre inside the range.
  const px = (c: number, size: number) => compact(Math.round(((c - 1) / grid.cells) * size * 10) / 10);
  const coordinates = shape.coordinates.map((polygon) =>
    polygon.map((ring) => ring.map(([cx, cy]) => [px(cx, width), px(cy, height)])),
  );
  return { type: "Feature", geometry: { type: "MultiPolygon", coordinates }, properties };
}

/** The projection that draws pixel coordinates (y up) in place. Example: `{ mark: "geoshape", projection: pixelProjection(360) }` */
export function pixelProjection(height: number) {
  return { type: "identity", reflectY: true, scale: 1, translate: [0, height] };
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const r = raw / power;
  return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * power;
}

function nextOneTwoFive(e: number): number {
  const power = 10 ** Math.floor(Math.log10(e) + 1e-9);
  const r = Math.round(e / power);
  return (r === 1 ? 2 : r === 2 ? 5 : 10) * power;
}
