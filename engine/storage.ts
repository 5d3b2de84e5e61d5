// Where tensor elements live. A fresh ArrayBuffer above 64 bytes costs V8 an off-heap
// allocation (~1–2 µs plus GC bookkeeping) — more than a whole op on the classroom's tiny
// tensors. So while autograd records a graph or runs backward (the "scratch" phases, whose
// outputs are graph nodes and gradients), small arrays are carved from a shared 16 KB slab
// instead (~50 ns). A slab is freed once nothing views it; to keep one small kept tensor from
// holding a whole slab, leaf gradients and `detach()` copy out of it. Slabs are never reused,
// so every array starts zeroed, except from `allocateUnfilled`, for outputs a kernel overwrites.
// Small leaf gradients are copied into shared 4 KB buffers, filled across backward passes: a
// small model allocates one every few steps, not one per parameter.
import type { DType, TypedArray } from "./kernels/index.js";

const SLAB_BYTES = 16 * 1024;
const SLAB_MAX_BYTES = 2 * 1024; // larger arrays get their own buffer: their ops cost more anyway
const ON_HEAP_BYTES = 64; // V8 keeps arrays this small on its heap, already cheap

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;
let scratchDepth = 0;

/** Starts a phase whose small allocations come from slabs (pair with `leaveScratch`). */
export function enterScratch(): void {
  scratchDepth++;
}

export function leaveScratch(): void {
  scratchDepth--;
}

/** True when `data` is a view into a shared slab (so keeping it keeps the slab). */
export function isScratch(data: TypedArray): boolean {
  return data.byteLength < data.buffer.byteLength;
}

/** Zero-filled storage for `size` elements of `dtype`. Example: `allocate("float32", 10)` */
export function allocate(dtype: DType, size: number): TypedArray {
  const width = dtype === "float64" ? 8 : 4;
  const bytes = size * width;
  if (scratchDepth === 0 || bytes <= ON_HEAP_BYTES || bytes > SLAB_MAX_BYTES) return fresh(dtype, size);
  const offset = (used + 7) & ~7; // 8-byte alignment suits every dtype
  if (offset + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = bytes;
    return view(dtype, slab, 0, size);
  }
  used = offset + bytes;
  return view(dtype, slab, offset, size);
}

/**
 * Arrays at least this large skip the zero fill when the caller overwrites every element. Zeroing
 * is a full write pass, a third of an elementwise op's memory traffic (1M float32: 0.18 ms of a
 * 0.6 ms add); below 4 KB it costs less than the extra Buffer object.
 */
export const UNFILLED_MIN_BYTES = 4096;

/**
 * Storage for `size` elements whose contents are unspecified: only for callers that write every
 * element before anything reads it (elementwise kernel outputs). Node's `Buffer.allocUnsafeSlow`
 * is the one way to get an ArrayBuffer without the zero fill; elsewhere this is `allocate`.
 * Example: `allocateUnfilled("float32", 1 << 20)`
 */
export function allocateUnfilled(dtype: DType, size: number): TypedArray {
  const bytes = size * (dtype === "float64" ? 8 : 4);
  if (bytes < UNFILLED_MIN_BYTES || typeof Buffer !== "function") return allocate(dtype, size);
  // Unpooled: the buffer is exactly this array, so `isScratch` stays false and nothing else shares it.
  return view(dtype, Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer, 0, size);
}

const KEPT_PACK_BYTES = 4 * 1024;
let pack = new ArrayBuffer(0);
let packUsed = 0;

/**
 * A copy of `source` that outlives the current phase (a leaf gradient). Copies between 64 bytes
 * and 2 KB are carved from shared 4 KB buffers, one after another across backward passes, so a
 * kept one keeps at most 4 KB alive and a small model's step allocates a buffer only every few
 * steps (each allocation cost more than a batch-1 backward pass's bookkeeping).
 */
export function keptCopy(source: TypedArray): TypedArray {
  const bytes = source.byteLength;
  const dtype = dtypeOfArray(source);
  let copy: TypedArray;
  if (bytes <= ON_HEAP_BYTES || bytes > SLAB_MAX_BYTES) copy = fresh(dtype, source.length);
  else {
    if (packUsed + bytes > pack.byteLength) {
      pack = new ArrayBuffer(KEPT_PACK_BYTES);
      packUsed = 0;
    }
    copy = view(dtype, pack, packUsed, source.length);
    packUsed = (packUsed + bytes + 7) & ~7;
  }
  copy.set(source);
  return copy;
}

function dtypeOfArray(data: TypedArray): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  return "int32";
}

function fresh(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
  }
}

function view(dtype: DType, buffer: ArrayBuffer, offset: number, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer, offset, size);
    case "float64":
      return new Float64Array(buffer, offset, size);
    case "int32":
      return new Int32Array(buffer, offset, size);
  }
}
