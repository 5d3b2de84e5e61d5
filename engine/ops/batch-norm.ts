// Batch normalisation (Ioffe & Szegedy 2015) as one primitive: each channel of x [N, C, *]
// normalised by a mean and variance (biased), then scaled and shifted. In training the statistics
// are the batch's own (and the running averages move towards them: the unbiased variance, as
// PyTorch); in evaluation they are the running averages, so the op is a fixed affine map.
// Backward in closed form per channel c over its M = N·(spatial) values:
//   training:   dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)),  ĝ = g · weight_c,  x̂ = (x − mean) · rstd
//   evaluation: dx = ĝ · rstd
//   dweight_c = Σ g · x̂,  dbias_c = Σ g   (sums in float64).
import { apply, type Primitive } from "../autograd.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { floatOf, promote } from "./operand.js";

interface BatchNormArgs {
  channels: number;
  /** Elements per (sample, channel): the product of the spatial sizes. */
  inner: number;
  training: boolean;
  hasWeight: boolean;
  hasBias: boolean;
  /** Per channel: the mean and 1/√(variance + eps) used (batch's in training, running in eval). */
  mean: Float64Array;
  rstd: Float64Array;
}

const BatchNorm: Primitive<BatchNormArgs> = {
  name: "batchNorm",
  forward: (inputs, args) => {
    const x = inputs[0]!;
    const { channels, inner, mean, rstd } = args;
    const weight = args.hasWeight ? inputs[1]!.data : null;
    const bias = args.hasBias ? inputs[args.hasWeight ? 2 : 1]!.data : null;
    const dtype = inputs.reduce((d, t) => promote(d, t.dtype), floatOf(x.dtype));
    const out = Tensor.unfilled(x.shape, dtype);
    const batch = x.numel() / (channels * inner);
    const xd = x.data;
    const od = out.data; // a local: `data` is a getter, too slow to call per element
    for (let c = 0; c < channels; c++) {
      const scale = rstd[c]! * (weight ? weight[c]! : 1);
      const shift = (bias ? bias[c]! : 0) - mean[c]! * scale;
      for (let n = 0; n < batch; n++) {
        const start = (n * channels + c) * inner;
        for (let i = start; i < start + inner; i++) od[i] = xd[i]! * scale + shift;
      }
    }
    return out;
  },
  backward: (g, inputs, _out, args) => {
    const x = inputs[0]!;
    const weightTensor = args.hasWeight ? inputs[1]! : null;
    const biasTensor = args.hasBias ? inputs[args.hasWeight ? 2 : 1]! : null;
    const { channels, inner, mean, rstd, training } = args;
    const batch = x.numel() / (channels * inner);
    const count = batch * inner;
    const xd = x.data;
    const gd = g.data;
    const dx = x.requiresGrad ? Tensor.unfilled(x.shape, g.dtype) : null;
    const dxd = dx ? dx.data : null;
    const dw = weightTensor?.requiresGrad ? Tensor.zeros([channels], g.dtype) : null;
    const db = biasTensor?.requiresGrad ? Tensor.zeros([channels], g.dtype) : null;
    for (let c = 0; c < channels; c++) {
      const m = mean[c]!;
      const r = rstd[c]!;
      let sumG = 0;
      let sumGX = 0; // Σ g·x̂
      for (let n = 0; n < batch; n++) {
        const start = (n * channels + c) * inner;
        for (let i = start; i < start + inner; i++) {
          sumG += gd[i]!;
          sumGX += gd[i]! * (xd[i]! - m) * r;
        }
      }
      if (dw) dw.data[c] = sumGX;
      if (db) db.data[c] = sumG;
      if (!dxd) continue;
      const w = weightTensor ? weightTensor.data[c]! : 1;
      const a = w * r; // dx = a·(g − mean(g) − x̂·mean(g·x̂)) in training, a·g in evaluation
      const meanG = training ? sumG / count : 0;
      const meanGX = training ? sumGX / count : 0;
      for (let n = 0; n < batch; n++) {
        const start = (n * channels + c) * inner;
        for (let i = start; i < start + inner; i++) dxd[i] = a * (gd[i]! - meanG - (xd[i]! - m) * r * meanGX);
      }
    }
    const grads: (Tensor | null)[] = [dx];
    if (args.hasWeight) grads.push(dw);
    if (args.hasBias) grads.push(db);
    return grads;
  },
};

