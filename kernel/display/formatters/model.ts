// A model as a cell's value: a summary table, one row per layer — its name and type, output
// shape and parameter count — with the totals (Keras' model.summary(), the table students
// compare with the network they drew). Output shapes are exact for a chain of layers whose
// first takes `inFeatures` (a one-row batch is run through it, without gradients); for other
// models a layer with `outFeatures` shows `[*, n]` and the others "—". Below the table, the
// model's own display (its repr and parameter table) follows. Modules are recognised by shape.

import { noGrad } from "../../../engine/autograd.js";
import { Tensor } from "../../../engine/tensor.js";
import type { FormattedValue } from "../bundle.js";

interface ModuleLike {
  namedChildren(): [string, ModuleLike][];
  namedParameters(): [string, Tensor][];
  forward?(x: Tensor): Tensor;
  inFeatures?: number;
  outFeatures?: number;
}

export interface LayerRow {
  layer: string;
  type: string;
  outputShape: string;
  parameters: number;
}

/** True for nn.Module instances (and anything shaped like one). */
export function isModuleLike(value: unknown): value is ModuleLike {
  if (value === null || typeof value !== "object") return false;
  const m = value as Partial<Record<keyof ModuleLike, unknown>>;
  return typeof m.namedChildren === "function" && typeof m.namedParameters === "function";
}

/** Layer rows of a model. Example: `layerRows(new nn.Sequential(new nn.Linear(4, 8)))[0].outputShape // "[*, 8]"` */
export function layerRows(model: ModuleLike): LayerRow[] {
  const children = model.namedChildren();
  const layers: [string, ModuleLike][] = children.length > 0 ? children : [["(model)", model]];
  const shapes = traceShapes(model, layers);
  return layers.map(([name, layer], i) => ({
    layer: name,
    type: layer.constructor.name,
    outputShape: shapes?.[i] ?? (typeof layer.outFeatures === "number" ? `[*, ${layer.outFeatures}]` : "—"),
    parameters: layer.namedParameters().reduce((n, [, p]) => n + p.size, 0),
  }));
}

/** Summary table + the model's own display, for modules. */
export function modelFormatter(value: unknown): FormattedValue | undefined {
  if (!isModuleLike(value)) return undefined;
  const rows = layerRows(value);
  const parameters = value.namedParameters();
  const total = parameters.reduce((n, [, p]) => n + p.size, 0);
  const trainable = parameters.filter(([, p]) => p.requiresGrad).reduce((n, [, p]) => n + p.size, 0);
  const totals = `${value.constructor.name}: ${total.toLocaleString("en-US")} parameters (${trainable.toLocaleString("en-US")} trainable)`;
  const own = ownDisplay(value);
  return {
    data: {
      "text/html": `${summaryHtml(rows, totals)}${own?.["text/html"] ?? ""}`,
      "text/plain": `${summaryText(rows, totals)}\n\n${String(value)}`,
    },
    metadata: {},
  };
}

// Batch dimension "*": the shapes hold for any batch size.
function traceShapes(model: ModuleLike, layers: [string, ModuleLike][]): string[] | undefined {
  const first = layers[0]?.[1];
  const chain = typeof (model as { length?: unknown }).length === "number"; // Sequential: forward = the layers in order
  if (!chain || typeof first?.inFeatures !== "number" || !layers.every(([, l]) => typeof l.forward === "function"))
    return undefined;
  try {
    return noGrad(() => {
      let x = Tensor.zeros([1, first.inFeatures!]);
      return layers.map(([, layer]) => {
        x = layer.forward!(x);
        return `[*${x.shape
          .slice(1)
          .map((d) => `, ${d}`)
          .join("")}]`;
      });
    });
  } catch {
    return undefined; // a layer that needs other input (embeddings of token ids): no shapes
  }
}

function ownDisplay(value: object): Record<string, string> | undefined {
  const method = (value as Record<symbol, unknown>)[Symbol.for("Jupyter.display")];
  if (typeof method !== "function") return undefined;
  const out: unknown = method.call(value);
  return out && typeof out === "object" ? (out as Record<string, string>) : undefined;
}

function summaryHtml(rows: LayerRow[], totals: string): string {
  const right = ' style="text-align:right"';
  const body = rows
    .map(
      (r) =>
        `<tr><td style="text-align:left"><code>${escapeHtml(r.layer)}</code> (${escapeHtml(r.type)})</td><td${right}>${r.outputShape}</td><td${right}>${r.parameters.toLocaleString("en-US")}</td></tr>`,
    )
    .join("");
  return `<table><thead><tr><th style="text-align:left">layer</th><th${right}>output shape</th><th${right}>parameters</th></tr></thead><tbody>${body}</tbody></table><p>${escapeHtml(totals)}</p>`;
}

function summaryText(rows: LayerRow[], totals: string): string {
  const cells = [
    ["layer", "output shape", "parameters"],
    ...rows.map((r) => [`${r.layer} (${r.type})`, r.outputShape, r.parameters.toLocaleString("en-US")]),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...cells.map((row) => row[c]!.length)));
  const lines = cells.map(
    (row) => `${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padStart(widths[1]!)}  ${row[2]!.padStart(widths[2]!)}`,
  );
  return [...lines, totals].join("\n");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
