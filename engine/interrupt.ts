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

let unwindGuard: Int32Array = new Int32Array(1);

/**
 * Runs `work` where the kernel must not end the JavaScript midway (loading a library: a module
 * left half-evaluated stays broken for the session); an interrupt takes effect once it returns.
 * Example: `withoutUnwinding(() => 1 + 1) // 2`
 */
export function withoutUnwinding<T>(work: () => T): T {
  Atomics.add(unwindGuard, 0, 1);
  try {
    return work();
  } finally {
    Atomics.sub(unwindGuard, 0, 1);
  }
}

/**
 * Shares withoutUnwinding's count with the thread that ends JavaScript midway (the kernel's
 * watchdog), which waits while it is above 0. Example: `useUnwindGuard(new Int32Array(new SharedArrayBuffer(4)))`
 */
export function useUnwindGuard(shared: Int32Array): void {
  unwindGuard = shared;
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
