// The kernels' WebAssembly module on the calling thread and its memory: instantiated on first
// use, grown on demand, dropped when one call made it outsized (WebAssembly memory never
// shrinks), and the chunk-sized areas the elementwise kernels stream through.
import { simdKernelBytes } from "./wasm-binary.js";

// The slice of the WebAssembly JS API used here: this project's lib setting (ES2023 + node types)
// declares none of it, and the runtime global is the same in every engine.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: object;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}

export interface SimdExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  packABytes(): number;
  packBBytes(n: number): number;
  matmul(
    a: number,
    aRow: number,
    aK: number,
    b: number,
    bK: number,
    bCol: number,
    c: number,
    m: number,
    k: number,
    n: number,
    packA: number,
    packB: number,
    tile: number,
  ): void;
  im2colF32(x: number, xChannels: number, channel0: number, count: number, geo: number, cols: number): void;
  col2imF32(cols: number, xChannels: number, channel0: number, count: number, geo: number, dx: number): void;
  convScatterF32(
    c: number,
    og: number,
    count: number,
    L: number,
    outChannels: number,
    channel0: number,
    bias: number,
    out: number,
  ): void;
  convGatherF32(
    g: number,
    og: number,
    count: number,
    L: number,
    outChannels: number,
    channel0: number,
    gBlock: number,
  ): void;
  channelSumsF32(g: number, count: number, channels: number, L: number, sums: number): void;
  convForwardProductF32(
    a: number,
    aRow: number,
    aK: number,
    x: number,
    xChannels: number,
    channel0: number,
    count: number,
    geo: number,
    c: number,
    m: number,
    packA: number,
    packB: number,
    tile: number,
  ): void;
  convWeightProductF32(
    g: number,
    x: number,
    xChannels: number,
    channel0: number,
    count: number,
    geo: number,
    c: number,
    m: number,
    packA: number,
    packB: number,
    tile: number,
    lanes: number,
  ): void;
  maxPoolF32(
    x: number,
    planes: number,
    height: number,
    width: number,
    outH: number,
    outW: number,
    taps: number,
    dilationH: number,
    dilationW: number,
    out: number,
    argmax: number,
  ): void;
  maxPoolBackwardF32(g: number, argmax: number, planes: number, L: number, plane: number, dx: number): void;
  binaryF32(op: number, a: number, aStep: number, b: number, bStep: number, out: number, n: number): void;
  unaryF32(op: number, x: number, out: number, n: number): void;
  sumF32(x: number, n: number): number;
  geluF32(x: number, out: number, derivative: number, n: number): void;
  layerNormForwardF32(
    x: number,
    weight: number,
    bias: number,
    out: number,
    mean: number,
    rstd: number,
    rows: number,
    width: number,
    eps: number,
  ): void;
  layerNormBackwardF32(
    x: number,
    g: number,
    weight: number,
    mean: number,
    rstd: number,
    dx: number,
    dw: number,
    db: number,
    rows: number,
    width: number,
  ): void;
  adamF32(
    p: number,
    grad: number,
    m: number,
    v: number,
    n: number,
    beta1: number,
    beta2: number,
    keep1: number,
    keep2: number,
    eps: number,
    stepSize: number,
    invSqrtBiasCorrection2: number,
    shrink: number,
    l2: number,
  ): void;
  attentionForwardF32(
    q: number,
    k: number,
    v: number,
    out: number,
    weights: number,
    batch: number,
    heads: number,
    tq: number,
    tk: number,
    width: number,
    scale: number,
    causal: number,
    packA: number,
    packB: number,
    tile: number,
  ): void;
  attentionBackwardF32(
    q: number,
    k: number,
    v: number,
    g: number,
    weights: number,
    dq: number,
    dk: number,
    dv: number,
    dp: number,
    batch: number,
    heads: number,
    tq: number,
    tk: number,
    width: number,
    scale: number,
    causal: number,
    packA: number,
    packB: number,
    tile: number,
  ): void;
  matmulBatch(
    outer: number,
    inner: number,
    a: number,
    aOuter: number,
    aInner: number,
    aRow: number,
    aK: number,
    b: number,
    bOuter: number,
    bInner: number,
    bK: number,
    bCol: number,
    c: number,
    cOuter: number,
    cInner: number,
    ldc: number,
    m: number,
    k: number,
    n: number,
    packA: number,
    packB: number,
    tile: number,
  ): void;
}

let module: SimdExports | null = null;
let heap = new Float32Array(0);
let area: ChunkArea | null = null;

/** Module memory kept between calls; one bigger product's memory is dropped after it. */
export const KEEP_MEMORY_BYTES = 64 << 20;

export function instance(): SimdExports {
  if (module) return module;
  module = new WebAssembly.Instance(new WebAssembly.Module(simdKernelBytes(false)), {})
    .exports as unknown as SimdExports;
  return module;
}

/**
 * A float32 view of the module's memory with at least `bytes` bytes, or null when it cannot grow
 * that far (WebAssembly memory stops at 4 GB; the caller then runs the TypeScript kernel).
 */
export function heapOf(wasm: SimdExports, bytes: number): Float32Array | null {
  const have = wasm.memory.buffer.byteLength;
  if (have < bytes) {
    try {
      wasm.memory.grow(Math.ceil((bytes - have) / 65536));
    } catch {
      release();
      return null;
    }
  }
  if (heap.buffer !== wasm.memory.buffer) heap = new Float32Array(wasm.memory.buffer);
  return heap;
}

/** Drops an outsized memory (WebAssembly memory never shrinks): the next call starts small. */
export function releaseIfLarge(): void {
  if (module && module.memory.buffer.byteLength > KEEP_MEMORY_BYTES) release();
}

function release(): void {
  module = null;
  heap = new Float32Array(0);
  area = null;
}

/** Bytes of WebAssembly memory the kernels hold now (0 before first use or after a release). */
export function simdMemoryBytes(): number {
  return module ? module.memory.buffer.byteLength : 0;
}

export const align16 = (bytes: number): number => (bytes + 15) & ~15;

/**
 * Elements per chunk of an elementwise op or sum. Large operands are copied into module memory a
 * chunk at a time, so the copy in, the SIMD loop and the copy out all run in L1/L2 (two 32 KB
 * chunks) and main memory sees each operand once; copying whole 4 MB operands in, then the
 * result out, sent everything through main memory three times (kernel add of 1M elements into an
 * existing array: 1.4 ms, chunked 0.7). 4K–32K elements measured alike; 2K pays the per-chunk
 * calls and views (+10%).
 */
export const CHUNK = 8192;

/** Two chunk-sized areas of module memory and full-chunk views of them, rebuilt when memory moves. */
export interface ChunkArea {
  heap: Float32Array;
  firstPtr: number;
  secondPtr: number;
  first: Float32Array;
  second: Float32Array;
}

export function chunkArea(wasm: SimdExports): ChunkArea | null {
  const firstPtr = wasm.heapBase();
  const secondPtr = firstPtr + CHUNK * 4;
  const f32 = heapOf(wasm, secondPtr + CHUNK * 4);
  if (!f32) return null;
  if (area?.heap !== f32) {
    area = {
      heap: f32,
      firstPtr,
      secondPtr,
      first: f32.subarray(firstPtr >> 2, (firstPtr >> 2) + CHUNK),
      second: f32.subarray(secondPtr >> 2, (secondPtr >> 2) + CHUNK),
    };
  }
  return area;
}
