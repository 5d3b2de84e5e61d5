// nn.Sequential: layers applied one after another. The layers sit in numbered fields (0, 1, 2…)
// so the module discovers them like any other and names their parameters `0.weight`, `2.bias`,
// exactly as PyTorch does; `seq[i]` reads a layer.

import type { Tensor } from "../tensor.js";
import { Module } from "./module.js";

/** A module with a one-input forward: what Sequential can chain. */
export type Layer = Module & { forward(x: Tensor): Tensor };

/**
 * Chains layers: forward(x) = layerN(…layer1(x)).
 * Example: `const model = new nn.Sequential(new nn.Linear(4, 10), new nn.ReLU(), new nn.Linear(10, 1))`
 */
export class Sequential extends Module implements Iterable<Layer> {
  [index: number]: Layer;

  constructor(...layers: Layer[]) {
    super();
    for (const layer of layers) this.append(layer);
  }

  /** How many layers. Example: `model.length // 3` */
  get length(): number {
    let n = 0;
    while (this[n] !== undefined) n++;
    return n;
  }

  /** The layer at `i` (negative counts from the end). Example: `model.at(-1)` */
  at(i: number): Layer {
    const n = this.length;
    const layer = this[i < 0 ? n + i : i];
    if (layer === undefined) throw new RangeError(`Sequential: index ${i} is out of range for ${n} layers`);
    return layer;
  }

  /** Adds a layer at the end. Example: `model.append(new nn.Sigmoid())` */
  append(layer: Layer): this {
    const at = this.length;
    if (!(layer instanceof Module) || typeof (layer as { forward?: unknown }).forward !== "function") {
      throw new TypeError(`Sequential: item ${at} is not a layer with forward(x) (got ${String(layer)})`);
    }
    this[at] = layer;
    return this;
  }

  /** Runs every layer in order. Example: `model.forward(x)` */
  forward(x: Tensor): Tensor {
    let out = x;
    for (const layer of this) out = layer.forward(out);
    return out;
  }

  *[Symbol.iterator](): Iterator<Layer> {
    for (let i = 0; this[i] !== undefined; i++) yield this[i]!;
  }
}
