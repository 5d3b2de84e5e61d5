// A gradient written by hand against autograd's: f's inputs become fresh leaves, backward()
// fills their gradients, and each is compared with `close`'s tolerance. Without a hand-written
// gradient, autograd itself is checked against finite differences (gradcheck).
import { valueAndGrad } from "../autograd.js";
import { tensor } from "../creation.js";
import { gradcheck } from "../gradcheck.js";
import { formatShape } from "../shape.js";
import { isFloat, Tensor } from "../tensor.js";
import { type CloseOptions, close } from "./compare.js";
import { CheckError, evaluate, labelOf, pass, withoutPassLines } from "./report.js";
import { describe, formatNumber, toNumeric } from "./values.js";

export interface GradOptions extends CloseOptions {
  /** The inputs' names, used in messages (default x0, x1, …). */
  names?: string[];
}

/** Gradients written by hand: one per input, or a function of the inputs returning them. */
export type HandGradients = readonly unknown[] | ((...inputs: Tensor[]) => readonly unknown[] | Tensor);

/**
 * Passes when `expected` (hand-written gradients of the scalar `f` at `inputs`) matches autograd;
 * without `expected`, when autograd matches finite differences.
 * Example: `check.grad((w, b) => loss(w, b), [w, b], (w, b) => myGradients(w, b), { names: ["w", "b"] })`
 */
export function grad(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: readonly unknown[],
  expected?: HandGradients,
  options: GradOptions = {},
): void {
  const label = labelOf(options, "the gradient");
  const names = inputs.map((_, i) => options.names?.[i] ?? `x${i}`);
  const leaves = inputs.map((x, i) => leafOf(x, names[i]!, label, options.hint));
  if (expected === undefined) {
    againstFiniteDifferences(f, leaves, label, options);
    return;
  }
  const hand = evaluate(
    () => (typeof expected === "function" ? expected(...leaves.map((x) => x.detach())) : expected),
    label,
    options.hint,
  );
  const handList = hand instanceof Tensor ? [hand] : hand;
  if (!Array.isArray(handList) || handList.length !== leaves.length) {
    throw new CheckError(
      `${label}: expected one gradient per input (${names.join(", ")}), got ${describe(hand)}`,
      options.hint,
    );
  }
  const autograd = evaluate(() => valueAndGrad(() => f(...leaves), leaves).grads, label, options.hint);
  // Each gradient goes through close() quietly; one line then reports them all.
  let largest = 0;
  autograd.forEach((g, i) => {
    const name = `∂${label === "the gradient" ? "f" : label}/∂${names[i]}`;
    closeQuietly(handList[i], g, { ...options, label: `${name} by hand` }, name);
    const n = toNumeric(handList[i]);
    if (typeof n !== "string")
      for (let k = 0; k < g.numel(); k++)
        largest = Math.max(largest, Math.abs((n.values.length === 1 ? n.values[0]! : n.values[k]!) - g.data[k]!));
  });
  pass(
    `${label}: the hand-written gradients for ${names.join(", ")} match autograd (largest |difference| ${formatNumber(largest)})`,
  );
}

function closeQuietly(hand: unknown, autograd: Tensor, options: CloseOptions, name: string): void {
  const n = toNumeric(hand);
  if (typeof n !== "string" && formatShape(n.shape) !== formatShape(autograd.shape) && n.values.length !== 1) {
    throw new CheckError(
      `${name} by hand has shape ${formatShape(n.shape)}, but ${name} has the shape of the input, ${formatShape(autograd.shape)}`,
      options.hint,
    );
  }
  try {
    withoutPassLines(() => close(hand, autograd, options));
  } catch (error) {
    if (!(error instanceof CheckError)) throw error;
    error.message = error.message
      .replace("what was expected", `autograd's ${name}`)
      .replace("  expected: ", "  autograd: ")
      .replace(/, expected (\S+) \(/g, ", autograd $1 (");
    throw error;
  }
}

function againstFiniteDifferences(
  f: (...inputs: Tensor[]) => Tensor,
  leaves: Tensor[],
  label: string,
  options: GradOptions,
): void {
  const atol = options.atol ?? 1e-4;
  let worst = 0;
  evaluate(
    () => {
      try {
        worst = gradcheck(f, leaves, { atol });
      } catch (error) {
        const message = (error as Error).message ?? String(error);
        if (!message.startsWith("gradcheck:")) throw error;
        throw new CheckError(
          `${label}: autograd disagrees with finite differences: ${message.replace(/^gradcheck: /, "")}`,
          options.hint,
        );
      }
    },
    label,
    options.hint,
  );
  pass(`${label}: autograd matches finite differences (worst relative error ${formatNumber(worst)})`);
}

function leafOf(x: unknown, name: string, label: string, hint: string | undefined): Tensor {
  if (x instanceof Tensor) {
    if (!isFloat(x.dtype))
      throw new CheckError(`${label}: input ${name} is an ${x.dtype} tensor; gradients need float inputs`, hint);
    const copy = x.detach().clone();
    copy.requiresGrad = true;
    return copy;
  }
  const n = toNumeric(x);
  if (typeof n === "string") throw new CheckError(`${label}: input ${name} is ${n}`, hint);
  return tensor(Array.from(n.values), { shape: n.shape, dtype: "float64", requiresGrad: true });
}
