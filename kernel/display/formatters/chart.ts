// Hand-written Vega-Lite v5 specs (plain objects with the v5 `$schema`) show as charts, not as
// a JSON tree. Chart objects from `plot.*` render themselves through the display symbol; both
// end in the engine's one chart bundle (Vega-Lite + 2× PNG + text, PROTOCOL.md).
import type { FormattedValue } from "../bundle.js";
import { chartBundle } from "../../../engine/plot/chart.js";
import { isVegaLiteV5Spec } from "../../../engine/plot/spec.js";

/** A bundle for a raw Vega-Lite v5 spec; undefined for anything else. */
export function chartFormatter(value: unknown): FormattedValue | undefined {
  if (!isVegaLiteV5Spec(value)) return undefined;
  return chartBundle(value);
}
