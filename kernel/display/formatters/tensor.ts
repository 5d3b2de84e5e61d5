// Tensors, recognised by shape (shape + dtype + data) rather than by class, so kernel/display
// needs nothing from engine/. The engine's own `toString()` is PyTorch's repr; for other
// tensor-like objects we print a PyTorch-like one ourselves.
import type { FormattedValue } from "../bundle.js";

export interface TensorLike {
  shape: readonly number[];
  dtype: string;
  data: ArrayLike<number>;
}

/** Has an integer `shape`, a string `dtype` and `data` with one element per shape cell. */
export function isTensorLike(value: unknown): value is TensorLike {
  if (value === null || typeof value !== "object") return false;
  const { shape, dtype, data } = value as Partial<TensorLike>;
  if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 0)) return false;
  if (typeof dtype !== "string" || data === null || typeof data !== "object") return false;
  if (typeof (data as ArrayLike<number>).length !== "number") return false;
  return (data as ArrayLike<number>).length === shape.reduce((a, b) => a * b, 1);
}

/** `text/plain` like PyTorch: `tensor([[1.0000, 2.0000], ...])`. */
export function tensorFormatter(value: unknown): FormattedValue | undefined {
  if (!isTensorLike(value)) return undefined;
  const own = (value as { toString?: () => string }).toString;
  const text = typeof own === "function" && own !== Object.prototype.toString ? String(value) : tensorRepr(value);
  return { data: { "text/plain": text }, metadata: {} };
}

/** A PyTorch-style repr for tensor-like objects without a `toString` of their own. */
export function tensorRepr(t: TensorLike): string {
  const integral = t.dtype.startsWith("int") || t.dtype === "bool";
  const values = Array.from(t.data, (v) => (integral ? String(v) : formatFloat(v)));
  const width = Math.max(0, ...values.map((v) => v.length));
  const padded = values.map((v) => v.padStart(width));
  const prefix = "tensor(";
  const body = nest(padded, t.shape, 0, 0, prefix.length + 1);
  const dtype = t.dtype === "float32" || t.dtype === "int32" ? "" : `, dtype=${t.dtype}`;
  return `${prefix}${body}${dtype})`;
}

function formatFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  return v.toFixed(4);
}

function nest(values: string[], shape: readonly number[], dim: number, offset: number, indent: number): string {
  if (shape.length === 0) return values[0] ?? "";
  const count = shape[dim]!;
  const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  if (dim === shape.length - 1) return `[${values.slice(offset, offset + count).join(", ")}]`;
  const rows: string[] = [];
  for (let i = 0; i < count; i++) rows.push(nest(values, shape, dim + 1, offset + i * stride, indent + 1));
  const separator = `,${"\n".repeat(shape.length - dim - 1)}${" ".repeat(indent)}`;
  return `[${rows.join(separator)}]`;
}
