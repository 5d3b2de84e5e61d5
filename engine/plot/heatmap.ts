// A matrix as coloured cells: weights, attention, a confusion matrix with its counts. Values are
// printed on the cells in one format (integers as they are, other numbers with as many decimals
// as the largest needs for three significant digits, or the caller's), and only where every
// value fits its cell: a label wider or taller than a cell is hidden rather than spilling over
// its neighbours and the axis labels. A colour legend says what the colours mean.
import type { Tensor } from "../tensor.js";
import { Chart } from "./chart.js";
import { compact, extent, toMatrix } from "./data.js";
import { labelWidth } from "./render.js";
import { type ChartOptions, type Row, topLevel, type VegaLiteSpec } from "./spec.js";

export interface HeatmapOptions extends ChartOptions {
  /** Names of the rows (top to bottom) and columns (left to right); default 0, 1, … */
  rowLabels?: readonly string[];
  colLabels?: readonly string[];
  xLabel?: string;
  yLabel?: string;
  /** The colour legend's title (default "value"). */
  colorLabel?: string;
  /** Print each cell's value on it: by default when every label fits its cell; never where it does not. */
  showValues?: boolean;
  /** Decimals of the printed values (default: 3 significant digits of the largest; integers as they are). */
  decimals?: number;
  /** How a printed value reads, e.g. `(v) => `${(100 * v).toFixed(0)}%``; overrides `decimals`. */
  format?: (value: number) => string;
  /** A Vega colour scheme, e.g. "viridis", "blues" (default), "redblue". */
  scheme?: string;
}

const FONT_SIZE = 11;
/** Room one line of axis labels needs across it. */
const LINE_HEIGHT = 12;

/**
 * Heatmap of a matrix: weights, attention, a confusion matrix with its counts.
 * Example: `plot.heatmap(attention, { rowLabels: tokens, colLabels: tokens, decimals: 2, colorLabel: "weight" })`
 */
export function heatmap(matrix: Tensor | readonly (readonly number[])[], options: HeatmapOptions = {}): Chart {
  const m = toMatrix(matrix);
  const rowName = (i: number) => options.rowLabels?.[i] ?? String(i);
  const colName = (j: number) => options.colLabels?.[j] ?? String(j);
  const values: number[] = [];
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) values.push(m.at(i, j));
  const format = options.format ?? valueFormat(values, options.decimals);
  const rows: Row[] = [];
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) {
      const v = m.at(i, j);
      rows.push({ row: rowName(i), col: colName(j), value: compact(v), label: Number.isFinite(v) ? format(v) : "" });
    }
  const cellSize = Math.max(4, Math.min(40, Math.floor(360 / Math.max(m.rows, m.cols, 1))));
  const width = options.width ?? cellSize * m.cols;
  const height = options.height ?? cellSize * m.rows;
  const [cellWidth, cellHeight] = [width / Math.max(m.cols, 1), height / Math.max(m.rows, 1)];
  const widestLabel = Math.max(0, ...rows.map((r) => labelWidth(String(r.label), FONT_SIZE)));
  const fits = widestLabel <= cellWidth - 4 && FONT_SIZE + 2 <= cellHeight;
  const showValues = options.showValues !== false && fits;
  const rowOrder = Array.from({ length: m.rows }, (_, i) => rowName(i));
  const colOrder = Array.from({ length: m.cols }, (_, j) => colName(j));
  // Column names that do not fit under their cell are set at an angle, upright where cells are
  // narrower still, and where even upright lines would touch only every k-th is named.
  const widestName = Math.max(0, ...colOrder.map((c) => labelWidth(c, FONT_SIZE)));
  const labelAngle =
    widestName <= cellWidth - 2 ? 0 : cellWidth * Math.sin((40 * Math.PI) / 180) >= LINE_HEIGHT ? -40 : -90;
  const x = {
    field: "col",
    type: "ordinal",
    sort: colOrder,
    title: options.xLabel ?? null,
    axis: { labelAngle, ...everyKth(colOrder, cellWidth) },
  };
  const y = {
    field: "row",
    type: "ordinal",
    sort: rowOrder,
    title: options.yLabel ?? null,
    ...(cellHeight < LINE_HEIGHT ? { axis: everyKth(rowOrder, cellHeight) } : {}),
  };
  const colorLabel = options.colorLabel ?? "value";
  const cells: VegaLiteSpec = {
    mark: { type: "rect", tooltip: true },
    encoding: {
      x,
      y,
      color: { field: "value", type: "quantitative", title: colorLabel, scale: { scheme: options.scheme ?? "blues" } },
      tooltip: [
        { field: "row", type: "ordinal", title: options.yLabel ?? "row" },
        { field: "col", type: "ordinal", title: options.xLabel ?? "column" },
        { field: "value", type: "quantitative", title: colorLabel, format: ".6~g" },
      ],
    },
  };
  const finite = values.filter(Number.isFinite);
  const [lo, hi] = finite.length ? extent(finite) : [0, 0];
  const labels: VegaLiteSpec = {
    mark: { type: "text", fontSize: FONT_SIZE },
    encoding: {
      x,
      y,
      text: { field: "label" },
      // Dark cells get white text (the upper half of the colour range).
      color: { condition: { test: `datum.value > ${(lo + hi) / 2}`, value: "white" }, value: "black" },
    },
  };
  return new Chart(
    topLevel(
      { data: { values: rows }, width, height, ...(showValues ? { layer: [cells, labels] } : cells) },
      options,
      false,
    ),
  );
}

/** The axis `values` naming every k-th of `names` when cells of `cell` pixels are too thin for each. */
function everyKth(names: readonly string[], cell: number): { values?: string[] } {
  if (cell >= LINE_HEIGHT) return {};
  const k = Math.ceil(LINE_HEIGHT / Math.max(cell, 1));
  return { values: names.filter((_, i) => i % k === 0) };
}

/** Integers as they are; otherwise a fixed number of decimals: `decimals`, or 3 significant digits of the largest value (at most 4). */
function valueFormat(values: readonly number[], decimals: number | undefined): (v: number) => string {
  const finite = values.filter(Number.isFinite);
  if (decimals === undefined && finite.every(Number.isInteger)) return (v) => String(v);
  const largest = Number(Math.max(0, ...finite.map(Math.abs)).toPrecision(3)); // 0.9999 reads 1.00
  const places = decimals ?? (largest === 0 ? 0 : Math.min(4, Math.max(0, 2 - Math.floor(Math.log10(largest)))));
  return (v) => {
    const text = v.toFixed(places);
    return /^-0\.?0*$/.test(text) ? text.slice(1) : text; // no "-0.00"
  };
}