/** Options of `batchNorm`. */
export interface BatchNormOptions {
  /** Scale per channel [C] (null: 1). */
  weight?: Tensor | null;
  /** Shift per channel [C] (null: 0). */
  bias?: Tensor | null;
  /** Normalise by the batch's statistics and update the running ones (default false: use the running ones). */
  training?: boolean;
  /** Weight of the new batch in the running averages (default 0.1). */
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalisation over the channel dimension (1) of x [N, C, *], as PyTorch's
 * F.batch_norm: in training by the batch's mean and biased variance, updating `runningMean` and
 * `runningVar` in place (unbiased variance) when given; otherwise by the running statistics.
 * Example: `batchNorm(x, runningMean, runningVar, { training: true })`
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options: BatchNormOptions = {},
): Tensor {
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = options;
  if (!(input instanceof Tensor)) throw new TypeError("batchNorm: input must be a Tensor");
  if (input.ndim < 2)
    throw new Error(
      `batchNorm: expected an input [N, C, *] of at least 2 dimensions, got shape ${formatShape(input.shape)}`,
    );
  const channels = input.shape[1]!;
  for (const [name, t] of [
    ["weight", weight],
    ["bias", bias],
    ["runningMean", runningMean],
    ["runningVar", runningVar],
  ] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== channels)) {
      throw new Error(
        `batchNorm: ${name} must have shape [${channels}] (the input's channels), got ${formatShape(t.shape)}`,
      );
    }
  }
  if (!(eps >= 0)) throw new RangeError(`batchNorm: eps must be a number ≥ 0, got ${eps}`);
  const inner = input.shape.slice(2).reduce((a, b) => a * b, 1);
  const batch = input.shape[0]!;
  const count = batch * inner;
  const mean = new Float64Array(channels);
  const rstd = new Float64Array(channels);
  if (training) {
    if (count <= 1)
      throw new Error(
        `batchNorm: expected more than 1 value per channel when training, got input of shape ${formatShape(input.shape)}`,
      );
    const xd = input.data;
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let n = 0; n < batch; n++)
        for (let i = (n * channels + c) * inner, end = i + inner; i < end; i++) sum += xd[i]!;
      const m = sum / count;
      let squares = 0;
      for (let n = 0; n < batch; n++) {
        for (let i = (n * channels + c) * inner, end = i + inner; i < end; i++) squares += (xd[i]! - m) ** 2;
      }
      mean[c] = m;
      rstd[c] = 1 / Math.sqrt(squares / count + eps);
      if (runningMean) runningMean.data[c] = (1 - momentum) * runningMean.data[c]! + momentum * m;
      if (runningVar) runningVar.data[c] = (1 - momentum) * runningVar.data[c]! + momentum * (squares / (count - 1));
    }
  } else {
    if (!runningMean || !runningVar)
      throw new Error("batchNorm: evaluation (training: false) needs runningMean and runningVar");
    for (let c = 0; c < channels; c++) {
      mean[c] = runningMean.data[c]!;
      rstd[c] = 1 / Math.sqrt(runningVar.data[c]! + eps);
    }
  }
  const inputs = [input];
  if (weight) inputs.push(weight);
  if (bias) inputs.push(bias);
  return apply(BatchNorm, inputs, {
    channels,
    inner,
    training,
    hasWeight: weight !== null,
    hasBias: bias !== null,
    mean,
    rstd,
  });
}
