// What every chart spec shares: the Vega-Lite v5 schema URL (JupyterLab 4.6 renders v5 with
// its bundled Vega-Lite 5.6.1, so builders use nothing newer) and the default look.

/** A Vega-Lite spec as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

/** One data row of a chart. */
export type Row = Record<string, number | string | boolean | null>;

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** Default chart size in CSS pixels: readable in a notebook column. */
export const WIDTH = 400;
export const HEIGHT = 250;

/** Options most builders accept. */
export interface ChartOptions {
  title?: string;
  width?: number;
  height?: number;
}

/** A top-level spec: schema, size and title added to `body`. */
export function topLevel(body: VegaLiteSpec, options: ChartOptions = {}, sized = true): VegaLiteSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title === undefined ? {} : { title: options.title }),
    ...(sized ? { width: options.width ?? WIDTH, height: options.height ?? HEIGHT } : {}),
    ...body,
  };
}

/** True for a Vega-Lite v5 spec (what `vegaLite()` accepts and notebooks can render). */
export function isVegaLiteV5Spec(value: unknown): value is VegaLiteSpec {
  if (value === null || typeof value !== "object") return false;
  const schema = (value as { $schema?: unknown }).$schema;
  return typeof schema === "string" && /\/vega-lite\/v5(\.\d+){0,2}\.json$/.test(schema);
}

/** A spec without the top-level-only keys, so it can sit inside layer/concat. */
export function innerSpec(spec: VegaLiteSpec): VegaLiteSpec {
  const { $schema: _schema, config: _config, ...rest } = spec;
  return rest;
}
