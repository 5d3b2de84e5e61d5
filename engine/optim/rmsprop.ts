// RMSprop (Hinton's lecture 6e), as torch.optim computes it. With g = ∇J(θ) (+ λθ):
//   s ← α s + (1 − α) g²                     running mean of squared gradients
//   centered: a ← α a + (1 − α) g, and s − a² (a variance) replaces s below
//   θ ← θ − η g / (√s + ε)                   or, with momentum μ: b ← μ b + g / (√s + ε), θ ← θ − η b

import { check, type FloatArray, Optimizer, type ParamState, type Params } from "./optimizer.js";

/** Options of `RMSprop`. */
export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}

/**
 * RMSprop: divides each step by a running root-mean-square of recent gradients.
 * Example: `const opt = new optim.RMSprop(model.parameters(), { lr: 0.01 })`
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, ...options });
  }

  protected override validate(o: RMSpropOptions): void {
    check(o.lr >= 0, `Invalid learning rate: ${o.lr}`);
    check(o.eps >= 0, `Invalid epsilon value: ${o.eps}`);
    check(o.momentum >= 0, `Invalid momentum value: ${o.momentum}`);
    check(o.weightDecay >= 0, `Invalid weightDecay value: ${o.weightDecay}`);
    check(o.alpha >= 0, `Invalid alpha value: ${o.alpha}`);
  }

  protected override updateParameter(
    p: FloatArray,
    grad: ArrayLike<number>,
    state: ParamState,
    o: RMSpropOptions,
  ): void {
    const { lr, alpha, eps, weightDecay: wd, momentum: mu, centered } = o;
    state.step = ((state.step as number | undefined) ?? 0) + 1;
    const squareAvg = (state.squareAvg ??= Optimizer.zerosLike(p)) as FloatArray;
    const gradAvg = centered ? ((state.gradAvg ??= Optimizer.zerosLike(p)) as FloatArray) : null;
    const buf = mu > 0 ? ((state.momentumBuffer ??= Optimizer.zerosLike(p)) as FloatArray) : null;
    for (let i = 0; i < p.length; i++) {
      const g = grad[i]! + wd * p[i]!;
      squareAvg[i] = alpha * squareAvg[i]! + (1 - alpha) * g * g;
      let variance = squareAvg[i]!;
      if (gradAvg !== null) {
        gradAvg[i] = alpha * gradAvg[i]! + (1 - alpha) * g;
        variance -= gradAvg[i]! * gradAvg[i]!;
      }
      const scaled = g / (Math.sqrt(variance) + eps);
      if (buf !== null) {
        buf[i] = mu * buf[i]! + scaled;
        p[i] = p[i]! - lr * buf[i]!;
      } else {
        p[i] = p[i]! - lr * scaled;
      }
    }
  }
}
