// Reverse-mode automatic differentiation. Every primitive op is one record (forward and
// backward side by side, in engine/ops/); `apply` runs a record and, when an input needs a
// gradient, remembers the op and its inputs on the output. `backward()` walks that graph in
// reverse topological order with an explicit stack (100k-node graphs must not overflow).

import { callerStack, checkBackward, checkForward, isAnomalyEnabled } from "./anomaly.js";
import { throwIfInterrupted } from "./interrupt.js";
import { kernels } from "./kernels/index.js";
import { sumRows } from "./kernels/row-sums.js";
import {
  checkVersions,
  enterEngine,
  graphFreedError,
  inputVersions,
  leaveEngine,
  releaseSaved,
  versionChecks,
} from "./saved-values.js";
import { contiguousStrides, formatShape, sameShape, shapeSize } from "./shape.js";
import { enterScratch, isScratch, keptCopy, leaveScratch } from "./storage.js";
import { Tensor, type TensorLike, type TypedArray } from "./tensor.js";

/** One primitive op: how to compute it, and how its output's gradient flows to its inputs. */
export interface Primitive<Args> {
  readonly name: string;
  /** Computes the output (a fresh tensor, no graph attached). May stash what backward needs in `args`. */
  forward(inputs: readonly Tensor[], args: Args): Tensor;
  /**
   * Given d(loss)/d(out), returns d(loss)/d(input) per input (null where none is needed). The
   * returned gradients may have the broadcast output's shape: `reduceBroadcastGrad` fixes them.
   * When `ownsGrad` is true nothing else views `grad`'s storage and it is dropped after this
   * call, so an elementwise backward may write its result into it and return it.
   */
  backward(grad: Tensor, inputs: readonly Tensor[], out: Tensor, args: Args, ownsGrad: boolean): (Tensor | null)[];
  /**
   * What backward reads besides shapes: false for nothing (add, reshape), "inputs" for the
   * inputs' values only (mul, matmul, relu); by default the inputs and the output (exp, div).
   * Changing what is not read in place, or a second backward, is then harmless (as in PyTorch).
   */
  readonly saves?: false | "inputs";
}

/** What a non-leaf tensor remembers about how it was made. */
export interface GradNode {
  readonly primitive: Primitive<unknown>;
  readonly args: unknown;
  /** The inputs' storage versions when recorded (null: all 0), checked before backward reads them. */
  readonly versions: number[] | null;
  /** The output's storage version when recorded. */
  readonly outVersion: number;
  /** True once a backward without `retainGraph` went through this node. */
  freed: boolean;
  /** True while this node counts in its inputs' `savedBy` (saved-values.ts). */
  holdsInputs: boolean;
  /** In anomaly mode, where the op was called (the stack without engine frames). */
  readonly trace?: string;
}

let gradEnabled = true;

/** True unless inside `noGrad`. Example: `isGradEnabled() // true` */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording a graph (evaluation, parameter updates). Synchronous code only:
 * recording resumes when `fn` returns. Example: `const yHat = noGrad(() => model.forward(x))`
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

function withGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs a primitive and records it in the graph when any input requires a gradient. */
export function apply<Args>(primitive: Primitive<Args>, inputs: Tensor[], args: Args): Tensor {
  throwIfInterrupted();
  let recording = false;
  if (gradEnabled) for (let i = 0; i < inputs.length && !recording; i++) recording = inputs[i]!.requiresGrad;
  let out: Tensor;
  enterEngine();
  if (!recording) {
    try {
      out = primitive.forward(inputs, args);
    } finally {
      leaveEngine();
    }
    if (isAnomalyEnabled()) checkForward(primitive.name, inputs, out);
    return out;
  }
  enterScratch(); // the output is a graph node: cheap slab storage (see storage.ts)
  try {
    out = primitive.forward(inputs, args);
  } finally {
    leaveScratch();
    leaveEngine();
  }
  if (out.dtype !== "int32") {
    const anomaly = isAnomalyEnabled();
    if (anomaly) checkForward(primitive.name, inputs, out);
    // An op whose backward reads no values (add, sum, reshape) needs no versions: nothing to protect.
    const versions = primitive.saves === false ? null : inputVersions(inputs);
    const outVersion = out.base === null ? 0 : out.version;
    const holdsInputs = primitive.saves !== false && versionChecks;
    const node: GradNode = {
      primitive: primitive as Primitive<unknown>,
      args,
      versions,
      outVersion,
      freed: false,
      holdsInputs,
    };
    out.attachNode(primitive.name, inputs, anomaly ? { ...node, trace: callerStack() } : node);
  }
  return out;
}

