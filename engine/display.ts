// How an engine object shows itself in a notebook: `[Symbol.for("Jupyter.display")]()` returns
// a MIME bundle, or `{ data, metadata }` (the protocol Deno's kernel uses, so libraries can
// target both). Charts, models, tables and progress bars build their own bundles with it;
// the kernel's formatter chain asks it first and formats only plain values itself.

/** The method name a self-displaying object defines. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** MIME type → payload (text, base64 for images, JSON for `+json` types). */
export type MimeBundle = Record<string, unknown>;

/** A bundle with its metadata (e.g. an image's 1× size), as `display_data` carries it. */
export interface DisplayData {
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
