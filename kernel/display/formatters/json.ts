// Plain objects and arrays: `application/json` (JupyterLab shows a collapsible tree) plus text.
import type { FormattedValue } from "../bundle.js";
import { plainText } from "./text.js";

/** True for `{...}` literals and `Object.create(null)`, not class instances. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Plain objects / arrays that survive a JSON round trip (no cycles, no BigInt). */
export function jsonFormatter(value: unknown): FormattedValue | undefined {
  if (!Array.isArray(value) && !isPlainObject(value)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(JSON.stringify(value));
  } catch {
    return undefined; // cycles, BigInt: text only
  }
  return { data: { "application/json": json, "text/plain": plainText(value) }, metadata: {} };
}
