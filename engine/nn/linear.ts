// nn.Linear: y = x Wᵀ + b, the fully connected layer. Weight [out, in] and initialisation
// exactly as torch.nn.Linear.reset_parameters: W and b ~ U(−1/√in, 1/√in), drawn from the
// engine's seeded generator (weight first, row-major, then bias).

import { linear } from "../ops/matmul.js";
import { formatShape } from "../shape.js";
import { type DType, Tensor } from "../tensor.js";
import { kaimingUniform_, uniform_ } from "./init.js";
import { Module, parameter } from "./module.js";

/** Options of `Linear`. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  dtype?: DType;
}

/**
 * A fully connected layer mapping the last dimension from inFeatures to outFeatures.
 * Example: `const fc = new nn.Linear(4, 10); fc.forward(randn([32, 4])).shape // [32, 10]`
 */
export class Linear extends Module {
  /** [outFeatures, inFeatures]. */
  weight: Tensor;
  /** [outFeatures], or null with `{ bias: false }`. */
  bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    { bias = true, dtype = "float32" }: LinearOptions = {},
  ) {
    super();
    checkSize("Linear", "inFeatures", inFeatures);
    checkSize("Linear", "outFeatures", outFeatures);
    this.weight = Tensor.zeros([outFeatures, inFeatures], dtype);
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    parameter(this.weight);
    this.bias = null;
    if (bias) {
      const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
      this.bias = uniform_(Tensor.zeros([outFeatures], dtype), -bound, bound);
      parameter(this.bias);
    }
  }

  /** x [..., inFeatures] → x Wᵀ + b [..., outFeatures]. Example: `fc.forward(x)` */
  override forward(x: Tensor): Tensor {
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new Error(
        `Linear(${this.inFeatures}, ${this.outFeatures}) got input of shape ${formatShape(x.shape)}: last size must be ${this.inFeatures}`,
      );
    }
    // One op reading W transposed in place: x.matmul(W.T) would copy Wᵀ forward and backward.
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** Throws unless `value` is a positive integer: a layer size. */
export function checkSize(layer: string, name: string, value: number): void {
  if (!(Number.isInteger(value) && value > 0))
    throw new RangeError(`${layer}: ${name} must be a positive integer, got ${value}`);
}
