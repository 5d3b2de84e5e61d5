// Charts: a Vega-Lite v5 spec, or any object carrying one in `spec` (plot.* charts, live charts),
// shows as one bundle (PROTOCOL.md "Display MIME bundles"): Vega-Lite JSON for JupyterLab, a 2×
// PNG rendered here for every other client (1× size in metadata), a line of text; never
// text/html, which JupyterLab and nbconvert rank above Vega-Lite. SVG only when a chart asks.

import { describeChart } from "../../../engine/plot/chart.js";
import { renderPng, renderSvg } from "../../../engine/plot/render.js";
import { isVegaLiteV5Spec, type VegaLiteSpec } from "../../../engine/plot/spec.js";
import type { FormattedValue } from "../bundle.js";

const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/** What a chart may say about its own bundle (plot.* charts carry these flags). */
interface ChartLike {
  spec: VegaLiteSpec;
  includePng?: boolean;
  includeSvg?: boolean;
}

/** A chart bundle for a spec or a chart object; undefined for anything else. */
export function chartFormatter(value: unknown): FormattedValue | undefined {
  const chart = asChart(value);
  return chart && chartBundle(chart.spec, { png: chart.includePng !== false, svg: chart.includeSvg === true });
}

/** Vega-Lite + (2× PNG with its 1× size) + text (+ SVG on request). */
export function chartBundle(spec: VegaLiteSpec, { png = true, svg = false } = {}): FormattedValue {
  const data: Record<string, unknown> = { [VEGA_LITE_MIME]: spec, "text/plain": describeChart(spec) };
  const metadata: Record<string, unknown> = {};
  if (png) {
    const image = renderPng(spec, 2);
    data["image/png"] = Buffer.from(image.data).toString("base64");
    metadata["image/png"] = { width: image.width, height: image.height };
  }
  if (svg) data["image/svg+xml"] = renderSvg(spec).data;
  return { data, metadata };
}

function asChart(value: unknown): ChartLike | undefined {
  if (isVegaLiteV5Spec(value)) return { spec: value };
  if (typeof value !== "object" || value === null || !("spec" in value)) return undefined;
  const spec = (value as { spec: unknown }).spec;
  return isVegaLiteV5Spec(spec) ? (value as ChartLike) : undefined;
}
