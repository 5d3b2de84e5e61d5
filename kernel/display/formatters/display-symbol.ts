// Objects that render themselves: `[Symbol.for("Jupyter.display")]()` returns a MIME bundle,
// or `{ data, metadata }`. The same protocol as Deno's kernel, so libraries can target both.
import type { FormattedValue, MimeBundle } from "../bundle.js";

export const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/** Calls the value's display method, if it has one. */
export function displaySymbolFormatter(value: unknown): FormattedValue | undefined {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
  const method = (value as Record<symbol, unknown>)[JUPYTER_DISPLAY];
  if (typeof method !== "function") return undefined;
  const output: unknown = method.call(value);
  if (output === null || typeof output !== "object") return undefined;
  return isDataAndMetadata(output)
    ? { data: { ...output.data }, metadata: { ...(output.metadata ?? {}) } }
    : { data: { ...(output as MimeBundle) }, metadata: {} };
}

// `{ data: {...}, metadata?: {...} }` rather than a bundle: MIME types always contain a "/".
function isDataAndMetadata(output: object): output is { data: MimeBundle; metadata?: Record<string, unknown> } {
  const keys = Object.keys(output);
  const data = (output as { data?: unknown }).data;
  return data !== null && typeof data === "object" && keys.every((k) => k === "data" || k === "metadata");
}
