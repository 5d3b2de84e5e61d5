// Checks backprop against the definition of the derivative: for every input element,
// (f(x+ε) − f(x−ε)) / 2ε should equal the gradient autograd computed. A classroom tool.
import { grad, noGrad } from "./autograd.js";
import { RandomGenerator } from "./random.js";
import { formatShape } from "./shape.js";
import { isFloat, Tensor } from "./tensor.js";

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6 in float64, 1e-2 in float32). */
  eps?: number;
  /** If given, throw when the worst error exceeds it, naming the input and element. */
  atol?: number;
  /** Compute in float64 (default true): float32 rounding would swamp a small step. */
  float64?: boolean;
}

/**
 * Worst disagreement between autograd and central finite differences over every element of
 * every float input, as |analytic − numeric| / max(1, |analytic|, |numeric|). A non-scalar
 * output is reduced with fixed random weights first, so every output element is checked.
 * Example: `gradcheck((x) => x.tanh().sum(), [randn([3])]) // ≈ 1e-10`
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  options: GradcheckOptions = {},
): number {
  const float64 = options.float64 ?? true;
  const eps = options.eps ?? (float64 ? 1e-6 : 1e-2);
  // Fresh leaves, so the caller's tensors and their .grad are left alone.
  const leaves = inputs.map((x) => {
    if (!isFloat(x.dtype)) return x;
    const copy = Tensor.zeros(x.shape, float64 ? "float64" : x.dtype);
    copy.raw.set(x.raw);
    return copy;
  });
  const checked = leaves.map((x, i) => ({ x, i })).filter(({ x }) => isFloat(x.dtype)); // ints are indices
  const params = checked.map(({ x }) => x);
  const first = noGrad(() => fn(...leaves));
  const weights = Tensor.zeros(first.shape, float64 ? "float64" : first.dtype);
  const gen = new RandomGenerator(1234); // its own generator: checking must not move the user's seed
  for (let i = 0; i < weights.numel(); i++) weights.raw[i] = gen.uniform(0.5, 1.5);
  const objective = (): Tensor =>
    fn(...leaves)
      .mul(weights)
      .sum();

  const analytic = grad(objective, params);
  let worst = 0;
  let where = "";
  params.forEach((x, p) => {
    for (let i = 0; i < x.numel(); i++) {
      const saved = x.raw[i]!;
      x.raw[i] = saved + eps;
      const plus = noGrad(objective).item();
      x.raw[i] = saved - eps;
      const minus = noGrad(objective).item();
      x.raw[i] = saved;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[p]!.raw[i]!;
      const error = Math.abs(a - numeric) / Math.max(1, Math.abs(a), Math.abs(numeric));
      if (error > worst || Number.isNaN(error)) {
        worst = Number.isNaN(error) ? Infinity : error;
        where = `input ${checked[p]!.i} ${formatShape(x.shape)} element ${i}: analytic ${a}, numeric ${numeric}`;
      }
    }
  });
  if (options.atol !== undefined && worst > options.atol) {
    throw new Error(`gradcheck: error ${worst.toExponential(2)} above atol ${options.atol} at ${where}`);
  }
  return worst;
}
