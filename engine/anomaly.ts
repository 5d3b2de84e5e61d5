// Anomaly mode (PyTorch's torch.autograd.detect_anomaly): after every recorded op, and after
// every step of backward, look for the first NaN or ±Infinity made from finite values, and
// stop there naming the op, its input shapes and where the op was called (the forward's stack,
// so the traceback below the message points at the cell line). Off by default: it reads every
// output once more.
import { formatShape } from "./shape.js";
import type { Tensor, TypedArray } from "./tensor.js";

let enabled = false;

/** Turns anomaly detection on or off for every later op. Example: `setDetectAnomaly(true)` */
export function setDetectAnomaly(on: boolean): void {
  enabled = on;
}

/** True while anomaly detection is on. Example: `isAnomalyEnabled() // false` */
export function isAnomalyEnabled(): boolean {
  return enabled;
}

/** Runs `fn` with anomaly detection on. Example: `detectAnomaly(() => { loss = model(x).log().mean(); loss.backward(); })` */
export function detectAnomaly<T>(fn: () => T): T {
  const previous = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/** The error anomaly mode throws. */
export class AnomalyError extends Error {
  override name = "AnomalyError";
}

function firstBad(data: TypedArray): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

function describeValue(v: number): string {
  return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
}

function shapes(inputs: readonly Tensor[]): string {
  return inputs.map((t) => formatShape(t.shape)).join(", ");
}

const ENGINE_DIR = new URL(".", import.meta.url);

/** The stack of the current call without the engine's own frames (the cell's line comes first). */
export function callerStack(): string {
  const lines = (new Error().stack ?? "").split("\n").slice(1);
  // With source maps on (the kernel turns them on), frames name engine/*.ts, not dist/engine/*.js:
  // this function's own frame, the first, says which directory the engine's frames show.
  const own = /\(?((?:file:\/\/)?\/.*[\\/])[^\\/]+:\d+:\d+\)?$/.exec(lines[0] ?? "")?.[1];
  const dirs = [ENGINE_DIR.href, ENGINE_DIR.pathname, ...(own ? [own] : [])];
  return lines.filter((l) => !dirs.some((d) => l.includes(d)) && !/\(node:|at node:/.test(l)).join("\n");
}

function located(message: string, stack: string): AnomalyError {
  const first = stack.split("\n")[0]?.trim().replace(/^at /, "");
  const error = new AnomalyError(first ? `${message}; the op was called at ${first}` : message);
  error.stack = `${error.name}: ${error.message}\n${stack}`;
  return error;
}

/** Forward: throws when `out` holds a non-finite value although every input was finite. */
export function checkForward(op: string, inputs: readonly Tensor[], out: Tensor): void {
  const at = firstBad(out.raw);
  if (at < 0) return;
  for (const x of inputs) if (firstBad(x.raw) >= 0) return; // not the first: it came in
  throw located(
    `anomaly: ${op} produced ${describeValue(out.raw[at]!)} (forward, element ${at} of ${formatShape(out.shape)}) from finite inputs of shapes ${shapes(inputs)}`,
    callerStack(),
  );
}

/** Backward: throws when a gradient `op` returned is non-finite although the incoming one was finite. */
export function checkBackward(
  op: string,
  inputs: readonly Tensor[],
  incoming: Tensor,
  grads: readonly (Tensor | null)[],
  stack: string,
): void {
  if (firstBad(incoming.raw) >= 0) return;
  grads.forEach((g, i) => {
    if (!g) return;
    const at = firstBad(g.raw);
    if (at < 0) return;
    throw located(
      `anomaly: the backward of ${op} returned ${describeValue(g.raw[at]!)} in the gradient of input ${i} (inputs of shapes ${shapes(inputs)}) from a finite incoming gradient`,
      stack,
    );
  });
}
