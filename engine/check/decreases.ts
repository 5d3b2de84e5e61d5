// Did training work? The losses must stay finite and fall: by default the last tenth of them
// averages below the first tenth (mini-batch losses jump around step to step).
import { CheckError, type CheckOptions, evaluate, labelOf, pass } from "./report.js";
import { formatNumber, toNumeric } from "./values.js";

export interface DecreasesOptions extends CheckOptions {
  /** The loss must fall at least this many times over (first tenth's mean / last tenth's). */
  by?: number;
  /** Every value must be at most the one before it (full-batch gradient descent on a convex loss). */
  strict?: boolean;
}

/**
 * Passes when a list of losses is finite and falls. Example: `check.decreases(() => train(0.1), { by: 10 })`
 */
export function decreases(losses: unknown, options: DecreasesOptions = {}): void {
  const label = labelOf(options, "the losses");
  const value = evaluate(losses, label, options.hint);
  const n = toNumeric(value);
  if (typeof n === "string" || n.shape.length !== 1) {
    throw new CheckError(
      `${label} should be a list of numbers, one per step; got ${typeof n === "string" ? n : `shape [${n.shape.join(", ")}]`}`,
      options.hint,
    );
  }
  const values = Array.from(n.values);
  if (values.length < 2)
    throw new CheckError(
      `${label} has ${values.length} value${values.length === 1 ? "" : "s"}: at least 2 steps are needed to see a decrease`,
      options.hint,
    );
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new CheckError(
      `${label} became ${formatNumber(values[bad]!)} at step ${bad} (of ${values.length}): the training diverged (is the learning rate too large?)`,
      options.hint,
    );
  }
  if (options.strict) {
    const up = values.findIndex((v, i) => i > 0 && v > values[i - 1]!);
    if (up >= 0)
      throw new CheckError(
        `${label} rose at step ${up}: ${formatNumber(values[up - 1]!)} → ${formatNumber(values[up]!)}`,
        options.hint,
      );
  }
  const tenth = Math.max(1, Math.floor(values.length / 10));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const start = mean(values.slice(0, tenth));
  const end = mean(values.slice(-tenth));
  const span = tenth === 1 ? ["first", "last"] : [`first ${tenth}`, `last ${tenth}`];
  const summary = `${span[0]} ${formatNumber(start)} → ${span[1]} ${formatNumber(end)}`;
  if (!(end < start)) throw new CheckError(`${label} did not fall: ${summary}`, options.hint);
  if (options.by !== undefined && !(start >= options.by * end)) {
    throw new CheckError(
      `${label} fell ${formatNumber(start / end)}×, expected at least ${formatNumber(options.by)}×: ${summary}`,
      options.hint,
    );
  }
  pass(`${label} fell ${formatNumber(start / end)}× over ${values.length} steps (${summary})`);
}
