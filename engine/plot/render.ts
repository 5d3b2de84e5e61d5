// Vega-Lite spec → SVG (Vega's headless SVG renderer) → PNG (resvg), synchronously, so a chart
// can render inside `format()` and the display protocol, which are synchronous. Inline data
// only: Vega evaluates a dataflow with no loads in one synchronous pass (vega-dataflow's
// `evaluate` awaits nothing before its operator loop), so the scenegraph is ready once it is run
// (synchronous-view.ts).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as ResvgModule from "@resvg/resvg-js";
import type * as VegaModule from "vega";
import type * as VegaLiteModule from "vega-lite";
import { withoutUnwinding } from "../interrupt.js";
import { fontFallback, withFallbackWidths } from "./fallback-fonts.js";
import { rasterize } from "./rasterizer.js";
import type { VegaLiteSpec } from "./spec.js";
import { runSynchronously } from "./synchronous-view.js";
import { type FontWidths, fontWidths, textWidth } from "./text-width.js";

const require = createRequire(import.meta.url);

// Loaded on the first render, not with the engine: Vega alone takes ~0.3 s to load, and most
// cells never draw.
let libraries:
  | { vega: typeof VegaModule; vegaLite: typeof VegaLiteModule; Resvg: typeof ResvgModule.Resvg }
  | undefined;
// Never unwound midway by an interrupt: a module terminated while it evaluates stays half-made
// in Node's cache (an interrupted first chart left `Resvg` undefined for the rest of the session).
function load(): NonNullable<typeof libraries> {
  if (libraries) return libraries;
  libraries = withoutUnwinding(() => {
    const loaded = {
      vega: require("vega") as typeof VegaModule,
      vegaLite: require("vega-lite") as typeof VegaLiteModule,
      Resvg: (require("@resvg/resvg-js") as typeof ResvgModule).Resvg,
    };
    measureTextWithFont(loaded.vega);
    return loaded;
  });
  return libraries;
}

/** Loads Vega, Vega-Lite and resvg now rather than at the first render (~0.3 s). Example: `prepareRenderer()` */
export function prepareRenderer(): void {
  load();
}

let widths: { regular: FontWidths; bold: FontWidths } | undefined;
function chartFontWidths(): { regular: FontWidths; bold: FontWidths } {
  widths ??= {
    regular: withFallbackWidths(fontWidths(FONT_FILES[0]!)),
    bold: withFallbackWidths(fontWidths(FONT_FILES[1]!)),
  };
  return widths;
}

/** Width in pixels of `text` in the chart font. Example: `labelWidth("loss", 11) // 22.2` */
export function labelWidth(text: string, fontSize: number, bold = false): number {
  const { regular, bold: boldWidths } = chartFontWidths();
  return textWidth(bold ? boldWidths : regular, text, fontSize);
}

// Vega lays out labels with widths from the font resvg draws, not its 0.8 em guess.
function measureTextWithFont(vega: typeof VegaModule): void {
  const { regular, bold } = chartFontWidths();
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } })
    .textMetrics;
  metrics.width = (item, text) => {
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
    const weight = item.fontWeight;
    const widths = weight === "bold" || weight === "bolder" || Number(weight) >= 600 ? bold : regular;
    const width = textWidth(widths, text == null ? "" : String(text).trim(), size);
    return item.limit && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
}

interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
}

// The font ships in the repository (engine/plot/fonts: DejaVu Sans cut down to the characters
// charts use, see make-fonts.py), so a machine without system fonts still gets axis labels and
// every machine draws the same pixels. Text in other scripts (Chinese, Japanese, Korean) takes
// its glyphs from a fallback font (fallback-fonts.ts), loaded only for a chart that needs it.
const FONT_FAMILY = "tsgrad Sans";
const FONT_FILES = ["tsgradSans-Regular.ttf", "tsgradSans-Bold.ttf"].map((f) => join(fontDirectory(), f));

// Next to this file when run from source; the build (dist/engine/plot) does not copy fonts.
function fontDirectory(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "fonts"), join(here, "../../../engine/plot/fonts")];
  return candidates.find((dir) => existsSync(join(dir, "tsgradSans-Regular.ttf"))) ?? candidates[0]!;
}

/** A rendered chart: the image bytes and its size in CSS pixels (1×). */
export interface RenderedImage<Bytes> {
  data: Bytes;
  width: number;
  height: number;
}

