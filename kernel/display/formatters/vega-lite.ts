// A plain Vega-Lite v5 spec as a cell's value (hand-written JSON, or a spec read from a file)
// shows as the chart it describes: the engine's Chart builds the bundle, as it does for every
// chart, so plain specs and plot.* charts look the same in every front end.
import { vegaLite } from "../../../engine/plot/chart.js";
import { isVegaLiteV5Spec } from "../../../engine/plot/spec.js";
import type { FormattedValue } from "../bundle.js";

/** Vega-Lite + PNG + text for a plain v5 spec; undefined for anything else. */
export function vegaLiteFormatter(value: unknown): FormattedValue | undefined {
  return isVegaLiteV5Spec(value) ? vegaLite(value).displayData() : undefined;
}
