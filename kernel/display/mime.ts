// Bundles for the `display.html/markdown/svg/png/json` helpers. Each carries a `text/plain`
// fallback so text-only clients (jupyter console, nbconvert --to markdown) show something.
import type { FormattedValue } from "./bundle.js";

/** An HTML fragment. Example: `htmlBundle("<b>hi</b>")` */
export function htmlBundle(html: string): FormattedValue {
  return { data: { "text/html": html, "text/plain": "<HTML>" }, metadata: {} };
}

/** Markdown text. Example: `markdownBundle("# Title")` */
export function markdownBundle(markdown: string): FormattedValue {
  return { data: { "text/markdown": markdown, "text/plain": markdown }, metadata: {} };
}

/** An SVG document. Example: `svgBundle("<svg xmlns='http://www.w3.org/2000/svg'/>")` */
export function svgBundle(svg: string): FormattedValue {
  return { data: { "image/svg+xml": svg, "text/plain": "<SVG image>" }, metadata: {} };
}

/** A PNG image from bytes or base64 text. Example: `pngBundle(readFileSync("plot.png"))` */
export function pngBundle(png: Uint8Array | ArrayBuffer | string): FormattedValue {
  const base64 =
    typeof png === "string"
      ? png.replace(/^data:image\/png;base64,/, "")
      : Buffer.from(png as Uint8Array).toString("base64");
  return { data: { "image/png": base64, "text/plain": "<PNG image>" }, metadata: {} };
}

/** Any JSON value as `application/json`. Example: `jsonBundle({ a: 1 })` */
export function jsonBundle(value: unknown): FormattedValue {
  const json: unknown = JSON.parse(JSON.stringify(value) ?? "null");
  return { data: { "application/json": json, "text/plain": JSON.stringify(json, null, 2) }, metadata: {} };
}
