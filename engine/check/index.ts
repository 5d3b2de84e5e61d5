// `check`: assertions made for teaching, in every cell's scope. A pass shows one line (✓ and
// what was checked); a failure throws a CheckError saying what was expected, what came and the
// hint. Each accepts the value itself or a function computing it, so an exercise still at its
// stub (`throw new Error("not implemented yet")`) fails its check with that message and the hint.

import type { Tensor } from "../tensor.js";
import { type CloseOptions, close, type EqualOptions, equal } from "./compare.js";
import { greater, isTrue, less, shape } from "./conditions.js";
import { type DecreasesOptions, decreases } from "./decreases.js";
import { type GradOptions, grad, type HandGradients } from "./grad.js";
import type { CheckOptions } from "./report.js";

export { CheckError, type CheckOptions, CheckPassed } from "./report.js";
export type { CloseOptions, EqualOptions, DecreasesOptions, GradOptions, HandGradients };

/** A value, or a function computing it (called inside the check, so its errors carry the hint). */
export type Checked<T = unknown> = T | (() => T);

/** The checks every cell has in scope as `check`. */
export interface Check {
  /**
   * Numbers, arrays or tensors equal within |actual − expected| ≤ atol + rtol·|expected| (numpy's
   * assert_allclose; defaults as torch.testing: atol 1e-5, rtol 1.3e-6 with float32, else 1e-7).
   * Example: `check.close(() => mse(p, t), 0.17, { label: "mse(p, t)", hint: "average the squares" })`
   */
  close(actual: Checked, expected: unknown, options?: CloseOptions): void;
  /** Exactly equal: element by element for numbers, arrays and tensors, structurally otherwise. Example: `check.equal(() => predict(x), [0, 2, 1])` */
  equal(actual: Checked, expected: unknown, options?: EqualOptions): void;
  /** The shape of a tensor or nested array; `null` matches any size. Example: `check.shape(() => layer(x), [4, 1])` */
  shape(actual: Checked, expected: readonly (number | null)[], options?: CheckOptions): void;
  /**
   * Gradients written by hand against autograd (or, without them, autograd against finite differences).
   * Example: `check.grad((w) => w.pow(2).sum(), [w], (w) => [w.mul(2)], { names: ["w"] })`
   */
  grad(
    f: (...inputs: Tensor[]) => Tensor,
    inputs: readonly unknown[],
    expected?: HandGradients,
    options?: GradOptions,
  ): void;
  /** Losses that stay finite and fall (`by`: at least that many times over). Example: `check.decreases(() => train(0.1), { by: 5 })` */
  decreases(losses: Checked, options?: DecreasesOptions): void;
  /** A condition that must be `true`. Example: `check.true(() => p.sum().item() > 0.99, { label: "probabilities sum to 1" })` */
  true(condition: Checked, options?: CheckOptions): void;
  /** One number below a bound. Example: `check.less(() => validLoss, 0.2, { label: "validation loss" })` */
  less(actual: Checked, bound: number, options?: CheckOptions): void;
  /** One number above a bound. Example: `check.greater(() => accuracy, 0.9, { label: "test accuracy" })` */
  greater(actual: Checked, bound: number, options?: CheckOptions): void;
}

/** Checks for exercises. Example: `check.close(() => mse(p, t), 0.17, { hint: "average the squared errors" })` */
export const check: Check = { close, equal, shape, grad, decreases, true: isTrue, less, greater };
