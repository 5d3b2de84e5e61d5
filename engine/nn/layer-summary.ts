// A model as a notebook shows it: a table of layers — name and type, output shape, parameter
// count (Keras' model.summary(), the table students compare with the network they drew) —
// then the model's repr and its parameter table, with the totals once. Output shapes are exact
// for a chain of layers whose first takes `inFeatures` (a one-row batch is run through it,
// without gradients), and for any model given the shape of an input (`nn.summary(model,
// [1, 1, 28, 28])`, as torchinfo's summary(model, input_size)): zeros of that shape run through
// it in eval mode and each layer's outputs are recorded on the way. Otherwise a layer with
// `outFeatures` shows `[*, n]`, a convolution `[*, channels, …]` (its spatial size depends on
// the input's), others "—".
import { noGrad } from "../autograd.js";
import { type DisplayData, JUPYTER_DISPLAY } from "../display.js";
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

/**
 * Layer rows of a model; with `input` (a sample input's shape) every layer's exact output shape.
 * Example: `nn.layerRows(new nn.Sequential(new nn.Linear(4, 8)))[0].outputShape // "[*, 8]"`
 */
export function layerRows(model: Module, input?: readonly number[]): LayerRow[] {
  const children = model.namedChildren();
  const layers: [string, Module][] = children.length > 0 ? children : [["(model)", model]];
  const shapes = input ? traceCalls(model, layers, input) : traceShapes(model, layers);
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
export function modelDisplayData(model: Module, input?: readonly number[]): DisplayData {
  const rows = layerRows(model, input);
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

/**
 * Each layer's output shapes, from zeros of shape `input` run through the model without
 * gradients and in eval mode (so dropout and batch norm's running statistics stay as they
 * were; every module's mode is restored after). A layer called more than once (one pooling
 * layer after two convolutions) lists each distinct shape, in order.
 */
function traceCalls(model: Module, layers: [string, Module][], input: readonly number[]): string[] {
  if (!Array.isArray(input) || input.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new TypeError(
      `summary: the input shape must be a list of sizes such as [1, 1, 28, 28], got ${JSON.stringify(input)}`,
    );
  }
  const seen = layers.map((): string[] => []);
  const batch = input.length >= 2 ? input[0] : undefined;
  const patched: Module[] = [];
  layers.forEach(([, layer], i) => {
    if (Object.hasOwn(layer, "forward")) return; // a forward set on the instance itself: leave it alone
    const forward = layer.forward;
    // A module is called through `this.forward`, so an own property records every call.
    Object.defineProperty(layer, "forward", {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        const out = forward.apply(layer, args as never);
        if (out instanceof Tensor) {
          const dims = out.shape.map((d, j) => (j === 0 && d === batch ? "*" : String(d)));
          const shape = `[${dims.join(", ")}]`;
          if (!seen[i]!.includes(shape)) seen[i]!.push(shape);
        }
        return out;
      },
    });
    patched.push(layer);
  });
  const modes = model.modules().map((m) => [m, m.training] as const);
  try {
    model.eval();
    noGrad(() => model(Tensor.zeros(input)));
  } catch (error) {
    throw new Error(
      `summary: an input of shape [${input.join(", ")}] does not run through ${model.constructor.name}: ${(error as Error).message}`,
    );
  } finally {
    for (const layer of patched) delete (layer as { forward?: unknown }).forward;
    for (const [m, training] of modes) m.training = training;
  }
  return seen.map((shapes) => (shapes.length > 0 ? shapes.join("; ") : "— (not called)"));
}

/** A model's summary for an input of the given shape: shown in a notebook as the layer table. */
export class ModelSummary {
  constructor(
    readonly model: Module,
    readonly input: readonly number[],
  ) {}

  toString(): string {
    return String(modelDisplayData(this.model, this.input).data["text/plain"]);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  [JUPYTER_DISPLAY](): DisplayData {
    return modelDisplayData(this.model, this.input);
  }
}

/**
 * The model's layers with the exact output shape of each for an input of shape `input` (as
 * torchinfo's summary(model, input_size)), its repr and its parameters.
 * Example: `nn.summary(model, [1, 1, 28, 28])`
 */
export function summary(model: Module, input: readonly number[]): ModelSummary {
  // Trace once now, so a shape that does not fit fails in the cell that asked.
  layerRows(model, input);
  return new ModelSummary(model, input);
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
