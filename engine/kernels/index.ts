// The active hot-loop implementation. Ops read `kernels` (a live ESM binding) at every call, so
// `setKernels` swaps implementations without touching the ops. The default is the WebAssembly
// SIMD build where the engine supports it; `TSGRAD_KERNELS=js|wasm` forces one (for tests and
// for comparing), and a request for wasm where SIMD is missing falls back to TypeScript.
import { jsKernels } from "./js.js";
import { hasWasmSimd, simdKernels } from "./simd.js";
import type { Kernels } from "./types.js";

export { jsKernels } from "./js.js";
export { hasWasmSimd, simdKernels } from "./simd.js";
export type {
  AdamCoefficients,
  AttentionShape,
  BatchMatrix,
  BinaryOp,
  DType,
  Kernels,
  ReduceOp,
  TypedArray,
  UnaryOp,
} from "./types.js";
export { usesFma } from "./wasm-binary.js";

/** The kernels to start with, given `TSGRAD_KERNELS` and the engine's WebAssembly support. */
function chooseKernels(requested: string | undefined): Kernels {
  if (requested === "js") return jsKernels;
  return hasWasmSimd() ? simdKernels : jsKernels;
}

export let kernels: Kernels = chooseKernels(typeof process === "object" ? process.env.TSGRAD_KERNELS : undefined);

/** Replaces the hot loops (e.g. with a WebAssembly build). Example: `setKernels(jsKernels)` */
export function setKernels(k: Kernels): void {
  kernels = k;
}
