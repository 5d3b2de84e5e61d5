// Reverse-mode automatic differentiation. Every primitive op is one record (forward and
// backward side by side, in engine/ops/); `apply` runs a record and, when an input needs a
// gradient, remembers the op and its inputs on the output. `backward()` walks that graph in
// reverse topological order with an explicit stack (100k-node graphs must not overflow).
import { kernels } from "./kernels/index.js";
import { throwIfInterrupted } from "./interrupt.js";
import { contiguousStrides, formatShape, sameShape, shapeSize } from "./shape.js";
import { enterScratch, isScratch, leaveScratch } from "./storage.js";
import { Tensor, type TensorLike } from "./tensor.js";

/** One primitive op: how to compute it, and how its output's gradient flows to its inputs. */
export interface Primitive<Args> {
  readonly name: string;
  /** Computes the output (a fresh tensor, no graph attached). May stash what backward needs in `args`. */
  forward(inputs: readonly Tensor[], args: Args): Tensor;
  /**
   * Given d(loss)/d(out), returns d(loss)/d(input) per input (null where none is needed). The
   * returned gradients may have the broadcast output's shape: `reduceBroadcastGrad` fixes them.
   */
  backward(grad: Tensor, inputs: readonly Tensor[], out: Tensor, args: Args): (Tensor | null)[];
}

/** What a non-leaf tensor remembers about how it was made. */
export interface GradNode {
  readonly primitive: Primitive<unknown>;
  readonly args: unknown;
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
  if (!recording) return primitive.forward(inputs, args);
  enterScratch(); // the output is a graph node: cheap slab storage (see storage.ts)
  let out: Tensor;
  try {
    out = primitive.forward(inputs, args);
  } finally {
    leaveScratch();
  }
  if (out.dtype !== "int32") out.attachNode(primitive.name, inputs, { primitive: primitive as Primitive<unknown>, args });
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
      throw new Error(`reduceBroadcastGrad: gradient of shape ${formatShape(grad.shape)} does not broadcast from ${formatShape(shape)}`);
    }
  }
  // Summing many float32 values (a bias over a big batch) goes through a float64 accumulator.
  const precise = grad.dtype === "float32" && grad.size >= 1024 * Math.max(1, shapeSize(shape));
  const out = Tensor.zeros(shape, precise ? "float64" : grad.dtype);
  kernels.addStrided(grad.data, grad.shape, out.data, 0, outStrides);
  return precise ? out.to("float32") : out;
}

/**
 * Gradients of `root` with respect to every tensor in its graph that requires one, seeded with
 * `seed` (d root / d root). Non-leaf gradients are dropped once used unless `retainGrad()` was called.
 */
function computeGrads(root: Tensor, seed: Tensor, retainAll = false): { grads: Map<Tensor, Tensor>; order: Tensor[] } {
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, seed);
  // Backward ops are not recorded, and their results are scratch (dropped once used).
  const wasEnabled = gradEnabled;
  gradEnabled = false;
  enterScratch();
  try {
    for (let i = order.length - 1; i >= 0; i--) {
      throwIfInterrupted();
      const t = order[i]!;
      const node = t.node;
      const g = grads.get(t);
      if (!node || !g) continue;
      const inputGrads = node.primitive.backward(g, t.inputs, t, node.args);
      if (!t.retainsGrad && !retainAll) grads.delete(t);
      for (let j = 0; j < t.inputs.length; j++) {
        const input = t.inputs[j]!;
        let gi = inputGrads[j];
        if (!gi || !input.requiresGrad) continue;
        gi = reduceBroadcastGrad(gi, input.shape);
        if (gi.dtype !== input.dtype) gi = gi.to(input.dtype);
        const previous = grads.get(input);
        grads.set(input, previous ? previous.add(gi) : gi);
      }
    }
  } finally {
    leaveScratch();
    gradEnabled = wasEnabled;
  }
  return { grads, order };
}

// Gradients that outlive backward() must own their storage. A copy always does, but for a big
// weight it is a fresh allocation and a pass over memory each step (784×256: 800 KB). Most such
// gradients are already fresh arrays that nothing else can see — a matmul's dW — and are kept as
// they are. Anything shared is still copied: a gradient passed through unchanged (add's, the
// seed a caller gave), one array under two tensors (reshape), a slab (storage.ts), or storage of
// any tensor in the graph.
const ADOPT_MIN_BYTES = 4096; // below this a copy costs less than proving it unneeded

