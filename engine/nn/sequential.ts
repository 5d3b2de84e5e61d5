// nn.Sequential: layers applied one after another. It is a ModuleList whose items all have a
// one-input forward: the layers sit in numbered fields (0, 1, 2…) so the module discovers them
// like any other and names their parameters `0.weight`, `2.bias`, exactly as PyTorch does;
// `seq[i]` reads a layer.

import type { Tensor } from "../tensor.js";
import { Module } from "./module.js";
import { ModuleList } from "./module-list.js";

/** A module with a one-input forward: what Sequential can chain. */
export interface Layer extends Module {
  forward(x: Tensor): Tensor;
}

/**
 * Chains layers: forward(x) = layerN(…layer1(x)).
 * Example: `const model = new nn.Sequential(new nn.Linear(4, 10), new nn.ReLU(), new nn.Linear(10, 1))`
 */
export class Sequential extends ModuleList<Layer> {
  constructor(...layers: Layer[]) {
    super(layers);
  }

  /** Adds a layer at the end. Example: `model.append(new nn.Sigmoid())` */
  override append(layer: Layer): this {
    if (!(layer instanceof Module) || typeof (layer as { forward?: unknown }).forward !== "function") {
      throw new TypeError(`Sequential: item ${this.length} is not a layer with forward(x) (got ${String(layer)})`);
    }
    return super.append(layer);
  }

  /** Runs every layer in order. Example: `model.forward(x)` */
  override forward(x: Tensor): Tensor {
    let out = x;
    // Indexed, not `for…of`: the generator cost more than a small layer's op.
    for (let i = 0; this[i] !== undefined; i++) out = this[i]!.forward(out);
    return out;
  }

  protected override get itemKind(): string {
    return "layers";
  }
}
