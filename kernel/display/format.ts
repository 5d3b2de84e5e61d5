// value → MIME bundle through an ordered chain of formatters; the first that recognises the
// value wins. Later formatters (Vega-Lite charts, tables, HTML tensor tables) slot into
// FORMATTERS at the place their precedence calls for.
import type { FormattedValue, Formatter } from "./bundle.js";
import { chartFormatter } from "./formatters/chart.js";
import { displaySymbolFormatter } from "./formatters/display-symbol.js";
import { jsonFormatter } from "./formatters/json.js";
import { modelFormatter } from "./formatters/model.js";
import { tensorFormatter } from "./formatters/tensor.js";
import { tensorHtmlFormatter } from "./formatters/tensor-html.js";
import { plainText, textFormatter } from "./formatters/text.js";

export type { FormattedValue, Formatter, MimeBundle } from "./bundle.js";

/** The chain, most specific first (a model's layer summary wraps its own display); `textFormatter` always answers, so it is last. */
export const FORMATTERS: readonly Formatter[] = [
  modelFormatter,
  displaySymbolFormatter,
  tensorHtmlFormatter,
  tensorFormatter,
  chartFormatter,
  jsonFormatter,
  textFormatter,
];

/** Formats a value as a MIME bundle that always holds `text/plain`. Example: `format({ a: 1 }).data["application/json"]` */
export function format(value: unknown, chain: readonly Formatter[] = FORMATTERS): FormattedValue {
  for (const formatter of chain) {
    const formatted = formatter(value);
    if (formatted) return withPlainText(formatted, value);
  }
  return textFormatter(value);
}

// Spec: execute_result must carry text/plain; every client can show it.
function withPlainText(formatted: FormattedValue, value: unknown): FormattedValue {
  if (typeof formatted.data["text/plain"] === "string") return formatted;
  return { data: { ...formatted.data, "text/plain": plainText(value) }, metadata: formatted.metadata };
}