/** `finals`' gradients, each either itself (when provably unshared) or a copy. */
function ownedGradients(finals: [Tensor, Tensor][], seed: Tensor, order: readonly Tensor[],
  all: Map<Tensor, Tensor>): Map<Tensor, Tensor> {
  const owned = new Map<Tensor, Tensor>();
  let users: Map<ArrayBufferLike, number> | null = null;
  for (const [t, g] of finals) {
    if (g.data.byteLength < ADOPT_MIN_BYTES || isScratch(g.data)) {
      owned.set(t, g.clone());
      continue;
    }
    users ??= storageUsers(seed, order, all);
    owned.set(t, users.get(g.data.buffer) === 1 ? g : g.clone());
  }
  return owned;
}

/** How many tensors view each buffer: gradients, the seed, and the graph's tensors count twice. */
function storageUsers(seed: Tensor, order: readonly Tensor[], grads: Map<Tensor, Tensor>): Map<ArrayBufferLike, number> {
  const users = new Map<ArrayBufferLike, number>();
  const count = (t: Tensor, weight: number): void => {
    users.set(t.data.buffer, (users.get(t.data.buffer) ?? 0) + weight);
  };
  for (const g of grads.values()) count(g, 1);
  count(seed, 2);
  for (const t of order) {
    count(t, 2);
    for (const input of t.inputs) count(input, 2);
  }
  return users;
}

/** Every tensor `root` depends on through recorded ops, inputs before outputs (iterative DFS). */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: Tensor[] = [root];
  const nextInput: number[] = [0];
  while (stack.length > 0) {
    const top = stack.length - 1;
    const t = stack[top]!;
    const i = nextInput[top]!;
    if (i < t.inputs.length) {
      nextInput[top] = i + 1;
      const child = t.inputs[i]!;
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
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
    if (root.size !== 1) {
      throw new Error(`backward() on a tensor of shape ${formatShape(root.shape)} needs a gradient argument (or call .mean())`);
    }
    return Tensor.full(root.shape, 1, root.dtype);
  }
  const g = typeof gradient === "number" ? Tensor.full(root.shape, gradient, root.dtype) : gradient;
  if (!sameShape(g.shape, root.shape)) {
    throw new Error(`backward(): gradient of shape ${formatShape(g.shape)} does not match the tensor's shape ${formatShape(root.shape)}`);
  }
  return g.dtype === root.dtype ? g : g.to(root.dtype);
}

export interface BackwardOptions {
  /** Keep `.grad` on every tensor of the graph, not just leaves (to show it, e.g. `loss.graph()`). */
  retainGrads?: boolean;
}

/**
 * Backpropagates from `root`, adding d(root)/d(leaf) into every leaf's `.grad`.
 * Example: `loss.backward()` (same as `backward(loss)`)
 */
export function backward(root: Tensor, gradient?: TensorLike, options: BackwardOptions = {}): void {
  throwIfInterrupted();
  if (!root.requiresGrad) {
    throw new Error("backward(): this tensor does not require a gradient: none of the tensors it was computed from has requiresGrad=true");
  }
  const retainAll = options.retainGrads ?? false;
  const seed = seedGradient(root, gradient);
  const { grads, order } = computeGrads(root, seed, retainAll);
  noGrad(() => {
    const fresh: [Tensor, Tensor][] = [];
    for (const [t, g] of grads) {
      if (t.node && !t.retainsGrad && !retainAll) continue;
      if (t.grad) t.grad = t.grad.add(g);
      else fresh.push([t, g]);
    }
    // A .grad is its own storage: the same gradient tensor may flow to several inputs.
    for (const [t, g] of ownedGradients(fresh, seed, order, grads)) t.grad = g;
  });
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
    if (value.size !== 1) {
      throw new Error(`valueAndGrad: fn returned a tensor of shape ${formatShape(value.shape)}; it must return a single number (call .mean())`);
    }
    if (!value.requiresGrad) return { value, grads: params.map((p) => Tensor.zeros(p.shape, p.dtype)) };
    const seed = Tensor.full(value.shape, 1, value.dtype);
    const { grads, order } = computeGrads(value, seed);
    // The caller keeps these: each owns its storage and keeps no scratch slab alive.
    const owned = ownedGradients(params.flatMap((p) => { const g = grads.get(p); return g ? [[p, g] as [Tensor, Tensor]] : []; }), seed, order, grads);
    return { value, grads: params.map((p) => owned.get(p) ?? Tensor.zeros(p.shape, p.dtype)) };
  } finally {
    params.forEach((p, i) => { p.requiresGrad = wanted[i]!; });
  }
}

/** Gradients of `fn()` with respect to `params`, in order. Example: `const [dw] = grad(() => w.mul(w).sum(), [w])` */
export function grad(fn: () => Tensor, params: Tensor[]): Tensor[] {
  return valueAndGrad(fn, params).grads;
}
