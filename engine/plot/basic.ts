// The general-purpose charts: line, scatter, bar, histogram, heatmap, and the ways to combine
// them (layer, hconcat, vconcat). Every one is a plain Vega-Lite 5.6 spec with tooltips; line
// and scatter charts zoom and pan (an interval selection bound to the scales).
import { Tensor } from "../tensor.js";
import { Chart } from "./chart.js";
import { colorScale } from "./colors.js";
import {
  compact,
  extent,
  finiteOrNull,
  isNumbers,
  type Numbers,
  type Series,
  seriesRows,
  toMatrix,
  toNumbers,
} from "./data.js";
import { type ChartOptions, innerSpec, type Row, topLevel, type VegaLiteSpec } from "./spec.js";

/** Zoom with the wheel, pan by dragging (double-click resets). */
export const ZOOM_PAN = { name: "zoom", select: "interval", bind: "scales" } as const;

const NUMBER_FORMAT = ".4~g";

export interface LineOptions extends ChartOptions {
  /** x values, or the field of each row to plot against (default: the index, or `epoch`/`step`). */
  x?: Numbers | string;
  /** Fields of each row to plot (default: every numeric field but x). */
  y?: string[];
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic y axis (losses spanning decades). */
  logY?: boolean;
  logX?: boolean;
  /** The x axis's range, fixed whatever the data (a live chart's whole run from its first point). */
  xDomain?: readonly [number, number];
  /** Draw a dot at every point, or only on the series named (per-epoch values beside per-batch ones). */
  points?: boolean | readonly string[];
}

/**
 * Line chart of one series, several named series, or rows of records.
 * Example: `plot.line({ train: [0.9, 0.5, 0.3], test: [1.0, 0.7, 0.6] }, { xLabel: "epoch", logY: true })`
 */
export function line(data: Numbers | Series | readonly Row[], options: LineOptions = {}): Chart {
  const { series, x, xField, diverged } = normaliseSeries(data, options);
  const names = Object.keys(series);
  const rows = seriesRows(series, x, xField);
  // A log axis has no place for zero or negative values (one would blank the whole chart).
  if (options.logY) for (const row of rows) if (typeof row.value === "number" && row.value <= 0) row.value = null;
  const several = names.length > 1;
  const yTitle = options.yLabel ?? (several ? "value" : (names[0] ?? "value"));
  // Steps and epochs are whole numbers: no ticks at 0.4 of an epoch (nor, on a fixed range of
  // whole epochs, between them, though batches sit there).
  const [from, to] = options.xDomain ?? [0, 0];
  const wholeRange = Number.isInteger(from) && Number.isInteger(to) && to - from >= 2;
  const integralX = wholeRange || rows.every((r) => Number.isInteger(r[xField]));
  const encoding: VegaLiteSpec = {
    x: {
      field: xField,
      type: "quantitative",
      title: options.xLabel ?? xField,
      ...(options.logX ? { scale: { type: "log" }, axis: logAxis(rows.map((r) => r[xField])) } : {}),
      ...(integralX && !options.logX ? { axis: { tickMinStep: 1 } } : {}),
      ...(options.xDomain ? { scale: { ...(options.logX ? { type: "log" } : {}), domain: [...options.xDomain] } } : {}),
    },
    y: {
      field: "value",
      type: "quantitative",
      title: yTitle,
      scale: options.logY ? { type: "log" } : { zero: false },
      ...(options.logY ? { axis: logAxis(rows.map((r) => r.value)) } : {}),
    },
    // Each series name keeps its colour across the notebook's charts (colors.ts).
    ...(several ? { color: { field: "series", type: "nominal", title: null, scale: colorScale(names) } } : {}),
    tooltip: [
      { field: xField, type: "quantitative" },
      ...(several ? [{ field: "series", type: "nominal" }] : []),
      { field: "value", type: "quantitative", title: yTitle, format: NUMBER_FORMAT },
    ],
  };
  const chosen = Array.isArray(options.points) ? options.points.filter((p) => names.includes(p)) : [];
  // A series of one point draws no line: it gets a dot (a live chart's first state).
  const lonely = names.filter((n) => rows.filter((r) => r.series === n && r.value !== null).length === 1);
  const dotted = options.points === true ? [] : [...new Set([...chosen, ...lonely])];
  const lines = {
    data: { values: rows },
    mark: { type: "line", tooltip: true, ...(options.points === true ? { point: true } : {}) },
    // Beside dotted summaries (one value an epoch), the dense series (one a batch) fade back.
    encoding:
      chosen.length > 0 && chosen.length < names.length
        ? { ...encoding, opacity: { condition: { test: fadedTest(chosen), value: 1 }, value: 0.45 } }
        : encoding,
    params: [ZOOM_PAN],
  };
  const extra = [
    ...(dotted.length > 0 ? [dots(rows, dotted, encoding)] : []),
    ...(diverged.length > 0 ? [divergedMarks(diverged, xField, several)] : []),
  ];
  if (extra.length === 0) return new Chart(topLevel(lines, options));
  return new Chart(topLevel({ layer: [lines, ...extra] }, options));
}

