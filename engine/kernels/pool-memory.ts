// The matmul pool's shared WebAssembly memory: one instance of the kernels on the calling thread
// over a memory every worker instantiates too (announced with a generation number, so a worker
// tells a memory from a later one), grown on demand and dropped when a product left it outsized.
import type { MemoryMessage } from "./pool-worker.js";
import { simdKernelBytes } from "./wasm-binary.js";

// The slice of the WebAssembly JS API used here (this project's lib setting declares none of it).
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: object;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum: number; shared: boolean });
    readonly buffer: ArrayBufferLike;
    grow(pages: number): number;
  }
}

export interface SharedKernels {
  heapBase(): number;
  packABytes(): number;
  packBBytes(n: number): number;
  packedBBytes(k: number, n: number): number;
  packAllB(b: number, bK: number, bCol: number, k: number, n: number, dst: number): void;
  matmulPacked(
    a: number,
    aRow: number,
    aK: number,
    packedB: number,
    c: number,
    m: number,
    k: number,
    n: number,
    packA: number,
    tile: number,
  ): void;
}

/** Shared memory kept between calls; a bigger product's memory is dropped after it. */
export const POOL_KEEP_MEMORY_BYTES = 64 << 20;

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GB, WebAssembly's limit; V8 reserves a shared memory's maximum up front

/** A product laid out in shared memory, B packed, workers going: where C is and the caller's scratch. */
export interface StartedProduct {
  c: number;
  packA: number;
  tile: number;
  /** Room for one block of C's rows: where the caller computes a block a worker still holds. */
  redo: number;
  /** A, where it goes in shared memory, and how many of its rows are there already. */
  a: Float32Array;
  ao: number;
  aPtr: number;
  rows: number;
  m: number;
  k: number;
}

const TILE_BYTES = 4 * 8 * 4; // the kernel's edge-tile scratch
const align16 = (bytes: number): number => (bytes + 15) & ~15;

/**
 * Where a product's operands go in shared memory: A, B, C, B packed into panels, then each
 * thread's scratch (A's pack, then the edge tile, at packABytes aligned), then room for one
 * block of C that the caller recomputes.
 */
export function productLayout(kernels: SharedKernels, m: number, k: number, n: number, threads: number) {
  const aPtr = kernels.heapBase();
  const bPtr = align16(aPtr + m * k * 4);
  const cPtr = align16(bPtr + k * n * 4);
  const packedB = align16(cPtr + m * n * 4);
  const tileOffset = align16(kernels.packABytes());
  const scratch = tileOffset + TILE_BYTES;
  const scratchStart = align16(packedB + kernels.packedBBytes(k, n));
  const redo = scratchStart + threads * scratch;
  return { aPtr, bPtr, cPtr, packedB, tileOffset, scratch, scratchStart, redo };
}

export class SharedHeap {
  /** The compiled kernels (shared-memory build), which the workers instantiate as well. */
  readonly module = new WebAssembly.Module(simdKernelBytes(true));
  memory: WebAssembly.Memory | null = null;
  kernels: SharedKernels | null = null;
  heap: Float32Array<ArrayBufferLike> = new Float32Array(0);
  generation = 0;

  get byteLength(): number {
    return this.memory ? this.memory.buffer.byteLength : 0;
  }

  /** A new shared memory of at least `floats` floats, announced to the workers, with the caller's instance. */
  instantiate(floats: number, announce: (message: MemoryMessage) => void): SharedKernels | null {
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({
        initial: Math.min(MAX_PAGES, Math.ceil((floats * 4 + (1 << 20)) / PAGE)),
        maximum: MAX_PAGES,
        shared: true,
      });
    } catch {
      return null;
    }
    // Numbered before it is announced: a caller unwound in between never reuses the number, so a
    // worker can tell this memory from a later one (it skips announcements older than its job's).
    const generation = ++this.generation;
    const message: MemoryMessage = { generation, memory };
    announce(message);
    this.memory = memory;
    this.kernels = new WebAssembly.Instance(this.module, { env: { memory } }).exports as unknown as SharedKernels;
    return this.kernels;
  }

  /** A float32 view of the shared memory with at least `bytes` bytes, or null when it cannot grow. */
  reserve(bytes: number): Float32Array<ArrayBufferLike> | null {
    const memory = this.memory!;
    const have = memory.buffer.byteLength;
    if (have < bytes) {
      try {
        memory.grow(Math.ceil((bytes - have) / PAGE));
      } catch {
        return null;
      }
    }
    // A shared memory's buffer is not detached by growth, but only a fresh read sees the new length.
    if (this.heap.buffer !== memory.buffer) this.heap = new Float32Array(memory.buffer);
    return this.heap;
  }

  /** Forgets the memory (the pool's workers are told separately). */
  drop(): void {
    this.memory = null;
    this.kernels = null;
    this.heap = new Float32Array(0);
  }
}