/**
 * Sums a gradient of a broadcast result back to the shape of the input that was broadcast
 * (the one central place where broadcasting is undone). Example: grad [32,10] → bias [10].
 */
export function reduceBroadcastGrad(grad: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  const offset = grad.shape.length - shape.length;
  const outStrides = new Array<number>(grad.shape.length).fill(0);
  const own = contiguousStrides(shape);
  for (let d = 0; d < shape.length; d++) {
    const gd = grad.shape[d + offset]!;
    if (shape[d] === gd) outStrides[d + offset] = own[d]!;
    else if (shape[d] !== 1) {
      throw new Error(
        `reduceBroadcastGrad: gradient of shape ${formatShape(grad.shape)} does not broadcast from ${formatShape(shape)}`,
      );
    }
  }
  if (shapeSize(shape) > 0 && repeatsAlongLeadingDims(grad.shape, shape)) {
    const sums = Tensor.zeros(shape, grad.dtype);
    sumRows(grad.raw, sums.raw);
    return sums;
  }
  // Summing many float32 values (a bias over a big batch) goes through a float64 accumulator.
  const precise = grad.dtype === "float32" && grad.numel() >= 1024 * Math.max(1, shapeSize(shape));
  const out = Tensor.zeros(shape, precise ? "float64" : grad.dtype);
  kernels.addStrided(grad.raw, grad.shape, out.raw, 0, outStrides);
  return precise ? out.to("float32") : out;
}

/**
 * True when `shape` broadcast to `full` is its trailing dimensions repeated along the leading
 * ones (a bias [10] over a batch [32,10]): the reduction is a sum of rows.
 */
function repeatsAlongLeadingDims(full: readonly number[], shape: readonly number[]): boolean {
  const offset = full.length - shape.length;
  let d = shape.length - 1;
  while (d >= 0 && shape[d] === full[d + offset]) d--;
  for (; d >= 0; d--) if (shape[d] !== 1) return false;
  return true;
}

let passCount = 0;

/**
 * One backward pass: the gradients of `root` with respect to every tensor in its graph that
 * requires one, seeded with `seed` (d root / d root). Each tensor's gradient is accumulated in
 * its `pendingGrad` slot rather than in a Map: a Map (or Set) keyed by tensors gives every fresh
 * tensor an identity hash, which V8 stores by growing the object (~1 µs per pass on a 10-op
 * graph). `release()` empties the slots. Non-leaf gradients are dropped once used unless
 * `retainGrad()` was called.
 */
class BackwardPass {
  /** Every tensor the pass can reach, inputs before outputs. */
  readonly order: Tensor[];
  private graph: Set<ArrayBufferLike> | null = null;

  constructor(
    root: Tensor,
    private readonly seed: Tensor,
    private readonly retainAll: boolean,
    private readonly retainGraph = false,
  ) {
    this.order = topologicalOrder(root);
    root.pendingGrad = seed;
  }

  run(): void {
    const { order } = this;
    const retainAll = this.retainAll;
    const retainGraph = this.retainGraph;
    // Backward ops are not recorded, and their results are scratch (dropped once used).
    const wasEnabled = gradEnabled;
    gradEnabled = false;
    enterScratch();
    enterEngine();
    try {
      for (let i = order.length - 1; i >= 0; i--) {
        throwIfInterrupted();
        const t = order[i]!;
        const node = t.node;
        const g = t.pendingGrad;
        if (!node || !g) continue;
        const kept = t.retainsGrad || retainAll;
        if (node.primitive.saves !== false) {
          if (node.freed) throw graphFreedError(node.primitive.name);
          checkVersions(
            t,
            node.versions,
            node.primitive.saves === "inputs" ? -1 : node.outVersion,
            node.primitive.name,
          );
        }
        if (!retainGraph) node.freed = true;
        const inputGrads = node.primitive.backward(g, t.inputs, t, node.args, !kept && this.sole(g));
        if (node.trace !== undefined) checkBackward(node.primitive.name, t.inputs, g, inputGrads, node.trace);
        if (!kept) t.pendingGrad = null;
        for (let j = 0; j < t.inputs.length; j++) {
          const input = t.inputs[j]!;
          let gi = inputGrads[j];
          if (!gi || !input.requiresGrad) continue;
          gi = reduceBroadcastGrad(gi, input.shape);
          if (gi.dtype !== input.dtype) gi = gi.to(input.dtype);
          const previous = input.pendingGrad;
          if (!previous) input.pendingGrad = gi;
          else if (previous.dtype === gi.dtype && this.sole(previous))
            addInto(previous.raw, gi.raw); // a residual's second path
          else input.pendingGrad = previous.add(gi);
        }
      }
    } finally {
      leaveEngine();
      leaveScratch();
      gradEnabled = wasEnabled;
    }
  }

