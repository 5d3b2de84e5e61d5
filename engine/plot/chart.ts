// A chart: a Vega-Lite spec that renders itself. `.png()` / `.svg()` give the images,
// `toString()` a one-line description, and `[Symbol.for("Jupyter.display")]()` the notebook
// bundle built from them (the messaging spec's `display_data`: one bundle, the front end picks the richest type it renders): Vega-Lite for JupyterLab, a 2×
// PNG for every other front end, a line of text; never text/html, which JupyterLab and
// nbconvert rank above Vega-Lite. SVG only when asked (older nbconvert HTML blanks it).
import { type DisplayData, JUPYTER_DISPLAY, type MimeBundle } from "../display.js";
import { renderPng, renderSvg } from "./render.js";
import { isVegaLiteV5Spec, type VegaLiteSpec } from "./spec.js";

/** The MIME type JupyterLab renders Vega-Lite 5 specs for. */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/** A Vega-Lite chart. Example: `plot.line([3, 2, 1]).spec.mark // { type: "line", … }` */
export class Chart {
  /** The Vega-Lite v5 spec (plain JSON: save it, edit it, paste it into the Vega editor). */
  readonly spec: VegaLiteSpec;
  /** Show an SVG copy in a notebook too (off by default: nbconvert < 7.7 blanks SVG). */
  includeSvg = false;

  constructor(spec: VegaLiteSpec) {
    if (!isVegaLiteV5Spec(spec)) {
      throw new TypeError(
        'vegaLite(spec): the spec needs $schema "https://vega.github.io/schema/vega-lite/v5.json" (notebooks render Vega-Lite 5)',
      );
    }
    this.spec = spec;
  }

  /** PNG bytes at `scale`× (2 by default). Example: `writeFileSync("loss.png", chart.png())` */
  png(scale = 2): Uint8Array {
    return renderPng(this.spec, scale).data;
  }

  /** An SVG document. Example: `writeFileSync("loss.svg", chart.svg())` */
  svg(): string {
    return renderSvg(this.spec).data;
  }

  /** Also show the SVG in the notebook (for a vector copy). Example: `plot.line(xs).withSvg()` */
  withSvg(): this {
    this.includeSvg = true;
    return this;
  }

  /** The notebook bundle: Vega-Lite + 2× PNG (1× size in metadata) + text (+ SVG on request). Example: `chart.displayData().metadata` */
  displayData(): DisplayData {
    const image = renderPng(this.spec, 2);
    const data: MimeBundle = {
      [VEGA_LITE_MIME]: this.spec,
      "image/png": Buffer.from(image.data).toString("base64"),
      "text/plain": describeChart(this.spec),
    };
    if (this.includeSvg) data["image/svg+xml"] = this.svg();
    return { data, metadata: { "image/png": { width: image.width, height: image.height } } };
  }

  [JUPYTER_DISPLAY](): DisplayData {
    return this.displayData();
  }

  /** One line: what the chart shows. Example: `String(plot.line([1, 2]))` */
  toString(): string {
    return describeChart(this.spec);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Wraps a hand-written Vega-Lite v5 spec as a chart. Example: `vegaLite({ $schema: "https://vega.github.io/schema/vega-lite/v5.json", mark: "bar", data: { values: [{ a: 1 }] }, encoding: { y: { field: "a", type: "quantitative" } } })` */
export function vegaLite(spec: VegaLiteSpec): Chart {
  return new Chart(spec);
}

/** `<Chart: Loss — line, 1,000 points>`: enough to recognise the chart in a text-only client. */
export function describeChart(spec: VegaLiteSpec): string {
  const title = titleText(spec.title);
  const marks = new Set<string>();
  let points = 0;
  const visit = (s: Record<string, unknown>): void => {
    const mark = s.mark;
    if (typeof mark === "string") marks.add(mark);
    else if (mark && typeof mark === "object" && typeof (mark as { type?: unknown }).type === "string")
      marks.add((mark as { type: string }).type);
    const values = (s.data as { values?: unknown } | undefined)?.values;
    if (Array.isArray(values)) points += values.length;
    for (const key of ["layer", "hconcat", "vconcat", "concat"]) {
      const children = s[key];
      if (Array.isArray(children)) for (const child of children) visit(child as Record<string, unknown>);
    }
    if (s.spec && typeof s.spec === "object") visit(s.spec as Record<string, unknown>);
  };
  visit(spec);
  const parts = [
    [...marks].join("+") || "chart",
    points > 0 ? `${points.toLocaleString("en-US")} data points` : "",
  ].filter(Boolean);
  return `<Chart${title ? `: ${title}` : ""} (${parts.join(", ")})>`;
}

function titleText(title: unknown): string {
  if (typeof title === "string") return title;
  if (Array.isArray(title)) return title.join(" ");
  if (title && typeof title === "object") return titleText((title as { text?: unknown }).text);
  return "";
}
