// Stochastic gradient descent, with momentum, dampening, Nesterov and (L2) weight decay.
//
// How the textbook formulas map to the code, with g = ∇J(θ) (+ λθ when weightDecay λ > 0):
//   plain:               θ ← θ − η g
//   momentum (PyTorch):  b ← μ b + (1 − dampening) g,  θ ← θ − η b        (the default)
//   momentum (textbook): v ← γ v + η (1 − dampening) g, θ ← θ − v          (momentumForm: "textbook")
//   Nesterov:            the step uses g + μ b (PyTorch) or η g + γ v (textbook) instead.
// With a constant η the two forms give the same θ (v = η b). They differ once η changes (a
// schedule): PyTorch's buffer b holds raw gradients and the new η applies to all of it at once;
// the textbook v holds steps already scaled by the old η, so the change takes effect gradually.
// Like PyTorch, the first step starts the buffer at b = g (v = η g), without dampening.

import { check, type FloatArray, Optimizer, type ParamState, type Params } from "./optimizer.js";

/** Options of `SGD`; only `lr` is required. */
export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  /** "pytorch" (b ← μb + g, θ ← θ − ηb; the default) or "textbook" (v ← γv + ηg, θ ← θ − v). */
  momentumForm: "pytorch" | "textbook";
}

/**
 * Stochastic gradient descent θ ← θ − η∇J. Momentum uses PyTorch's form b ← μb + ∇J, θ ← θ − ηb;
 * `momentumForm: "textbook"` gives v ← γv + η∇J, θ ← θ − v (the same unless η changes).
 * Example: `const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 })`
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, { lr, ...options }: Partial<SGDOptions> & { lr: number }) {
    super(params, {
      lr,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
      momentumForm: "pytorch",
      ...options,
    });
  }

  protected override validate(o: SGDOptions): void {
    check(o.lr >= 0, `Invalid learning rate: ${o.lr}`);
    check(o.momentum >= 0, `Invalid momentum value: ${o.momentum}`);
    check(o.weightDecay >= 0, `Invalid weightDecay value: ${o.weightDecay}`);
    check(
      !o.nesterov || (o.momentum > 0 && o.dampening === 0),
      "Nesterov momentum requires a momentum and zero dampening",
    );
    check(
      o.momentumForm === "pytorch" || o.momentumForm === "textbook",
      `Invalid momentumForm: ${String(o.momentumForm)} (use "pytorch" or "textbook")`,
    );
  }

  protected override updateParameter(p: FloatArray, grad: ArrayLike<number>, state: ParamState, o: SGDOptions): void {
    const { lr, momentum: mu, dampening, nesterov, weightDecay: wd } = o;
    if (mu === 0) {
      for (let i = 0; i < p.length; i++) p[i] = p[i]! - lr * (grad[i]! + wd * p[i]!);
      return;
    }
    const first = state.momentumBuffer === undefined;
    const buf = (state.momentumBuffer ??= Optimizer.zerosLike(p)) as FloatArray;
    const textbook = o.momentumForm === "textbook";
    const scale = textbook ? lr : 1; // the textbook buffer holds steps (η already applied)
    for (let i = 0; i < p.length; i++) {
      const g = grad[i]! + wd * p[i]!;
      const b = first ? scale * g : mu * buf[i]! + (1 - dampening) * scale * g;
      buf[i] = b;
      const b32 = buf[i]!; // the stored (possibly float32-rounded) buffer, as PyTorch uses it
      const stepDirection = nesterov ? scale * g + mu * b32 : b32;
      p[i] = p[i]! - (textbook ? stepDirection : lr * stepDirection);
    }
  }
}
