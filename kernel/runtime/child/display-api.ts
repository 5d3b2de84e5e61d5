// The display API every cell sees: `display(value, { id, raw, metadata })` returning a handle
// that can `update()` the same output later (transient.display_id), `display.html/markdown/
// svg/png/json`, and `clearOutput({ wait })`.
import { randomUUID } from "node:crypto";
import { type FormattedValue, format, type MimeBundle } from "../../display/format.js";
import { htmlBundle, jsonBundle, markdownBundle, pngBundle, svgBundle } from "../../display/mime.js";
import type { DisplayEvent } from "../interpreter.js";

export interface DisplayOptions {
  /** The display_id to use (a fresh one by default), e.g. to update it from a later cell. */
  id?: string;
  /** The value is a MIME bundle already: send it as it is. */
  raw?: boolean;
  metadata?: Record<string, unknown>;
}

/** What `display()` returns. A cell ending in `display(x)` shows the display, not the handle. */
export class DisplayHandle {
  constructor(
    readonly id: string,
    private readonly sendUpdate: (
      value: unknown,
      options: { raw?: boolean; metadata?: Record<string, unknown> },
    ) => void,
    private readonly clear: (options?: { wait?: boolean }) => void,
  ) {}

  /** Replaces this output's content in place. */
  update(value: unknown, options: { raw?: boolean; metadata?: Record<string, unknown> } = {}): void {
    this.sendUpdate(value, options);
  }

  /** Clears the cell's output (`wait`: only once new output arrives, to avoid flicker). */
  clearOutput(options?: { wait?: boolean }): void {
    this.clear(options);
  }
}

export interface DisplaySink {
  display(event: DisplayEvent): void;
  clearOutput(wait: boolean): void;
}

export type DisplayFunction = ((value: unknown, options?: DisplayOptions) => DisplayHandle) & {
  html(html: string, options?: DisplayOptions): DisplayHandle;
  markdown(markdown: string, options?: DisplayOptions): DisplayHandle;
  svg(svg: string, options?: DisplayOptions): DisplayHandle;
  png(png: Uint8Array | ArrayBuffer | string, options?: DisplayOptions): DisplayHandle;
  json(value: unknown, options?: DisplayOptions): DisplayHandle;
};

/** The `display` and `clearOutput` globals, sending through `sink`. */
export function createDisplayApi(sink: DisplaySink): {
  display: DisplayFunction;
  clearOutput: (options?: { wait?: boolean }) => void;
} {
  const clearOutput = (options: { wait?: boolean } = {}): void => sink.clearOutput(Boolean(options.wait));

  const bundleOf = (
    value: unknown,
    raw: boolean | undefined,
    metadata: Record<string, unknown> | undefined,
  ): FormattedValue => {
    const formatted = raw ? { data: checkedBundle(value), metadata: {} } : format(value);
    return { data: formatted.data, metadata: { ...formatted.metadata, ...(metadata ?? {}) } };
  };

  const show = (formatted: FormattedValue, options: DisplayOptions = {}): DisplayHandle => {
    const id = options.id ?? randomUUID();
    const metadata = { ...formatted.metadata, ...(options.metadata ?? {}) };
    sink.display({ data: formatted.data, metadata, displayId: id, update: false });
    const update = (value: unknown, updateOptions: { raw?: boolean; metadata?: Record<string, unknown> }) => {
      const next = bundleOf(value, updateOptions.raw, updateOptions.metadata);
      sink.display({ data: next.data, metadata: next.metadata, displayId: id, update: true });
    };
    return new DisplayHandle(id, update, clearOutput);
  };

  const display = ((value: unknown, options: DisplayOptions = {}) =>
    show(bundleOf(value, options.raw, undefined), options)) as DisplayFunction;
  display.html = (html, options) => show(htmlBundle(String(html)), options);
  display.markdown = (markdown, options) => show(markdownBundle(String(markdown)), options);
  display.svg = (svg, options) => show(svgBundle(String(svg)), options);
  display.png = (png, options) => show(pngBundle(png), options);
  display.json = (value, options) => show(jsonBundle(value), options);
  return { display, clearOutput };
}

function checkedBundle(value: unknown): MimeBundle {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(
      'display(value, { raw: true }): value must be a MIME bundle such as { "text/html": "<b>hi</b>" }',
    );
  }
  return { ...(value as MimeBundle) };
}
