// Adam and AdamW (Kingma & Ba 2015; Loshchilov & Hutter 2019), as torch.optim computes them.
//
// With g = ∇J(θ) and step count t (starting at 1):
//   m ← β₁ m + (1 − β₁) g            first moment (a running mean of gradients)
//   v ← β₂ v + (1 − β₂) g²           second moment (a running mean of squared gradients)
//   m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)   bias correction: m and v start at 0
//   θ ← θ − η m̂ / (√v̂ + ε)
// Weight decay λ: Adam adds it to the gradient (g + λθ, L2 regularisation, which the moments
// then rescale); AdamW decouples it, shrinking θ ← θ − ηλθ before the Adam step.
// amsgrad keeps the running maximum of v̂'s numerator and divides by that instead.

import { type AdamCoefficients, kernels } from "../kernels/index.js";
import { check, type FloatArray, Optimizer, type ParamState, type Params } from "./optimizer.js";

/** Options of `Adam` and `AdamW`. */
export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
}

abstract class AdamFamily extends Optimizer<AdamOptions> {
  protected abstract readonly decoupledWeightDecay: boolean;
  // 1 − β₁ᵗ and 1 − β₂ᵗ for the last (t, β₁, β₂) seen: every parameter of a step shares them,
  // and the two powers cost more than a small parameter's whole update.
  private lastCorrections = { t: 0, beta1: NaN, beta2: NaN, first: 1, second: 1 };

  private biasCorrections(t: number, beta1: number, beta2: number): { first: number; second: number } {
    const last = this.lastCorrections;
    if (last.t !== t || last.beta1 !== beta1 || last.beta2 !== beta2) {
      last.t = t;
      last.beta1 = beta1;
      last.beta2 = beta2;
      last.first = 1 - beta1 ** t;
      last.second = 1 - beta2 ** t;
    }
    return last;
  }

  protected override validate(o: AdamOptions): void {
    check(o.lr >= 0, `Invalid learning rate: ${o.lr}`);
    check(o.eps >= 0, `Invalid epsilon value: ${o.eps}`);
    check(o.betas[0] >= 0 && o.betas[0] < 1, `Invalid beta parameter at index 0: ${o.betas[0]}`);
    check(o.betas[1] >= 0 && o.betas[1] < 1, `Invalid beta parameter at index 1: ${o.betas[1]}`);
    check(o.weightDecay >= 0, `Invalid weightDecay value: ${o.weightDecay}`);
  }

  protected override updateParameter(p: FloatArray, grad: ArrayLike<number>, state: ParamState, o: AdamOptions): void {
    const { lr, eps, weightDecay: wd, amsgrad } = o;
    const beta1 = o.betas[0];
    const beta2 = o.betas[1];
    const t = ((state.step as number | undefined) ?? 0) + 1;
    state.step = t;
    const decoupled = this.decoupledWeightDecay;
    const corrections = this.biasCorrections(t, beta1, beta2);
    const c: AdamCoefficients = {
      beta1,
      beta2,
      eps,
      // The bias corrections folded into a step size and a reciprocal, as torch.optim does: one
      // square root and one division per weight instead of three divisions (they dominate).
      stepSize: lr / corrections.first,
      invSqrtBiasCorrection2: 1 / Math.sqrt(corrections.second),
      shrink: decoupled ? 1 - lr * wd : 1, // AdamW: θ ← θ(1 − ηλ) first
      l2: decoupled ? 0 : wd, // Adam: g ← g + λθ
    };
    const m = (state.expAvg ??= Optimizer.zerosLike(p)) as FloatArray;
    const v = (state.expAvgSq ??= Optimizer.zerosLike(p)) as FloatArray;
    if (amsgrad) amsgradUpdate(p, grad, m, v, (state.maxExpAvgSq ??= Optimizer.zerosLike(p)) as FloatArray, c);
    else kernels.adam(p, grad as FloatArray, m, v, c); // one fused pass (WebAssembly SIMD for float32)
  }
}

// AMSGrad has its own loop (the plain one is a kernel): a branch on it inside the plain loop made
// that ~2× slower in V8 (784×256 weights: 2.0 → 1.1 ms).
/** Adam dividing by the running maximum of v (AMSGrad). */
function amsgradUpdate(
  p: FloatArray,
  grad: ArrayLike<number>,
  m: FloatArray,
  v: FloatArray,
  vMax: FloatArray,
  c: AdamCoefficients,
): void {
  const { beta1, beta2, eps, stepSize, invSqrtBiasCorrection2, shrink, l2 } = c;
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const theta = p[i]! * shrink;
    const g = grad[i]! + l2 * theta;
    m[i] = beta1 * m[i]! + keep1 * g;
    v[i] = beta2 * v[i]! + keep2 * g * g;
    vMax[i] = Math.max(vMax[i]!, v[i]!);
    p[i] = theta - (stepSize * m[i]!) / (Math.sqrt(vMax[i]!) * invSqrtBiasCorrection2 + eps);
  }
}

/**
 * Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − η m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
 * Example: `const opt = new optim.Adam(model.parameters(), { lr: 0.01 })`
 */
export class Adam extends AdamFamily {
  protected override readonly decoupledWeightDecay = false;

  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, ...options });
  }
}

/**
 * AdamW: Adam with decoupled weight decay θ ← θ − ηλθ (default λ = 0.01).
 * Example: `const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.1 })`
 */
export class AdamW extends AdamFamily {
  protected override readonly decoupledWeightDecay = true;

  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, ...options });
  }
}