  /** Empties every gradient slot (the pass's gradients must not outlive it through the graph). */
  release(): void {
    const { order } = this;
    const forget = !this.retainGraph;
    for (let i = 0; i < order.length; i++) {
      const t = order[i]!;
      t.pendingGrad = null;
      const node = t.node;
      if (forget && node?.freed) releaseSaved(t, node);
    }
  }

  /** True when `g`, a gradient held in some slot, is the only view of its (big, own) buffer. */
  sole(g: Tensor): boolean {
    if (g.raw.byteLength < OWN_MIN_BYTES || isScratch(g.raw)) return false;
    const buffer = g.raw.buffer;
    this.graph ??= this.graphStorage();
    if (this.graph.has(buffer)) return false;
    let views = 0;
    for (const t of this.order) {
      const other = t.pendingGrad;
      if (other !== null && other.raw.buffer === buffer && ++views > 1) return false;
    }
    return views === 1;
  }

  /** Buffers of the seed and of every tensor of the graph (outputs and their inputs). */
  private graphStorage(): Set<ArrayBufferLike> {
    const buffers = new Set<ArrayBufferLike>([this.seed.raw.buffer]);
    for (const t of this.order) {
      buffers.add(t.raw.buffer);
      for (const input of t.inputs) buffers.add(input.raw.buffer);
    }
    return buffers;
  }

  /**
   * A gradient held in a slot as one the caller may keep: itself when it is the sole view of its
   * storage, else a copy (small copies share buffers, see `keptCopy`).
   */
  owned(g: Tensor): Tensor {
    return this.sole(g) ? g : new Tensor(keptCopy(g.raw), g.shape, g.dtype);
  }
}

/** target += addend, elementwise (same length; addend may be target itself). */
function addInto(target: TypedArray, addend: TypedArray): void {
  for (let i = 0; i < target.length; i++) target[i] = target[i]! + addend[i]!;
}

// A gradient array may be overwritten (an elementwise backward writing into its incoming
// gradient, a second path accumulated into the first) or kept as a leaf's .grad without a copy
// only when nothing else can see it. Most big ones qualify — a matmul's dW, a ReLU's mask product
// — and skipping their allocation and copy saves a pass over memory each step (784×256: 800 KB).
// Anything shared does not: a gradient passed through unchanged (add's), one array under two
// tensors (reshape), a slab (storage.ts), the seed a caller gave, or storage of any graph tensor.
const OWN_MIN_BYTES = 4096; // below this a copy costs less than proving it unneeded

/**
 * Every tensor `root` depends on through recorded ops, inputs before outputs (iterative DFS).
 * Visits are marked on the tensors with the pass number (no Set: see BackwardPass).
 */
function topologicalOrder(root: Tensor): Tensor[] {
  const pass = ++passCount;
  const order: Tensor[] = [];
  root.visitedPass = pass;
  const stack: Tensor[] = [root];
  const nextInput: number[] = [0];
  while (stack.length > 0) {
    const top = stack.length - 1;
    const t = stack[top]!;
    const i = nextInput[top]!;
    if (i < t.inputs.length) {
      nextInput[top] = i + 1;
      const child = t.inputs[i]!;
      if (child.requiresGrad && child.visitedPass !== pass) {
        child.visitedPass = pass;
        stack.push(child);
        nextInput.push(0);
      }
    } else {
      stack.pop();
      nextInput.pop();
      order.push(t);
    }
  }
  return order;
}

