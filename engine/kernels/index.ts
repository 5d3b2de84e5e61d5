// The active hot-loop implementation. Ops read `kernels` (a live ESM binding) at every call, so
// `setKernels` swaps implementations without touching the ops.
import { jsKernels } from "./js.js";
import type { Kernels } from "./types.js";

export type { Kernels, DType, TypedArray, UnaryOp, BinaryOp, ReduceOp } from "./types.js";
export { jsKernels } from "./js.js";

export let kernels: Kernels = jsKernels;

/** Replaces the hot loops (e.g. with a WebAssembly build). Example: `setKernels(jsKernels)` */
export function setKernels(k: Kernels): void {
  kernels = k;
}
