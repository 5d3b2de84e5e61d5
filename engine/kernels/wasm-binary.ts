// Which build of the WebAssembly kernels this engine runs, and its bytes. Two features matter:
// 128-bit SIMD (without it the TypeScript kernels stay) and relaxed SIMD, whose fused
// multiply-add makes the matmul micro-kernel ~25% faster (two FMA ports instead of multiplies
// and adds sharing them). Relaxed SIMD is standard and on by default from V8 11.4 (Node 22,
// Chrome 114); Node 20's V8 11.3 implements it behind --experimental-wasm-relaxed-simd, which
// this file turns on when the engine has the flag but not the feature. `TSGRAD_FMA=0` keeps the
// plain SIMD build (to compare, or to rule the flag out).
import {
  FMA_KERNELS_BASE64,
  FMA_KERNELS_SHARED_BASE64,
  SIMD_KERNELS_BASE64,
  SIMD_KERNELS_SHARED_BASE64,
} from "./generated/simd-binary.js";

declare namespace WebAssembly {
  function validate(bytes: Uint8Array): boolean;
}

// The smallest module using a v128 instruction (i8x16.splat, i8x16.popcnt): engines without
// 128-bit SIMD reject it.
const SIMD_PROBE = Uint8Array.of(
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  10,
  1,
  8,
  0,
  65,
  0,
  253,
  15,
  253,
  98,
  11,
);

// A function returning f32x4.relaxed_madd of three splatted 1.0s: engines without relaxed SIMD
// reject it.
const RELAXED_SIMD_PROBE = Uint8Array.of(
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  28,
  1,
  26,
  0,
  67,
  0,
  0,
  128,
  63,
  253,
  19,
  67,
  0,
  0,
  128,
  63,
  253,
  19,
  67,
  0,
  0,
  128,
  63,
  253,
  19,
  253,
  133,
  2,
  11,
);

/** True when this engine runs WebAssembly 128-bit SIMD. Example: `hasWasmSimd()` */
export function hasWasmSimd(): boolean {
  return typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
}

let fma: boolean | null = null;

/**
 * True when the kernels run the relaxed-SIMD build (fused multiply-add), turning the feature on
 * first where the engine has it behind a flag. Decided once per process. Example: `usesFma()`
 */
export function usesFma(): boolean {
  if (fma !== null) return fma;
  fma = false;
  if (!hasWasmSimd() || (typeof process === "object" && process.env.TSGRAD_FMA === "0")) return fma;
  if (!WebAssembly.validate(RELAXED_SIMD_PROBE)) enableRelaxedSimdFlag();
  fma = WebAssembly.validate(RELAXED_SIMD_PROBE);
  return fma;
}

/**
 * Node 20's V8 (11.x) has the feature behind a flag; V8's flags are process-wide, so worker
 * threads compiling the shared build see it too. Later engines ship the feature (and may drop the
 * flag, which V8 would then report as unrecognized), so only V8 11 gets it.
 */
function enableRelaxedSimdFlag(): void {
  if (typeof process !== "object" || Number(process.versions.v8?.split(".")[0]) !== 11) return;
  const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const v8 = getBuiltinModule?.("node:v8") as { setFlagsFromString(flags: string): void } | undefined;
  v8?.setFlagsFromString("--experimental-wasm-relaxed-simd");
}

const decode = (base64: string): Uint8Array => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)); // atob: no Node Buffer needed

/**
 * The kernels' module bytes: `shared` for the build that imports a shared memory (the thread
 * pool's), else the one owning its memory; FMA or plain as `usesFma()` decided.
 */
export function simdKernelBytes(shared: boolean): Uint8Array {
  if (usesFma()) return decode(shared ? FMA_KERNELS_SHARED_BASE64 : FMA_KERNELS_BASE64);
  return decode(shared ? SIMD_KERNELS_SHARED_BASE64 : SIMD_KERNELS_BASE64);
}