function seedGradient(root: Tensor, gradient: TensorLike | undefined): Tensor {
  if (gradient === undefined) {
    if (root.numel() !== 1) {
      throw new Error(
        `backward() on a tensor of shape ${formatShape(root.shape)} needs a gradient argument (or call .mean())`,
      );
    }
    return Tensor.full(root.shape, 1, root.dtype);
  }
  const g = typeof gradient === "number" ? Tensor.full(root.shape, gradient, root.dtype) : gradient;
  if (!sameShape(g.shape, root.shape)) {
    throw new Error(
      `backward(): gradient of shape ${formatShape(g.shape)} does not match the tensor's shape ${formatShape(root.shape)}`,
    );
  }
  return g.dtype === root.dtype ? g : g.to(root.dtype);
}

export interface BackwardOptions {
  /** Keep `.grad` on every tensor of the graph, not just leaves (to show it, e.g. `loss.graph()`). */
  retainGrads?: boolean;
  /** Keep the graph usable for another backward (PyTorch's retain_graph); by default a backward frees it. */
  retainGraph?: boolean;
}

/**
 * Backpropagates from `root`, adding d(root)/d(leaf) into every leaf's `.grad`.
 * Example: `loss.backward()` (same as `backward(loss)`)
 */
export function backward(root: Tensor, gradient?: TensorLike, options: BackwardOptions = {}): void {
  throwIfInterrupted();
  if (!root.requiresGrad) {
    throw new Error(
      "backward(): this tensor does not require a gradient: none of the tensors it was computed from has requiresGrad=true",
    );
  }
  const retainAll = options.retainGrads ?? false;
  const pass = new BackwardPass(root, seedGradient(root, gradient), retainAll, options.retainGraph ?? false);
  const wasEnabled = gradEnabled;
  try {
    pass.run();
    gradEnabled = false;
    for (const t of pass.order) {
      const g = t.pendingGrad;
      if (g === null || (t.node && !t.retainsGrad && !retainAll)) continue;
      // A .grad shares storage with nothing else: the same gradient tensor may flow to several inputs.
      t.grad = t.grad ? t.grad.add(g) : pass.owned(g);
    }
  } finally {
    gradEnabled = wasEnabled;
    pass.release();
  }
}

/**
 * Evaluates `fn()` and its gradients with respect to `params` without touching `.grad`
 * (TensorFlow's GradientTape style). Example: `const { value, grads } = valueAndGrad(() => loss(w), [w])`
 */
export function valueAndGrad(fn: () => Tensor, params: Tensor[]): { value: Tensor; grads: Tensor[] } {
  const wanted = params.map((p) => p.requiresGrad);
  for (const p of params) {
    if (p.node) throw new Error("valueAndGrad: params must be leaf tensors (parameters), not results of ops");
    p.requiresGrad = true;
  }
  try {
    const value = withGrad(fn);
    if (!(value instanceof Tensor)) throw new Error("valueAndGrad: fn must return a Tensor");
    if (value.numel() !== 1) {
      throw new Error(
        `valueAndGrad: fn returned a tensor of shape ${formatShape(value.shape)}; it must return a single number (call .mean())`,
      );
    }
    if (!value.requiresGrad) return { value, grads: params.map((p) => Tensor.zeros(p.shape, p.dtype)) };
    const pass = new BackwardPass(value, Tensor.full(value.shape, 1, value.dtype), false);
    try {
      pass.run();
      // The caller keeps these: none shares storage with the graph or keeps a scratch slab alive.
      const grads: Tensor[] = [];
      params.forEach((p, i) => {
        const first = params.indexOf(p); // the same parameter twice gets the same gradient
        const g = p.pendingGrad;
        grads.push(first < i ? grads[first]! : g ? pass.owned(g) : Tensor.zeros(p.shape, p.dtype));
      });
      return { value, grads };
    } finally {
      pass.release();
    }
  } finally {
    params.forEach((p, i) => {
      p.requiresGrad = wanted[i]!;
    });
  }
}

/** Gradients of `fn()` with respect to `params`, in order. Example: `const [dw] = grad(() => w.mul(w).sum(), [w])` */
export function grad(fn: () => Tensor, params: Tensor[]): Tensor[] {
  return valueAndGrad(fn, params).grads;
}
