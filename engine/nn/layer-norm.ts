// nn.LayerNorm (Ba et al. 2016): normalise each sample over its last dimensions to mean 0 and
// variance 1 (the biased variance, as PyTorch), then scale and shift by learned weight and bias.
// The arithmetic is one primitive with a hand-written backward (engine/ops/layer-norm.ts).

import { layerNorm } from "../ops/layer-norm.js";
import { formatShape } from "../shape.js";
import { type DType, Tensor } from "../tensor.js";
import { Module, parameter } from "./module.js";

/** Options of `LayerNorm`. */
export interface LayerNormOptions {
  eps?: number;
  /** Learn weight (init 1) and bias (init 0); default true. */
  elementwiseAffine?: boolean;
  dtype?: DType;
}

/**
 * Normalises over the trailing `normalizedShape` dimensions.
 * Example: `new nn.LayerNorm(32).forward(randn([8, 32]))`
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  weight: Tensor | null = null;
  bias: Tensor | null = null;

  constructor(
    normalizedShape: number | number[],
    { eps = 1e-5, elementwiseAffine = true, dtype = "float32" }: LayerNormOptions = {},
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.eps = eps;
    if (elementwiseAffine) {
      this.weight = Tensor.full(this.normalizedShape, 1, dtype);
      parameter(this.weight);
      this.bias = Tensor.zeros(this.normalizedShape, dtype);
      parameter(this.bias);
    }
  }

  /** (x − mean) / √(var + eps) · weight + bias over the trailing dimensions. Example: `norm.forward(x)` */
  override forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const trailing = x.shape.slice(x.ndim - k);
    if (x.ndim < k || formatShape(trailing) !== formatShape(this.normalizedShape)) {
      throw new Error(
        `LayerNorm(${formatShape(this.normalizedShape)}) got input of shape ${formatShape(x.shape)}: the last sizes must be ${formatShape(this.normalizedShape)}`,
      );
    }
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${formatShape(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}