/** A Vega expression true for rows of the series named. */
function fadedTest(names: readonly string[]): string {
  return `indexof(${JSON.stringify(names)}, datum.series) >= 0`;
}

/** A filled dot at each point of the series named, in their line colours. */
function dots(rows: Row[], names: readonly string[], encoding: VegaLiteSpec): VegaLiteSpec {
  return {
    data: { values: rows.filter((r) => names.includes(r.series as string) && r.value !== null) },
    mark: { type: "point", filled: true, size: 30, opacity: 1, tooltip: true },
    encoding,
  };
}

// Just above the x axis: the top of a chart holds titles and the lr finder's suggestion.
const BOTTOM = { value: { expr: "height - 7" } };

/** A red ▼ and "diverged" at the bottom of the chart where a series became NaN or infinite. */
function divergedMarks(points: Row[], xField: string, several: boolean): VegaLiteSpec {
  const x = { field: xField, type: "quantitative" };
  // Among several series, the mark names the one that diverged.
  const labelled = points.map((p) => ({ ...p, label: several ? `${p.series} diverged` : "diverged" }));
  return {
    data: { values: labelled },
    layer: [
      { mark: { type: "rule", color: "firebrick", strokeDash: [3, 3] }, encoding: { x } },
      {
        mark: { type: "point", shape: "triangle-down", filled: true, size: 90, color: "firebrick", tooltip: true },
        encoding: {
          x,
          y: BOTTOM,
          tooltip: [x, { field: "series", type: "nominal" }, { field: "value", type: "nominal", title: "value" }],
        },
      },
      {
        mark: {
          type: "text",
          color: "firebrick",
          align: "left",
          dx: 7,
          baseline: "middle",
          fontSize: 11,
        },
        encoding: { x, y: BOTTOM, text: { field: "label" } },
      },
    ],
  };
}

export interface ScatterOptions extends ChartOptions {
  xLabel?: string;
  yLabel?: string;
  /** Legend title for the colours (default "class"). */
  colorLabel?: string;
  /** Point size in square pixels. */
  size?: number;
}

/**
 * Scatter plot of points, coloured by class when `labels` are given. `points` is an [N, 2]
 * tensor / array of pairs, or `{ x, y }`.
 * Example: `plot.scatter(X, y, { title: "Two moons" })`
 */
export function scatter(
  points: Tensor | readonly (readonly number[])[] | { x: Numbers; y: Numbers },
  labels?: Numbers | readonly string[],
  options: ScatterOptions = {},
): Chart {
  const rows = scatterRows(points, labels);
  const colorLabel = options.colorLabel ?? "class";
  const hasLabels = labels !== undefined;
  return new Chart(
    topLevel(
      {
        data: { values: rows },
        mark: { type: "point", filled: true, size: options.size ?? 40, tooltip: true },
        encoding: {
          x: { field: "x", type: "quantitative", title: options.xLabel ?? "x", scale: { zero: false } },
          y: { field: "y", type: "quantitative", title: options.yLabel ?? "y", scale: { zero: false } },
          ...(hasLabels
            ? {
                color: { field: "label", type: "nominal", title: colorLabel },
                shape: { field: "label", type: "nominal", title: colorLabel },
              }
            : {}),
          tooltip: [
            { field: "x", type: "quantitative", format: NUMBER_FORMAT },
            { field: "y", type: "quantitative", format: NUMBER_FORMAT },
            ...(hasLabels ? [{ field: "label", type: "nominal", title: colorLabel }] : []),
          ],
        },
        params: [ZOOM_PAN],
      },
      options,
    ),
  );
}

