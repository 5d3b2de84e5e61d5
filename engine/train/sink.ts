// Where live outputs (charts, progress bars) go. The engine knows nothing of Jupyter: a
// notebook runtime connects its display function here (kernel/runtime/child imports this
// module); in plain Node nothing is connected and the outputs fall back to lines of text.
// Live objects build their own bundles (the one display rule: see engine/display.ts), so the
// sink carries finished bundles, never values for someone else to format.
//
// The runtime also calls `flushPendingOutputs()` before it replies to a cell, so throttled
// outputs end showing their final state (a saved notebook holds the finished chart).
import type { DisplayData } from "../display.js";

/** A displayed output that can be replaced in place (a Jupyter `display_id`). */
export interface OutputHandle {
  update(output: DisplayData): void;
}

/** Shows a bundle as a new output (the runtime's `display(bundle, { raw: true })`). */
export type NotebookDisplay = (output: DisplayData) => OutputHandle;

let connected: NotebookDisplay | undefined;

/** The runtime connects its display function (undefined disconnects). Example: `connectNotebook((o) => ({ update() {} }))` */
export function connectNotebook(display: NotebookDisplay | undefined): void {
  connected = display;
}

/** The notebook's display function, or undefined in plain Node. */
export function notebookDisplay(): NotebookDisplay | undefined {
  return connected;
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

/** Sends every throttled output's final state: the runtime calls this before each cell's reply. */
export function flushPendingOutputs(): void {
  const pending = [...flushers];
  flushers.clear();
  for (const flush of pending) flush();
}
