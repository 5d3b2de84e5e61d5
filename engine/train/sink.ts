// Where live outputs (charts, progress bars) go. The engine knows nothing of Jupyter: a
// notebook runtime registers its display function under a global symbol; in plain Node the
// outputs fall back to lines of text on stdout.
//
// The runtime also calls every registered flush before it replies to a cell, so throttled
// outputs end showing their final state (a saved notebook holds the finished chart).

/** A displayed output that can be replaced in place (a Jupyter `display_id`). */
export interface OutputHandle {
  update(value: unknown): void;
}

/** Shows a value as a new output (the runtime's `display()`). */
export type DisplayFunction = (value: unknown) => OutputHandle;

/** The global symbol under which a notebook runtime puts its `display` function. */
export const DISPLAY_SINK = Symbol.for("tsgrad.display");
/** The global symbol of the function the runtime calls before each cell's reply. */
export const FLUSH_BEFORE_REPLY = Symbol.for("tsgrad.flushBeforeReply");

/** The notebook's display function, or undefined in plain Node. */
export function notebookDisplay(): DisplayFunction | undefined {
  const display = (globalThis as Record<symbol, unknown>)[DISPLAY_SINK];
  return typeof display === "function" ? (display as DisplayFunction) : undefined;
}

const flushers = new Set<() => void>();

/** Runs `flush` before the running cell replies (once; register again for the next cell). */
export function flushBeforeReply(flush: () => void): void {
  flushers.add(flush);
}

/** Forgets a flush registered with `flushBeforeReply` (the output finished on its own). */
export function cancelFlush(flush: () => void): void {
  flushers.delete(flush);
}

function flushAll(): void {
  const pending = [...flushers];
  flushers.clear();
  for (const flush of pending) flush();
}

Object.defineProperty(globalThis, FLUSH_BEFORE_REPLY, { value: flushAll, configurable: true });
