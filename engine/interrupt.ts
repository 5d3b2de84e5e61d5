// Cooperative interruption. A cell's training loop runs ops; every op dispatch and every
// backward() checks one flag, so the kernel can stop the loop between ops (an async loop
// yields to the event loop; a synchronous one, run in a worker, sees a shared flag).

let flag: Int32Array = new Int32Array(1);

/** Asks the next op (or backward step) to throw a `KeyboardInterrupt`. Example: `requestInterrupt()` */
export function requestInterrupt(): void {
  Atomics.store(flag, 0, 1);
}

/** Forgets a pending interrupt request. Example: `clearInterrupt()` */
export function clearInterrupt(): void {
  Atomics.store(flag, 0, 0);
}

/** True while an interrupt is pending. Example: `interruptRequested() // false` */
export function interruptRequested(): boolean {
  return flag[0] !== 0;
}

/**
 * Uses a flag in shared memory, so another thread (the kernel's protocol loop) can interrupt
 * code running synchronously in this one. Example: `useInterruptFlag(new Int32Array(new SharedArrayBuffer(4)))`
 */
export function useInterruptFlag(shared: Int32Array): void {
  flag = shared;
}

/**
 * The flag ops check, so threads the engine starts (distributed.spawn's ranks) can share it.
 * Example: `useInterruptFlag(interruptFlag())`
 */
export function interruptFlag(): Int32Array {
  return flag;
}

/** An Error named `KeyboardInterrupt`, like Python's. */
export class KeyboardInterrupt extends Error {
  constructor(message = "interrupted") {
    super(message);
    this.name = "KeyboardInterrupt";
  }
}

/**
 * Throws a `KeyboardInterrupt` (once) if an interrupt was requested. Cheap: one array read.
 * Example: `for (;;) { throwIfInterrupted(); step(); }`
 */
export function throwIfInterrupted(): void {
  if (flag[0] !== 0) {
    clearInterrupt();
    throw new KeyboardInterrupt();
  }
}
