// The last resort: Node's own `util.inspect`, as the REPL shows values.
import { inspect } from "node:util";
import type { FormattedValue } from "../bundle.js";

/** `util.inspect` without colours (notebooks store the text; ANSI codes would show as junk). */
export function plainText(value: unknown): string {
  return inspect(value, { colors: false, depth: 4, maxArrayLength: 100, breakLength: 100 });
}

/** `text/plain` via `util.inspect`, for any value. */
export function textFormatter(value: unknown): FormattedValue {
  return { data: { "text/plain": plainText(value) }, metadata: {} };
}
