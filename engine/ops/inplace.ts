// In-place ops (PyTorch's trailing underscore): add_ sub_ mul_ div_ clamp_ zero_ fill_ copy_
// and the initialisers uniform_ normal_. Each writes into the tensor's own storage and bumps its
// version, so a graph that saved the old values refuses to backpropagate through them (autograd
// checks versions) instead of computing a silently wrong gradient. The rules are PyTorch's:
// - a leaf that requires grad may change only inside noGrad (a parameter update);
// - a non-leaf changes differentiably: the op is recorded on it, its old values kept aside;
// - a view (reshape, detach) of a tensor autograd tracks cannot change while recording.
import { isGradEnabled, noGrad } from "../autograd.js";
import { throwIfInterrupted } from "../interrupt.js";
import { type BinaryOp, kernels } from "../kernels/index.js";
import { type RandomGenerator, randomGenerator } from "../random.js";
import { broadcastShapes, broadcastStrides, contiguousStrides, formatShape, sameShape } from "../shape.js";
import { Tensor, type TensorLike } from "../tensor.js";
import { operands, promote } from "./operand.js";

/** Options of the random initialisers. */
export interface GeneratorOption {
  /** Draw from this generator instead of the global one. Example: `{ generator: new Generator().manualSeed(1) }` */
  generator?: RandomGenerator;
}

/** Why x cannot change in place while recording (null when it can). */
function blocked(op: string, x: Tensor): string | null {
  const owner = x.base ?? x;
  if (x.requiresGrad && (x.isLeaf || owner.isLeaf)) {
    const what = x.isLeaf ? "a leaf Variable" : "a view of a leaf Variable";
    return (
      `${op}: ${what} that requires grad is being used in an in-place operation. ` +
      `Change parameters inside noGrad(() => { w.sub_(w.grad!.mul(lr)); }) (PyTorch's with torch.no_grad()), or use the out-of-place ${op.slice(0, -1)}()`
    );
  }
  if (x.base !== null) {
    return `${op}: this tensor is a view (reshape, view, detach) of another, and changing it in place while recording would bypass the graph; use the out-of-place ${op.slice(0, -1)}(), or clone() first`;
  }
  return null;
}

/**
 * Writes `compute(x)` (an out-of-place result of x's shape) into x's storage. While recording,
 * a non-leaf x takes over the result's place in the graph; its previous self lives on as a copy
 * holding the old values (what the ops that saved it need).
 */
function inPlace(op: string, x: Tensor, others: readonly Tensor[], compute: (self: Tensor) => Tensor): Tensor {
  throwIfInterrupted();
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? "null" : typeof x}`);
  const recording = isGradEnabled() && (x.requiresGrad || others.some((o) => o.requiresGrad));
  if (!recording) {
    writeInto(
      op,
      x,
      noGrad(() => compute(x)),
    );
    x.markModified();
    return x;
  }
  const why = blocked(op, x);
  if (why) throw new Error(why);
  const old = new Tensor(x.raw.slice(), [...x.shape], x.dtype);
  if (x.node) old.attachNode(x.op, x.inputs, { ...x.node, outVersion: 0 });
  const result = compute(old);
  writeInto(op, x, result);
  x.markModified();
  if (result.node) x.attachNode(result.op, result.inputs, { ...result.node, outVersion: x.version });
  return x;
}

function writeInto(op: string, x: Tensor, result: Tensor): void {
  if (!sameShape(result.shape, x.shape)) {
    throw new Error(
      `${op}: the result has shape ${formatShape(result.shape)}, but an in-place op keeps the tensor's shape ${formatShape(x.shape)}`,
    );
  }
  if (x.dtype === "int32" && result.dtype !== "int32") {
    throw new TypeError(
      `${op}: the result is ${result.dtype} and cannot be written into this int32 tensor; use the out-of-place ${op.slice(0, -1)}() or x.float() first`,
    );
  }
  if (result.raw !== x.raw) x.raw.set(result.raw);
}

const NO_STRIDES: number[] = [];

/** a op= b; the common unrecorded case runs the kernel straight into a's storage. */
function binaryInPlace(
  op: string,
  kernel: BinaryOp,
  x: Tensor,
  other: TensorLike,
  compute: (self: Tensor, b: Tensor) => Tensor,
): Tensor {
  const [a, b] = operands(op, x, other);
  const direct = !isGradEnabled() || (!a.requiresGrad && !b.requiresGrad);
  const dtype = kernel === "div" && a.dtype === "int32" ? "float32" : promote(a.dtype, b.dtype);
  if (direct && dtype === a.dtype && b.ndim <= a.ndim && sameShape(broadcastShapes(op, a.shape, b.shape), a.shape)) {
    throwIfInterrupted();
    const same = sameShape(a.shape, b.shape);
    kernels.binary(
      kernel,
      a.raw,
      same ? NO_STRIDES : contiguousStrides(a.shape),
      b.raw,
      same ? NO_STRIDES : broadcastStrides(b.shape, a.shape),
      a.raw,
      a.shape,
    );
    a.markModified();
    return a;
  }
  return inPlace(op, a, [b], (self) => compute(self, b));
}

