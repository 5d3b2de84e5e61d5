// A model as a notebook shows it: a table of layers — name and type, output shape, parameter
// count (Keras' model.summary(), the table students compare with the network they drew) —
// then the model's repr and its parameter table, with the totals once. Output shapes are exact
// for a chain of layers whose first takes `inFeatures` (a one-row batch is run through it,
// without gradients); for other models a layer with `outFeatures` shows `[*, n]`, a convolution
// `[*, channels, …]` (its spatial size depends on the input's), others "—".
import { noGrad } from "../autograd.js";
import type { DisplayData } from "../display.js";
import { escapeHtml } from "../html.js";
import { Tensor } from "../tensor.js";
import type { Module } from "./module.js";
import { summaryHtml } from "./summary.js";

/** One layer of a model, as the layer table lists it. */
export interface LayerRow {
  layer: string;
  type: string;
  outputShape: string;
  parameters: number;
}

interface Sized {
  inFeatures?: unknown;
  outFeatures?: unknown;
  outChannels?: unknown;
}

/** Layer rows of a model. Example: `nn.layerRows(new nn.Sequential(new nn.Linear(4, 8)))[0].outputShape // "[*, 8]"` */
export function layerRows(model: Module): LayerRow[] {
  const children = model.namedChildren();
  const layers: [string, Module][] = children.length > 0 ? children : [["(model)", model]];
  const shapes = traceShapes(model, layers);
  return layers.map(([name, layer], i) => {
    const { outFeatures, outChannels } = layer as Sized;
    const known =
      typeof outFeatures === "number"
        ? `[*, ${outFeatures}]`
        : typeof outChannels === "number"
          ? `[*, ${outChannels}, …]`
          : "—";
    return {
      layer: name,
      type: layer.constructor.name,
      outputShape: shapes?.[i] ?? known,
      parameters: layer.namedParameters().reduce((n, [, p]) => n + p.numel(), 0),
    };
  });
}

/** The model's notebook bundle: the layer table, then its repr and parameter table. Example: `nn.modelDisplayData(model).data["text/plain"]` */
export function modelDisplayData(model: Module): DisplayData {
  const rows = layerRows(model);
  const parameters = model.namedParameters();
  const total = parameters.reduce((n, [, p]) => n + p.numel(), 0);
  const trainable = parameters.filter(([, p]) => p.requiresGrad).reduce((n, [, p]) => n + p.numel(), 0);
  const totals = `${model.constructor.name}: ${total.toLocaleString("en-US")} parameters (${trainable.toLocaleString("en-US")} trainable)`;
  return {
    // The parameter table's HTML ends with the totals line, so the layer table leaves it out.
    data: {
      "text/html": `${layerHtml(rows)}${summaryHtml(model)}`,
      "text/plain": `${layerText(rows, totals)}\n\n${String(model)}`,
    },
    metadata: {},
  };
}

// Batch dimension "*": the shapes hold for any batch size.
function traceShapes(model: Module, layers: [string, Module][]): string[] | undefined {
  const inFeatures = (layers[0]?.[1] as Sized | undefined)?.inFeatures;
  const chain = typeof (model as { length?: unknown }).length === "number"; // Sequential: forward = the layers in order
  if (!chain || typeof inFeatures !== "number") return undefined;
  try {
    return noGrad(() => {
      let x = Tensor.zeros([1, inFeatures]);
      return layers.map(([, layer]) => {
        x = layer.forward(x) as Tensor;
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

function layerHtml(rows: LayerRow[]): string {
  const right = ' style="text-align:right"';
  const body = rows
    .map(
      (r) =>
        `<tr><td style="text-align:left"><code>${escapeHtml(r.layer)}</code> (${escapeHtml(r.type)})</td><td${right}>${r.outputShape}</td><td${right}>${r.parameters.toLocaleString("en-US")}</td></tr>`,
    )
    .join("");
  return `<table><thead><tr><th style="text-align:left">layer</th><th${right}>output shape</th><th${right}>parameters</th></tr></thead><tbody>${body}</tbody></table>`;
}

function layerText(rows: LayerRow[], totals: string): string {
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
