// What backward needs from the forward, and whether it is still there. A recorded op keeps its
// inputs and output; backward reads their values. Two things can take those values away, and
// both must fail loudly, never give a wrong gradient (PyTorch's messages, which students search):
// - an in-place change (an in-place op, or a write through `data`) after the op was recorded:
//   every storage carries a version counter, and each node remembers the versions it saw;
// - a second backward through a graph already used: the first one frees it, unless told
//   `retainGraph: true`. Ops whose backward reads no values (add, reshape, sum…) need neither.
import type { GradNode } from "./autograd.js";
import type { Tensor, TypedArray } from "./tensor.js";

// A read of `data` from user code (a cell, or engine code outside an op) may be followed by writes
// autograd cannot see, so it fingerprints storage a live graph saved; inside an op's forward or
// backward the reads are the engine's own and cost nothing extra.
export let engineDepth = 0;

/**
 * @internal False only while bench/version-checks.ts measures what this bookkeeping costs: every
 * function here, and the counting in Tensor's `data`, `markModified` and `settleVersion`, then
 * does nothing. Never turned off elsewhere: without it in-place changes go unnoticed.
 */
export let versionChecks = true;

/** @internal See `versionChecks`. */
export function setVersionChecks(on: boolean): void {
  versionChecks = on;
}

/** @internal Starts engine code whose reads of `data` are its own (pair with `leaveEngine`). */
export function enterEngine(): void {
  engineDepth++;
}

/** @internal Ends what `enterEngine` started. */
export function leaveEngine(): void {
  engineDepth--;
}

/** @internal An order-sensitive 32-bit fingerprint of the bits of `data` (FNV-1a over words). */
export function contentHash(data: TypedArray): number {
  const words = data instanceof Int32Array ? data : new Int32Array(data.buffer, data.byteOffset, data.byteLength >> 2);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 16777619);
  return h;
}

/**
 * @internal The engine wrote into `t`'s storage (an optimizer step): like an in-place op, this
 * changes the version, but only when a live graph saved the storage (otherwise no graph can
 * notice, and a version left at 0 spares later ops their versions array). Reading `data` instead
 * would fingerprint the whole storage before and after.
 */
export function noteEngineWrite(t: Tensor): void {
  if (!versionChecks) return;
  const owner = t.base ?? t;
  if (owner.savedBy === 0) return;
  t.settleVersion();
  owner.versionCount++;
}

/** The versions of a node's inputs when it was recorded, or null when every one was 0 (no array to allocate). */
export function inputVersions(inputs: readonly Tensor[]): number[] | null {
  if (!versionChecks) return null;
  let versions: number[] | null = null;
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    const owner = input.base ?? input;
    if (owner.seenHash !== null) input.settleVersion();
    owner.savedBy++;
    const version = owner.versionCount;
    if (version !== 0) {
      versions ??= new Array<number>(inputs.length).fill(0);
      versions[i] = version;
    }
  }
  return versions;
}

function modified(t: Tensor, expected: number, role: string, op: string): Error {
  const shape = t.shape.join(", ");
  return new Error(
    `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
      `[Tensor [${shape}]] (${role} of ${op}) is at version ${t.version}; expected version ${expected} instead. ` +
      "Hint: an in-place op (add_, sub_, copy_ …), an optimizer step or a write through .data changed it between " +
      "the forward pass and backward(); make the change after backward(), or use the out-of-place op (or clone()) in the forward pass.",
  );
}

/** Throws PyTorch's error when an input or the output (unless `outVersion` is −1) of `t`'s op changed since it was recorded. */
export function checkVersions(t: Tensor, versions: readonly number[] | null, outVersion: number, op: string): void {
  // Runs for every node of every backward: plain field reads, no calls, unless something changed.
  if (!versionChecks) return;
  const inputs = t.inputs;
  for (let j = 0; j < inputs.length; j++) {
    const input = inputs[j]!;
    const owner = input.base ?? input;
    const expected = versions === null ? 0 : versions[j]!;
    if (owner.seenHash === null && owner.versionCount === expected) continue;
    input.settleVersion();
    if (owner.versionCount !== expected) throw modified(input, expected, `input ${j}`, op);
  }
  if (outVersion < 0) return;
  const owner = t.base ?? t;
  if (owner.seenHash === null && owner.versionCount === outVersion) return;
  t.settleVersion();
  if (owner.versionCount !== outVersion) throw modified(t, outVersion, "the output", op);
}

/** The error for a second backward through a freed graph (PyTorch's words, with our option name). */
export function graphFreedError(op: string): Error {
  return new Error(
    `Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ` +
      `Saved intermediate values of the graph are freed when you call .backward() or grad(). Specify retain_graph=True ` +
      `(here: loss.backward(undefined, { retainGraph: true })) if you need to backward through the graph a second time. ` +
      `The freed op: ${op}; compute the forward pass again for a new graph.`,
  );
}

/**
 * Forgets that a freed node holds its inputs, once. A storage another graph still holds stays
 * watched: a flag cleared by the first graph's backward let an optimizer step go unnoticed by the
 * second, whose backward then used the new values without a word.
 */
export function releaseSaved(t: Tensor, node: GradNode): void {
  if (!node.holdsInputs) return;
  node.holdsInputs = false;
  const inputs = t.inputs;
  for (let j = 0; j < inputs.length; j++) {
    const owner = inputs[j]!.base ?? inputs[j]!;
    if (owner.savedBy > 0) owner.savedBy--;
  }
}