/** x += other, in place (broadcasting other). Example: `noGrad(() => w.add_(1))` */
export function add_(x: Tensor, other: TensorLike): Tensor {
  return binaryInPlace("add_", "add", x, other, (s, b) => s.add(b));
}
/** x −= other, in place. Example: `noGrad(() => w.sub_(w.grad!.mul(0.1)))` */
export function sub_(x: Tensor, other: TensorLike): Tensor {
  return binaryInPlace("sub_", "sub", x, other, (s, b) => s.sub(b));
}
/** x *= other, in place. Example: `noGrad(() => w.mul_(0.9))` */
export function mul_(x: Tensor, other: TensorLike): Tensor {
  return binaryInPlace("mul_", "mul", x, other, (s, b) => s.mul(b));
}
/** x /= other, in place. Example: `noGrad(() => w.div_(w.norm()))` */
export function div_(x: Tensor, other: TensorLike): Tensor {
  return binaryInPlace("div_", "div", x, other, (s, b) => s.div(b));
}

/** Limits x to [min, max] in place (either bound may be null). Example: `noGrad(() => w.clamp_(-1, 1))` */
export function clamp_(x: Tensor, min?: number | null, max?: number | null): Tensor {
  return inPlace("clamp_", x, [], (s) => s.clamp(min, max));
}

/** Sets every element to 0. Example: `w.grad!.zero_()` */
export function zero_(x: Tensor): Tensor {
  return fill_(x, 0);
}

/** Sets every element to `value`. Example: `noGrad(() => b.fill_(0.1))` */
export function fill_(x: Tensor, value: number): Tensor {
  if (typeof value !== "number")
    throw new TypeError(
      `fill_: value must be a number, got ${typeof value}${(value as unknown) instanceof Tensor ? " (a Tensor: use copy_)" : ""}`,
    );
  if (!recordsOn(x)) {
    throwIfInterrupted();
    x.raw.fill(value);
    x.markModified();
    return x;
  }
  return inPlace("fill_", x, [], (s) => s.mul(0).add(value));
}

/** Copies `src` (broadcast to x's shape, converted to x's dtype) into x. Example: `noGrad(() => target.weight.copy_(online.weight))` */
export function copy_(x: Tensor, src: TensorLike): Tensor {
  const source = src instanceof Tensor ? src : Tensor.full([], src, x.dtype);
  broadcastShapes("copy_", source.shape, x.shape);
  return inPlace("copy_", x, [source], (s) => {
    const moved = source.dtype === s.dtype ? source : source.to(s.dtype);
    return s.mul(0).add(moved);
  });
}

function recordsOn(x: Tensor): boolean {
  return isGradEnabled() && x.requiresGrad;
}

function fillRandom(op: string, x: Tensor, draw: () => number): Tensor {
  if (x.dtype === "int32") throw new TypeError(`${op}: needs a float tensor, got int32`);
  const values = Tensor.zeros(x.shape, x.dtype);
  for (let i = 0; i < values.raw.length; i++) values.raw[i] = draw();
  if (!recordsOn(x)) {
    x.raw.set(values.raw);
    x.markModified();
    return x;
  }
  return inPlace(op, x, [], (s) => s.mul(0).add(values));
}

/** Fills x with uniform draws from [low, high). Example: `noGrad(() => w.uniform_(-0.1, 0.1))` */
export function uniform_(x: Tensor, low = 0, high = 1, { generator }: GeneratorOption = {}): Tensor {
  if (!(high >= low)) throw new RangeError(`uniform_: expected low <= high, got ${low} and ${high}`);
  const gen = generator ?? randomGenerator();
  return fillRandom("uniform_", x, () => gen.uniform(low, high));
}

/** Fills x with normal draws of the given mean and std. Example: `noGrad(() => w.normal_(0, 0.02))` */
export function normal_(x: Tensor, mean = 0, std = 1, { generator }: GeneratorOption = {}): Tensor {
  if (!(std >= 0)) throw new RangeError(`normal_: std must be non-negative, got ${std}`);
  const gen = generator ?? randomGenerator();
  return fillRandom("normal_", x, () => gen.normal(mean, std));
}
