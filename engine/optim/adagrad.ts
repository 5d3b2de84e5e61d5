// Adagrad (Duchi et al. 2011), as torch.optim computes it. With g = ∇J(θ) (+ λθ), step t:
//   s ← s + g²                            sum of all squared gradients so far
//   η_t = η / (1 + (t − 1) · lrDecay)
//   θ ← θ − η_t g / (√s + ε)              weights with large past gradients take smaller steps

import { check, type FloatArray, Optimizer, type ParamState, type Params } from "./optimizer.js";

/** Options of `Adagrad`. */
export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
}

/**
 * Adagrad: per-weight step sizes that shrink with the sum of that weight's squared gradients.
 * Example: `const opt = new optim.Adagrad(model.parameters(), { lr: 0.1 })`
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, ...options });
  }

  protected override validate(o: AdagradOptions): void {
    check(o.lr >= 0, `Invalid learning rate: ${o.lr}`);
    check(o.lrDecay >= 0, `Invalid lrDecay value: ${o.lrDecay}`);
    check(o.weightDecay >= 0, `Invalid weightDecay value: ${o.weightDecay}`);
    check(o.initialAccumulatorValue >= 0, `Invalid initialAccumulatorValue value: ${o.initialAccumulatorValue}`);
    check(o.eps >= 0, `Invalid epsilon value: ${o.eps}`);
  }

  protected override updateParameter(
    p: FloatArray,
    grad: ArrayLike<number>,
    state: ParamState,
    o: AdagradOptions,
  ): void {
    const { lr, lrDecay, weightDecay: wd, initialAccumulatorValue, eps } = o;
    const t = ((state.step as number | undefined) ?? 0) + 1;
    state.step = t;
    const sum = (state.sum ??= Optimizer.zerosLike(p).fill(initialAccumulatorValue)) as FloatArray;
    const stepSize = lr / (1 + (t - 1) * lrDecay);
    for (let i = 0; i < p.length; i++) {
      const g = grad[i]! + wd * p[i]!;
      sum[i] = sum[i]! + g * g;
      p[i] = p[i]! - (stepSize * g) / (Math.sqrt(sum[i]!) + eps);
    }
  }
}
