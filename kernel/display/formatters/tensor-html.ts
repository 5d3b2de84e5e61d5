// A tensor as a cell's value: PyTorch's repr as text, and an HTML table with its shape, dtype
// and requiresGrad — every value when it is small enough to read, the corners otherwise.
// Recognised by shape (see tensor.ts), so kernel/display needs no engine class for it.
import { escapeHtml } from "../../../engine/html.js";
import type { FormattedValue } from "../bundle.js";
import { isTensorLike, type TensorLike, tensorFormatter } from "./tensor.js";

const MAX_ROWS = 20; // shown in full up to this; past it, the first and last EDGE_ROWS
const MAX_COLS = 16;
const EDGE_ROWS = 5;
const EDGE_COLS = 4;

/** `text/plain` (PyTorch repr) + `text/html` (a table) for tensors. */
export function tensorHtmlFormatter(value: unknown): FormattedValue | undefined {
  if (!isTensorLike(value)) return undefined;
  const text = tensorFormatter(value)!;
  return { data: { "text/html": tensorHtml(value), "text/plain": text.data["text/plain"] }, metadata: {} };
}

/** The HTML table: a caption line, then rows (leading dimensions flattened) by the last dimension. */
export function tensorHtml(t: TensorLike): string {
  const shape = t.shape;
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const rows = cols === 0 ? 0 : t.data.length / cols;
  const integral = t.dtype.startsWith("int") || t.dtype === "bool";
  const requiresGrad = (t as { requiresGrad?: unknown }).requiresGrad === true;
  const op = (t as { op?: unknown }).op;
  const caption = [
    `tensor of shape [${shape.join(", ")}]`,
    t.dtype,
    ...(requiresGrad
      ? [typeof op === "string" && op !== "" ? `requiresGrad (from ${escapeHtml(op)})` : "requiresGrad"]
      : []),
  ].join(" · ");
  const rowIndex = shownIndices(rows, MAX_ROWS, EDGE_ROWS);
  const colIndex = shownIndices(cols, MAX_COLS, EDGE_COLS);
  const leading = shape.slice(0, -1);
  const header =
    shape.length >= 1
      ? `<tr><th></th>${colIndex.map((j) => `<th style="text-align:right">${j ?? "…"}</th>`).join("")}</tr>`
      : "";
  const body = rowIndex
    .map((i) => {
      const label = shape.length <= 1 ? "" : i === null ? "…" : unravel(i, leading).join(", ");
      const cells = colIndex.map(
        (j) =>
          `<td style="text-align:right">${i === null || j === null ? "…" : formatNumber(t.data[i * cols + j]!, integral)}</td>`,
      );
      return `<tr>${shape.length >= 1 ? `<th style="text-align:right">${label}</th>` : ""}${cells.join("")}</tr>`;
    })
    .join("");
  return `<table><caption style="text-align:left;white-space:nowrap">${caption}</caption><thead>${header}</thead><tbody>${body}</tbody></table>`;
}

function shownIndices(n: number, max: number, edge: number): (number | null)[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: edge }, (_, i) => i), null, ...Array.from({ length: edge }, (_, i) => n - edge + i)];
}

function unravel(index: number, dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  for (let d = dims.length - 1; d >= 0; d--) {
    out[d] = index % dims[d]!;
    index = Math.floor(index / dims[d]!);
  }
  return out;
}

function formatNumber(v: number, integral: boolean): string {
  if (integral) return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e8) ? v.toExponential(4) : v.toFixed(4);
}
