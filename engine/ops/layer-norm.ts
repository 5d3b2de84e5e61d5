// Layer normalisation (Ba et al. 2016) as one primitive: each row of the trailing dimensions
// normalised to mean 0 and (biased) variance 1, then scaled and shifted. Composed of primitives
// it took nine ops forward and about fifteen backward, each a full pass and a fresh tensor; here
// forward is two passes per row (moments, then output) and backward the closed form
//   dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)),  ĝ = g · weight,  x̂ = (x − mean) · rstd,
// with dweight = Σ_rows g · x̂ and dbias = Σ_rows g (accumulated in float64). The loops are a
// kernel (`kernels.layerNorm`, `kernels.layerNormBackward`: WebAssembly SIMD for float32).
import { apply, type Primitive } from "../autograd.js";
import { kernels } from "../kernels/index.js";
import { formatShape, shapeSize } from "../shape.js";
import { Tensor } from "../tensor.js";
import { floatOf, promote } from "./operand.js";

interface LayerNormArgs {
  eps: number;
  width: number;
  hasWeight: boolean;
  hasBias: boolean;
  /** Per row, written by forward: the mean and 1/√(variance + eps). */
  mean: Float64Array | null;
  rstd: Float64Array | null;
}

const LayerNorm: Primitive<LayerNormArgs> = {
  name: "layerNorm",
  forward: (inputs, args) => {
    const x = inputs[0]!;
    const weight = args.hasWeight ? inputs[1]!.raw : null;
    const bias = args.hasBias ? inputs[args.hasWeight ? 2 : 1]!.raw : null;
    const dtype = inputs.reduce((d, t) => promote(d, t.dtype), floatOf(x.dtype));
    const out = Tensor.unfilled(x.shape, dtype); // every row is written below
    const w = args.width;
    const rows = w === 0 ? 0 : x.numel() / w;
    const mean = new Float64Array(rows);
    const rstd = new Float64Array(rows);
    kernels.layerNorm(x.raw, weight, bias, out.raw, mean, rstd, rows, w, args.eps);
    args.mean = mean;
    args.rstd = rstd;
    return out;
  },
  backward: (g, inputs, _out, args) => {
    const x = inputs[0]!;
    const weightTensor = args.hasWeight ? inputs[1]! : null;
    const biasTensor = args.hasBias ? inputs[args.hasWeight ? 2 : 1]! : null;
    const w = args.width;
    const rows = w === 0 ? 0 : x.numel() / w;
    const dx = Tensor.unfilled(x.shape, g.dtype);
    const dw = new Float64Array(w);
    const db = new Float64Array(w);
    kernels.layerNormBackward(
      x.raw,
      g.raw,
      weightTensor ? weightTensor.raw : null,
      args.mean!,
      args.rstd!,
      dx.raw,
      dw,
      db,
      rows,
      w,
    );
    const vector = (acc: Float64Array, like: Tensor | null): Tensor | null => {
      if (!like?.requiresGrad) return null;
      const t = Tensor.zeros(like.shape, g.dtype);
      t.raw.set(acc);
      return t;
    };
    const grads: (Tensor | null)[] = [x.requiresGrad ? dx : null];
    if (args.hasWeight) grads.push(vector(dw, weightTensor));
    if (args.hasBias) grads.push(vector(db, biasTensor));
    return grads;
  },
};

/**
 * Normalises over the trailing dimensions `normalizedShape` to mean 0 and variance 1 (biased, as
 * PyTorch), then · weight + bias (each of shape normalizedShape, or null).
 * Example: `layerNorm(x, [64], w, b)` with x [16, 32, 64]
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  const k = normalizedShape.length;
  const trailing = x.shape.slice(x.ndim - k);
  if (x.ndim < k || formatShape(trailing) !== formatShape(normalizedShape)) {
    throw new Error(
      `layerNorm: input of shape ${formatShape(x.shape)} does not end in the normalized shape ${formatShape(normalizedShape)}`,
    );
  }
  for (const [name, t] of [
    ["weight", weight],
    ["bias", bias],
  ] as const) {
    if (t && formatShape(t.shape) !== formatShape(normalizedShape)) {
      throw new Error(
        `layerNorm: ${name} of shape ${formatShape(t.shape)} must have the normalized shape ${formatShape(normalizedShape)}`,
      );
    }
  }
  if (!(eps >= 0)) throw new Error(`layerNorm: eps must be a number ≥ 0, got ${eps}`);
  const inputs = [x];
  if (weight) inputs.push(weight);
  if (bias) inputs.push(bias);
  return apply(LayerNorm, inputs, {
    eps,
    width: shapeSize(normalizedShape),
    hasWeight: weight !== null,
    hasBias: bias !== null,
    mean: null,
    rstd: null,
  });
}
