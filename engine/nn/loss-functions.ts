// Loss functions (nn.functional): each returns one tensor in the graph, so `loss.backward()`
// starts backpropagation there. Built from primitives: their gradients come for free.
// Shapes must match exactly where PyTorch would broadcast with only a warning: predictions
// [32,1] against targets [32] would silently compare every pair (a [32,32] loss).

import { concat } from "../ops/index.js";
import { formatShape, sameShape } from "../shape.js";
import { Tensor } from "../tensor.js";

/** How per-element losses become the result: their mean (default), their sum, or all of them. */
export type Reduction = "mean" | "sum" | "none";

/** The options every loss takes. */
export interface LossOptions {
  reduction?: Reduction;
}

/** Options of the class-index losses. */
export interface ClassLossOptions extends LossOptions {
  /** Targets equal to this are skipped (and not counted in the mean). Default −100, as PyTorch. */
  ignoreIndex?: number;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions extends ClassLossOptions {
  /** Mixes the one-hot target with the uniform distribution: (1−ε)·onehot + ε/C. Default 0. */
  labelSmoothing?: number;
}

/** Mean squared error mean((input − target)²). Example: `nn.functional.mseLoss(yHat, y)` */
export function mseLoss(input: Tensor, target: Tensor, { reduction = "mean" }: LossOptions = {}): Tensor {
  checkSameShape("mseLoss", input, target);
  return reduce("mseLoss", input.sub(target).square(), reduction);
}

/** Mean absolute error mean(|input − target|). Example: `nn.functional.l1Loss(yHat, y)` */
export function l1Loss(input: Tensor, target: Tensor, { reduction = "mean" }: LossOptions = {}): Tensor {
  checkSameShape("l1Loss", input, target);
  return reduce("l1Loss", input.sub(target).abs(), reduction);
}

/**
 * Negative log-likelihood −logProbs[i, target[i]] of log-probabilities [N, C] (or [C]) and int32
 * class indices [N] (or []). Example: `nn.functional.nllLoss(logits.logSoftmax(1), labels)`
 */
export function nllLoss(
  logProbs: Tensor,
  target: Tensor,
  { reduction = "mean", ignoreIndex = -100 }: ClassLossOptions = {},
): Tensor {
  const [lp, labels, unbatched] = asBatch("nllLoss", logProbs, target);
  const { picked, keep, kept } = pickLabels("nllLoss", lp, labels, ignoreIndex);
  return reduceKept("nllLoss", picked.neg(), keep, kept, reduction, unbatched);
}

/**
 * Cross-entropy of logits [N, C] (or [C]) against int32 class indices [N], or against class
 * probabilities [N, C]: −log softmax(logits)[target], via log-sum-exp so large logits cannot
 * overflow. Uniform logits give log C. Example: `nn.functional.crossEntropy(model.forward(x), labels)`
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const { reduction = "mean", ignoreIndex = -100, labelSmoothing = 0 } = options;
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
    throw new RangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  if (target.dtype !== "int32" && sameShape(target.shape, logits.shape) && logits.ndim >= 1) {
    return probabilityCrossEntropy(logits, target, reduction, labelSmoothing);
  }
  const [z, labels, unbatched] = asBatch("crossEntropy", logits, target);
  const logProbs = z.logSoftmax(1);
  const { picked, keep, kept } = pickLabels("crossEntropy", logProbs, labels, ignoreIndex);
  let losses = picked.neg();
  if (labelSmoothing > 0) {
    const uniform = logProbs.mean(1).neg(); // cross-entropy against the uniform distribution
    losses = losses.mul(1 - labelSmoothing).add(uniform.mul(labelSmoothing));
  }
  return reduceKept("crossEntropy", losses, keep, kept, reduction, unbatched);
}

/**
 * Binary cross-entropy from logits: −[y·log σ(x) + (1−y)·log(1−σ(x))], stable for any x; targets
 * are floats in [0, 1] of the logits' shape. `posWeight` scales the positive term.
 * Example: `nn.functional.binaryCrossEntropyWithLogits(model.forward(x), y)`
 */
export function binaryCrossEntropyWithLogits(
  logits: Tensor,
  target: Tensor,
  { reduction = "mean", posWeight }: LossOptions & { posWeight?: number | Tensor } = {},
): Tensor {
  checkSameShape("binaryCrossEntropyWithLogits", logits, target);
  // log σ(x) and log(1−σ(x)) = log σ(−x) are the log-softmax of the two logits (x, 0): stable,
  // and smooth at x = 0 (the max(x,0) + log(1+e^−|x|) form has kinks whose subgradients are wrong there).
  const pair = concat([logits.unsqueeze(-1), Tensor.zeros([...logits.shape, 1], logits.dtype)], -1).logSoftmax(-1);
  const logP = pair.slice(-1, 0, 1).squeeze(-1);
  const logNotP = pair.slice(-1, 1, 2).squeeze(-1);
  const positive = posWeight === undefined ? target.mul(logP) : target.mul(posWeight).mul(logP);
  const losses = positive.add(target.neg().add(1).mul(logNotP)).neg();
  return reduce("binaryCrossEntropyWithLogits", losses, reduction);
}

/**
 * Binary cross-entropy of probabilities p in (0, 1): −[y·log p + (1−y)·log(1−p)], logs clamped
 * at −100 as PyTorch. Prefer the logits version (stabler). Example: `nn.functional.binaryCrossEntropy(probs, y)`
 */
export function binaryCrossEntropy(probs: Tensor, target: Tensor, { reduction = "mean" }: LossOptions = {}): Tensor {
  checkSameShape("binaryCrossEntropy", probs, target);
  const logP = probs.log().clamp(-100);
  const logNotP = probs.neg().add(1).log().clamp(-100);
  const losses = target.mul(logP).add(target.neg().add(1).mul(logNotP)).neg();
  return reduce("binaryCrossEntropy", losses, reduction);
}

function probabilityCrossEntropy(logits: Tensor, target: Tensor, reduction: Reduction, smoothing: number): Tensor {
  const axis = logits.ndim === 1 ? 0 : 1;
  const classes = logits.shape[axis]!;
  const t = smoothing > 0 ? target.mul(1 - smoothing).add(smoothing / classes) : target;
  return reduce("crossEntropy", t.mul(logits.logSoftmax(axis)).sum(axis).neg(), reduction);
}

/** Brings (scores [N, C], labels [N]) or the unbatched ([C], []) form to [N, C] and [N]. */
function asBatch(op: string, scores: Tensor, labels: Tensor): [Tensor, Tensor, boolean] {
  if (labels.dtype !== "int32") {
    throw new TypeError(
      `${op}: targets must be int32 class indices (use labels.int()), or class probabilities shaped like the input ${formatShape(scores.shape)}; got ${labels.dtype} ${formatShape(labels.shape)}`,
    );
  }
  if (scores.ndim === 1 && labels.ndim === 0) return [scores.unsqueeze(0), labels.reshape([1]), true];
  if (scores.ndim !== 2) {
    const c = scores.shape[scores.ndim - 1];
    throw new Error(
      `${op}: input of shape ${formatShape(scores.shape)} must be [N, C]; for sequences use input.reshape([-1, ${c}]) and targets.reshape([-1])`,
    );
  }
  if (labels.ndim !== 1 || labels.shape[0] !== scores.shape[0]) {
    const hint = labels.numel() === scores.shape[0] ? " (use targets.reshape([-1]))" : "";
    throw new Error(
      `${op}: input ${formatShape(scores.shape)} needs targets of shape [${scores.shape[0]}], got ${formatShape(labels.shape)}${hint}`,
    );
  }
  return [scores, labels, false];
}

/** Each row's entry at its label, skipping ignoreIndex rows (mask 0, label read as 0). */
function pickLabels(
  op: string,
  scores: Tensor,
  labels: Tensor,
  ignoreIndex: number,
): { picked: Tensor; keep: Tensor | null; kept: number } {
  const [n, c] = scores.shape as [number, number];
  const index = new Int32Array(n);
  let keepMask: Float32Array | null = null;
  let kept = n;
  for (let i = 0; i < n; i++) {
    const label = labels.data[i]!;
    if (label === ignoreIndex) {
      keepMask ??= new Float32Array(n).fill(1);
      keepMask[i] = 0;
      kept--;
      continue;
    }
    if (label < 0 || label >= c)
      throw new RangeError(`${op}: target ${label} is out of range for ${c} classes (targets must be 0..${c - 1})`);
    index[i] = label;
  }
  const picked = scores.gather(1, new Tensor(index, [n, 1], "int32")).reshape([n]);
  const keep = keepMask === null ? null : new Tensor(keepMask, [n], "float32");
  return { picked, keep, kept };
}

function reduceKept(
  op: string,
  losses: Tensor,
  keep: Tensor | null,
  kept: number,
  reduction: Reduction,
  unbatched: boolean,
): Tensor {
  const masked = keep === null ? losses : losses.mul(keep);
  if (reduction === "mean" && keep !== null) return masked.sum().div(kept);
  const out = reduce(op, masked, reduction);
  return unbatched && reduction === "none" ? out.reshape([]) : out;
}

function reduce(op: string, losses: Tensor, reduction: Reduction): Tensor {
  switch (reduction) {
    case "mean":
      return losses.mean();
    case "sum":
      return losses.sum();
    case "none":
      return losses;
    default:
      throw new Error(`${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
  }
}

function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(
      `${op}: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape (reshape one, e.g. target.reshape(${formatShape(input.shape)}))`,
    );
  }
}