export interface BarOptions extends ChartOptions {
  xLabel?: string;
  yLabel?: string;
  /** Bars left to right as given (default), or sorted by value. */
  sort?: "none" | "ascending" | "descending";
}

/**
 * Bar chart of named values. Example: `plot.bar({ SGD: 0.31, Momentum: 0.12, Adam: 0.05 }, { yLabel: "final loss" })`
 */
export function bar(values: Record<string, number> | Numbers, options: BarOptions = {}): Chart {
  const entries: [string, number][] = isNumbers(values)
    ? toNumbers(values).map((v, i) => [String(i), v])
    : Object.entries(values);
  const order = entries.map(([k]) => k);
  const sort = options.sort === "ascending" ? "y" : options.sort === "descending" ? "-y" : order;
  const yLabel = options.yLabel ?? "value";
  return new Chart(
    topLevel(
      {
        data: { values: entries.map(([name, value]) => ({ name, value: finiteOrNull(value) })) },
        mark: { type: "bar", tooltip: true },
        encoding: {
          x: { field: "name", type: "nominal", title: options.xLabel ?? null, sort, axis: { labelAngle: 0 } },
          y: { field: "value", type: "quantitative", title: yLabel },
          tooltip: [
            { field: "name", type: "nominal", title: options.xLabel ?? "name" },
            { field: "value", type: "quantitative", title: yLabel, format: NUMBER_FORMAT },
          ],
        },
      },
      options,
    ),
  );
}

export interface HistogramOptions extends ChartOptions {
  /** Number of equal-width bins (default 30). */
  bins?: number;
  xLabel?: string;
}

/**
 * Histogram, binned in the kernel so a million weights still make a small spec.
 * Example: `plot.histogram(fc1.weight.grad!, { title: "gradients of fc1's weights" })`
 */
export function histogram(values: Numbers, options: HistogramOptions = {}): Chart {
  const xs = toNumbers(values).filter(Number.isFinite);
  const bins = Math.max(1, Math.floor(options.bins ?? 30));
  let [lo, hi] = xs.length ? extent(xs) : [0, 1];
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of xs) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]! += 1;
  const xLabel = options.xLabel ?? "value";
  return new Chart(
    topLevel(
      {
        data: {
          values: counts.map((count, i) => ({
            start: compact(lo + i * width),
            end: compact(lo + (i + 1) * width),
            count,
          })),
        },
        mark: { type: "bar", tooltip: true, binSpacing: 0 },
        encoding: {
          x: { field: "start", type: "quantitative", bin: { binned: true }, title: xLabel },
          x2: { field: "end" },
          y: { field: "count", type: "quantitative", title: "count" },
          tooltip: [
            { field: "start", type: "quantitative", title: "from", format: NUMBER_FORMAT },
            { field: "end", type: "quantitative", title: "to", format: NUMBER_FORMAT },
            { field: "count", type: "quantitative" },
          ],
        },
      },
      options,
    ),
  );
}

/**
 * Charts drawn on top of each other, sharing axes (e.g. a surface and the paths across it).
 * Example: `plot.layer(plot.scatter(X, y), plot.line(boundary))`
 */
