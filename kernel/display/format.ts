// value → MIME bundle through an ordered chain of formatters; the first that recognises the
// value wins. One rule: objects that know how they look (charts, models, tables, progress
// bars, any library's) display themselves through Symbol.for("Jupyter.display"), asked first;
// the rest of the chain formats plain values only: tensors by structure, plain Vega-Lite
// specs, JSON, text.
import type { FormattedValue, Formatter } from "./bundle.js";
import { displaySymbolFormatter } from "./formatters/display-symbol.js";
import { jsonFormatter } from "./formatters/json.js";
import { tensorFormatter } from "./formatters/tensor.js";
import { tensorHtmlFormatter } from "./formatters/tensor-html.js";
import { plainText, textFormatter } from "./formatters/text.js";
import { vegaLiteFormatter } from "./formatters/vega-lite.js";

export type { FormattedValue, Formatter, MimeBundle } from "./bundle.js";

/** The chain, most specific first; `textFormatter` always answers, so it is last. */
export const FORMATTERS: readonly Formatter[] = [
  displaySymbolFormatter,
  tensorHtmlFormatter,
  tensorFormatter,
  vegaLiteFormatter,
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
