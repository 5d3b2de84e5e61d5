// Gives the C heap's free memory back to the system once the runtime is idle.
//
// glibc returns freed memory to the system only from the top of its heap, and only past the trim
// threshold, which the runtime sets high (supervisor.ts: a low one made large tensor operations
// page-fault their buffers in anew each time). What the runtime freed inside its heap stays
// resident: after the first cell, 28 of the main heap's 35 MiB were free, and `malloc_trim(0)`
// took the runtime from 183 to 153 MiB resident. Node cannot call it, so it is called through
// koffi (a foreign-function interface with prebuilt binaries) when a thread has just collected
// its garbage and nothing runs. Elsewhere (musl, macOS, Windows: no `libc.so.6` with
// `malloc_trim`) this does nothing.
import { createRequire } from "node:module";

/** What is used of koffi (its own declarations are not needed for one function). */
interface Koffi {
  load(path: string): { func(signature: string): (pad: number) => number };
}

let trim: (() => void) | null | undefined;

function loadTrim(): (() => void) | null {
  if (process.platform !== "linux") return null;
  try {
    const koffi = createRequire(import.meta.url)("koffi") as Koffi;
    const mallocTrim = koffi.load("libc.so.6").func("int malloc_trim(size_t pad)");
    return () => void mallocTrim(0);
  } catch {
    return null; // not glibc, or koffi has no binary for this platform
  }
}

/** Returns the C heap's free pages to the system (glibc; elsewhere nothing). Example: `releaseFreeMemory()` */
export function releaseFreeMemory(): void {
  if (trim === undefined) trim = loadTrim();
  trim?.();
}