export function layer(...charts: (Chart | VegaLiteSpec)[]): Chart {
  const specs = charts.map(specOf);
  const first = specs[0] ?? {};
  const seenParams = new Set<string>();
  const topParams: VegaLiteSpec[] = [];
  // Contours drawn in pixel space (plot.surface) cannot follow a zoomed scale: no zoom over them.
  const fixedScales = specs.some(hasProjection);
  const layers = specs.map((s) => {
    const { width: _w, height: _h, title: _t, ...rest } = innerSpec(s);
    if (fixedScales && Array.isArray(rest.params))
      rest.params = (rest.params as VegaLiteSpec[]).filter((p) => p.name !== ZOOM_PAN.name);
    // A param name may appear once (Vega signals are global): one zoom per chart. Variable
    // params (sliders) must sit at the top level of a layered spec.
    const params = ((rest.params as (VegaLiteSpec & { name: string })[] | undefined) ?? []).filter(
      (p) => !seenParams.has(p.name),
    );
    for (const p of params) seenParams.add(p.name);
    topParams.push(...params.filter((p) => !("select" in p)));
    const selections = params.filter((p) => "select" in p);
    if (selections.length > 0) rest.params = selections;
    else delete rest.params;
    return rest;
  });
  // A surface's banded colours and paths' nominal colours cannot share one scale.
  const colorTypes = new Set(layers.flatMap(colorTypesOf));
  return new Chart(
    topLevel(
      {
        layer: layers,
        ...(topParams.length > 0 ? { params: topParams } : {}),
        ...(colorTypes.size > 1 ? { resolve: { scale: { color: "independent" } } } : {}),
      },
      {
        ...(first.title === undefined ? {} : { title: first.title as string }),
        width: first.width as number | undefined,
        height: first.height as number | undefined,
      },
    ),
  );
}

// Each panel keeps its own colours and legend (a loss panel and a metrics panel are not one key).
const OWN_LEGENDS = { scale: { color: "independent" }, legend: { color: "independent" } };

/** Charts side by side. Example: `plot.hconcat(plot.histogram(w1), plot.histogram(w2))` */
export function hconcat(...charts: (Chart | VegaLiteSpec)[]): Chart {
  return new Chart(topLevel({ hconcat: charts.map((c) => innerSpec(specOf(c))), resolve: OWN_LEGENDS }, {}, false));
}

/** Charts one above the other. Example: `plot.vconcat(plot.loss(history), plot.line(lrs))` */
export function vconcat(...charts: (Chart | VegaLiteSpec)[]): Chart {
  return new Chart(topLevel({ vconcat: charts.map((c) => innerSpec(specOf(c))), resolve: OWN_LEGENDS }, {}, false));
}

/** The colour encodings' types in a spec and its layers. */
function colorTypesOf(spec: VegaLiteSpec): string[] {
  const own = (spec.encoding as Record<string, { type?: string }> | undefined)?.color?.type;
  const nested = ((spec.layer as VegaLiteSpec[] | undefined) ?? []).flatMap(colorTypesOf);
  return [...new Set([...(own ? [own] : []), ...nested])];
}

function hasProjection(spec: VegaLiteSpec): boolean {
  return spec.projection !== undefined || ((spec.layer as VegaLiteSpec[] | undefined) ?? []).some(hasProjection);
}

function specOf(chart: Chart | VegaLiteSpec): VegaLiteSpec {
  return chart instanceof Chart ? chart.spec : chart;
}

function normaliseSeries(
  data: Numbers | Series | readonly Row[],
  options: LineOptions,
): { series: Series; x: Numbers | undefined; xField: string; diverged: Row[] } {
  const xOption = typeof options.x === "string" ? undefined : options.x;
  const xName = typeof options.x === "string" ? options.x : "x";
  if (isNumbers(data)) {
    const series = { [options.yLabel ?? "value"]: data };
    return { series, x: xOption, xField: xName, diverged: firstNonFinite(series, xOption, xName) };
  }
  if (Array.isArray(data)) {
    const rows = data as readonly Row[];
    const numeric = numericFields(rows);
    const xField =
      typeof options.x === "string"
        ? options.x
        : (["step", "epoch", "x", "iteration"].find((k) => numeric.includes(k)) ?? "index");
    const fields = options.y ?? numeric.filter((k) => k !== xField && !(xField === "step" && k === "epoch"));
    const series: Series = {};
    for (const f of fields) series[f] = rows.map((r) => (typeof r[f] === "number" ? (r[f] as number) : NaN));
    const x = xField === "index" ? undefined : rows.map((r) => Number(r[xField]));
    // A field a row leaves out is a gap (validation once per epoch), not a diverged value.
    const given: Series = {};
    for (const f of fields) given[f] = rows.map((r) => (typeof r[f] === "number" ? (r[f] as number) : 0));
    return { series, x, xField, diverged: firstNonFinite(given, x, xField) };
  }
  const named = data as Series;
  // `{ x, y }`: coordinates, as plot.scatter reads them, not two series.
  const keys = Object.keys(named);
  if (options.x === undefined && keys.length === 2 && "x" in named && "y" in named) {
    const series = { [options.yLabel ?? "y"]: named.y! };
    return { series, x: named.x, xField: "x", diverged: firstNonFinite(series, named.x, "x") };
  }
  return { series: named, x: xOption, xField: xName, diverged: firstNonFinite(named, xOption, xName) };
}

