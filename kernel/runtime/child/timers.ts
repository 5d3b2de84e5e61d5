// Timers started by cells, so an interrupt can cancel them (an async training loop waiting on
// `setTimeout` then never wakes up, and a forgotten `setInterval` stops printing), and so a
// timer's output goes to the cell that started it.
import { type CellRun, currentRun, runOnBehalfOf } from "./cell-context.js";

type Handle = NodeJS.Timeout | NodeJS.Immediate;

const pending = new Map<Handle, "timeout" | "immediate">();

/** The untracked originals, for the runtime's own timers. */
export const runtimeSetTimeout = globalThis.setTimeout;

/**
 * A cell's timer callback runs as a microtask of the timer's turn, not inside Node's timer code:
 * a callback that spins (`setTimeout(() => { for (;;) {} })`) can only be stopped by the
 * watchdog's termination, and one that unwinds Node's timer code mid-callback leaves its async-id
 * stack unbalanced, so Node aborts the runtime ("async hook stack has become corrupted").
 * Microtasks run after that code is done; the order of callbacks is unchanged.
 */
function runCallback(owner: CellRun | undefined, callback: () => void): void {
  queueMicrotask(() => {
    onCallback(true);
    try {
      runOnBehalfOf(owner, callback);
    } finally {
      onCallback(false);
    }
  });
}

/** Told when a cell's timer callback starts and ends (the watchdog may stop one that spins). */
let onCallback: (running: boolean) => void = () => {};

/** Wraps the global timer functions so that cell timers can be cancelled together. */
export function trackCellTimers(callbackRunning: (running: boolean) => void = () => {}): void {
  onCallback = callbackRunning;
  const originalTimeout = globalThis.setTimeout;
  const originalInterval = globalThis.setInterval;
  const originalImmediate = globalThis.setImmediate;

  const setTimeoutTracked = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    if (typeof callback !== "function") return originalTimeout(callback, ms, ...args);
    const owner = currentRun();
    const handle: NodeJS.Timeout = originalTimeout(
      (...a: unknown[]) => {
        pending.delete(handle);
        runCallback(owner, () => callback(...a));
      },
      ms,
      ...args,
    );
    pending.set(handle, "timeout");
    return handle;
  };
  const setIntervalTracked = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    if (typeof callback !== "function") return originalInterval(callback, ms, ...args);
    const owner = currentRun();
    const handle = originalInterval((...a: unknown[]) => runCallback(owner, () => callback(...a)), ms, ...args);
    pending.set(handle, "timeout");
    return handle;
  };
  const setImmediateTracked = (callback: (...args: unknown[]) => void, ...args: unknown[]) => {
    if (typeof callback !== "function") return originalImmediate(callback, ...args);
    const owner = currentRun();
    const handle: NodeJS.Immediate = originalImmediate(
      (...a: unknown[]) => {
        pending.delete(handle);
        runCallback(owner, () => callback(...a));
      },
      ...args,
    );
    pending.set(handle, "immediate");
    return handle;
  };
  // util.promisify(setTimeout) and friends keep working.
  for (const [tracked, original] of [
    [setTimeoutTracked, originalTimeout],
    [setImmediateTracked, originalImmediate],
  ] as const) {
    for (const key of Reflect.ownKeys(original)) {
      if (!(key in tracked)) Object.defineProperty(tracked, key, Object.getOwnPropertyDescriptor(original, key)!);
    }
  }
  globalThis.setTimeout = setTimeoutTracked as unknown as typeof setTimeout;
  globalThis.setInterval = setIntervalTracked as unknown as typeof setInterval;
  globalThis.setImmediate = setImmediateTracked as unknown as typeof setImmediate;
  // A timer cleared before it fires is forgotten too: the runtime's own request timers and a
  // cell's cleared timers and intervals were kept for the rest of the session (two per cell).
  globalThis.clearTimeout = untracking(globalThis.clearTimeout);
  globalThis.clearInterval = untracking(globalThis.clearInterval);
  globalThis.clearImmediate = untracking(globalThis.clearImmediate);
}

function untracking<T extends (handle?: never) => void>(clear: T): T {
  const clearTracked = (handle?: unknown) => {
    // A number (`clearTimeout(+handle)`) is cleared by Node but stays listed (cancelling it again
    // at an interrupt does nothing).
    if (typeof handle === "object" && handle !== null) pending.delete(handle as Handle);
    return clear(handle as never);
  };
  for (const key of Reflect.ownKeys(clear)) {
    if (!(key in clearTracked)) Object.defineProperty(clearTracked, key, Object.getOwnPropertyDescriptor(clear, key)!);
  }
  return clearTracked as unknown as T;
}

/** How many cell timers are pending (tests). */
export function pendingCellTimers(): number {
  return pending.size;
}

/** Cancels every pending cell timer. Returns how many there were. */
export function cancelCellTimers(): number {
  const count = pending.size;
  for (const [handle, kind] of pending) {
    if (kind === "immediate") clearImmediate(handle as NodeJS.Immediate);
    else clearTimeout(handle as NodeJS.Timeout);
  }
  pending.clear();
  return count;
}