/** The chart as an SVG document at 1×. Example: `renderSvg(plot.line([1, 2, 3]).spec).data` */
export function renderSvg(spec: VegaLiteSpec): RenderedImage<string> {
  const { vega } = load();
  const view = headlessView(spec);
  const internals = view as unknown as ViewInternals;
  const padding = internals.padding();
  const width = Math.max(0, internals._viewWidth + padding.left + padding.right);
  const height = Math.max(0, internals._viewHeight + padding.top + padding.bottom);
  const origin = internals._origin;
  const SvgRenderer = (vega as unknown as { SVGStringRenderer: new (loader: unknown) => SvgStringRenderer })
    .SVGStringRenderer;
  const renderer = new SvgRenderer(view.loader())
    .initialize(null, width, height, [padding.left + origin[0], padding.top + origin[1]], 1)
    .background(view.background());
  renderer.render(internals.scenegraph().root);
  const svg = renderer.svg();
  view.finalize();
  return { data: svg, width: Math.round(width), height: Math.round(height) };
}

// The parts of Vega's View and SVG renderer used here that its type declarations leave out.
interface ViewInternals {
  _viewWidth: number;
  _viewHeight: number;
  padding(): { left: number; right: number; top: number; bottom: number };
  _origin: [number, number];
  scenegraph(): { root: unknown };
}

interface SvgStringRenderer {
  initialize(el: null, width: number, height: number, origin: [number, number], scale: number): SvgStringRenderer;
  background(color: unknown): SvgStringRenderer;
  render(scene: unknown): SvgStringRenderer;
  svg(): string;
}

/** The chart as PNG bytes, `scale`× the CSS size (2 for sharp text on high-DPI screens). Example: `renderPng(spec).data` */
export function renderPng(spec: VegaLiteSpec, scale = 2): RenderedImage<Uint8Array> {
  const svg = renderSvg(spec);
  // resvg falls back glyph by glyph to any loaded font that has the character.
  const fallback = fontFallback(svg.data, chartFontWidths().regular);
  const options = {
    fitTo: { mode: "zoom" as const, value: scale },
    font: {
      loadSystemFonts: fallback.systemFonts,
      fontFiles: [...FONT_FILES, ...fallback.files],
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
      serifFamily: FONT_FAMILY,
      monospaceFamily: FONT_FAMILY,
    },
    logLevel: "off" as const,
  };
  const png = rasterize(svg.data, options, () => new (load().Resvg)(svg.data, options).render().asPng());
  return { data: png, width: svg.width, height: svg.height };
}

function headlessView(spec: VegaLiteSpec): VegaModule.View {
  const { vega, vegaLite } = load();
  const compiled = vegaLite.compile(staticSpec(spec) as unknown as VegaLiteModule.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.Error });
  return runSynchronously(vega, view);
}

/**
 * The spec without what only a browser uses — tooltips, selections (zoom/pan), ARIA labels —
 * so an image draws the same marks with less work (formatting a tooltip per point was a
 * quarter of a line chart's render time). Sliders (bound variable params) stay: filters read them.
 * Example: `staticSpec(plot.line([1, 2]).spec).params // []`
 */
export function staticSpec(spec: VegaLiteSpec): VegaLiteSpec {
  const text = JSON.stringify(spec);
  // A selection another part of the spec refers to (a condition, a filter) has to stay.
  const unused = (p: unknown) => {
    const { name, select } = (p ?? {}) as { name?: unknown; select?: unknown };
    return select !== undefined && typeof name === "string" && text.split(name).length === 2;
  };
  const strip = (value: unknown, key: string | undefined): unknown => {
    if (Array.isArray(value)) {
      if (key === "params") return value.filter((p) => !unused(p)).map((p) => strip(p, undefined));
      return value.map((v) => strip(v, undefined));
    }
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "tooltip" && key !== "data") continue;
      if (k === "values" && key === "data") {
        out[k] = v;
        continue;
      } // rows are data, not spec
      out[k] = strip(v, k);
    }
    return out;
  };
  const stripped = strip(spec, undefined) as VegaLiteSpec;
  const config = (stripped.config as Record<string, unknown> | undefined) ?? {};
  return { ...stripped, config: { ...config, aria: false } };
}