/** Each series' first NaN or ±Infinity (a run that diverged), as a row at its x. */
function firstNonFinite(series: Series, x: Numbers | undefined, xField: string): Row[] {
  const xs = x === undefined ? undefined : toNumbers(x, "x");
  const out: Row[] = [];
  for (const [name, values] of Object.entries(series)) {
    const ys = toNumbers(values, name);
    const i = ys.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) out.push({ [xField]: xs ? (xs[i] ?? null) : i, series: name, value: String(ys[i]) });
  }
  return out;
}

/** Tick labels for a log axis: powers of ten over many decades ("1e+22", never "100,000" beside it), plain numbers over few. */
function logAxis(values: readonly (number | string | boolean | null | undefined)[]): {
  format: string;
  values?: number[];
} {
  const positive = values.filter((v): v is number => typeof v === "number" && v > 0 && Number.isFinite(v));
  if (positive.length === 0) return { format: "~g" };
  const [lo, hi] = extent(positive).map(Math.log10) as [number, number];
  // Within two decades Vega's ticks (1, 2, 5, …) read well; over more, its 2× and 5× labels
  // crowd ("0.0010.002"), so only powers of ten are labelled, at most 8 of them.
  if (hi - lo < 2) return { format: "~g" };
  const first = Math.floor(lo);
  const last = Math.ceil(hi);
  const stride = Math.ceil((last - first) / 8);
  const ticks: number[] = [];
  for (let k = first; k <= last; k += stride) ticks.push(Number(`1e${k}`));
  return { format: last > 5 || first < -4 ? ".0e" : "~g", values: ticks };
}

/** Every field that holds a number in some row, in first-seen order. */
export function numericFields(rows: readonly Row[]): string[] {
  const fields = new Set<string>();
  for (const row of rows) for (const [k, v] of Object.entries(row)) if (typeof v === "number") fields.add(k);
  return [...fields];
}

function scatterRows(
  points: Tensor | readonly (readonly number[])[] | { x: Numbers; y: Numbers },
  labels: Numbers | readonly string[] | undefined,
): Row[] {
  let xs: number[];
  let ys: number[];
  if (points instanceof Tensor || Array.isArray(points)) {
    const m = toMatrix(points as Tensor | readonly (readonly number[])[], "points");
    if (m.cols < 2) throw new Error(`plot.scatter: points need 2 columns (x, y), got ${m.cols}`);
    xs = Array.from({ length: m.rows }, (_, i) => m.at(i, 0));
    ys = Array.from({ length: m.rows }, (_, i) => m.at(i, 1));
  } else {
    const xy = points as { x: Numbers; y: Numbers };
    xs = toNumbers(xy.x, "x");
    ys = toNumbers(xy.y, "y");
  }
  const names =
    labels === undefined
      ? undefined
      : Array.isArray(labels) && typeof labels[0] === "string"
        ? (labels as string[])
        : toNumbers(labels as Numbers, "labels").map(String);
  if (names && names.length !== xs.length)
    throw new Error(`plot.scatter: ${xs.length} points but ${names.length} labels`);
  return xs.map((x, i) => ({ x: compact(x), y: compact(ys[i]!), ...(names ? { label: names[i]! } : {}) }));
}
