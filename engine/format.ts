// PyTorch-style text form of a tensor: `tensor([[1.0000, 2.0000]], requiresGrad=true)`.
// One width for every element, rows on their own lines, "..." past 1000 elements.
import type { Tensor } from "./tensor.js";

const SUMMARIZE_ABOVE = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 80;

/** The repr of a tensor (what `toString()` and console.log show). */
export function formatTensor(t: Tensor): string {
  const prefix = "tensor(";
  const summarize = t.numel() > SUMMARIZE_ABOVE;
  const formatValue = valueFormatter(t, summarize);
  let width = 0;
  forEachShown(t, summarize, (v) => {
    width = Math.max(width, formatValue(v).length);
  });
  const body = formatBlock(t, 0, 0, summarize, (v) => formatValue(v).padStart(width), prefix.length);
  const suffix: string[] = [];
  if (t.dtype !== "float32") suffix.push(`dtype=${t.dtype}`);
  if (t.node) suffix.push(`gradFn=<${t.op}>`);
  else if (t.requiresGrad) suffix.push("requiresGrad=true");
  return `${prefix}${body}${suffix.map((s) => `, ${s}`).join("")})`;
}

function valueFormatter(t: Tensor, summarize: boolean): (v: number) => string {
  if (t.dtype === "int32") return (v) => String(v);
  let maxAbs = 0;
  let minAbs = Infinity;
  forEachShown(t, summarize, (v) => {
    const a = Math.abs(v);
    if (!Number.isFinite(a) || a === 0) return;
    maxAbs = Math.max(maxAbs, a);
    minAbs = Math.min(minAbs, a);
  });
  // PyTorch switches to scientific notation when fixed 4 decimals would hide the values.
  const scientific = maxAbs > 0 && (maxAbs >= 1e8 || minAbs < 1e-4 || maxAbs / minAbs > 1000);
  return (v) => {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (!scientific) return v.toFixed(4);
    const [mantissa, exponent] = v.toExponential(4).split("e");
    const e = Number(exponent);
    return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  };
}

/** The indices shown along a dimension of size n (all, or the edges when summarising). */
function shownIndices(n: number, summarize: boolean): (number | null)[] {
  if (!summarize || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i);
  const head = Array.from({ length: EDGE_ITEMS }, (_, i) => i);
  const tail = Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i);
  return [...head, null, ...tail];
}

function strideOf(shape: readonly number[], dim: number): number {
  let s = 1;
  for (let d = dim + 1; d < shape.length; d++) s *= shape[d]!;
  return s;
}

function forEachShown(t: Tensor, summarize: boolean, visit: (v: number) => void): void {
  const walk = (dim: number, offset: number): void => {
    if (dim === t.shape.length) {
      visit(t.data[offset]!);
      return;
    }
    const stride = strideOf(t.shape, dim);
    for (const i of shownIndices(t.shape[dim]!, summarize)) if (i !== null) walk(dim + 1, offset + i * stride);
  };
  walk(0, 0);
}

function formatBlock(
  t: Tensor,
  dim: number,
  offset: number,
  summarize: boolean,
  formatValue: (v: number) => string,
  indent: number,
): string {
  const ndim = t.shape.length;
  if (dim === ndim) return formatValue(t.data[offset]!);
  const stride = strideOf(t.shape, dim);
  const indices = shownIndices(t.shape[dim]!, summarize);
  if (dim === ndim - 1) {
    // Innermost row: values separated by ", ", wrapped at the line width.
    const items = indices.map((i) => (i === null ? " ..." : formatValue(t.data[offset + i]!)));
    const lines: string[] = [];
    let line = "";
    for (const item of items) {
      const next = line === "" ? item : `${line}, ${item}`;
      if (line !== "" && indent + 1 + next.length + 2 > LINE_WIDTH) {
        lines.push(`${line},`);
        line = item;
      } else line = next;
    }
    lines.push(line);
    return `[${lines.join(`\n${" ".repeat(indent + 1)}`)}]`;
  }
  const separator = `,${"\n".repeat(ndim - dim - 1)}${" ".repeat(indent + 1)}`;
  const parts = indices.map((i) =>
    i === null ? "..." : formatBlock(t, dim + 1, offset + i * stride, summarize, formatValue, indent + 1),
  );
  return `[${parts.join(separator)}]`;
}
