// How a check speaks: a pass is one short line in the notebook (a ✓ and what was checked); a
// failure is a CheckError whose message says what was expected, what came and the hint. The
// kernel leaves the engine's own frames out of a traceback, so the student sees the check cell.
import { JUPYTER_DISPLAY, type MimeBundle } from "../display.js";
import { escapeHtml } from "../html.js";
import { notebookDisplay } from "../train/sink.js";

/** What every check accepts besides its values. */
export interface CheckOptions {
  /** What is being checked, as the student would say it, e.g. `"mse(predictions, targets)"`. */
  label?: string;
  /** Shown under a failure: what to look at next. */
  hint?: string;
}

/** A failed check: the message says what was expected, what came, and the hint. */
export class CheckError extends Error {
  constructor(message: string, hint?: string) {
    super(hint ? `${message}\nHint: ${hint}` : message);
    this.name = "CheckError";
  }
}

/** One passed check, displayed as a line of text (and HTML in a notebook). */
export class CheckPassed {
  constructor(readonly text: string) {}

  toString(): string {
    return `✓ ${this.text}`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    const html = `<div style="font-family:var(--jp-code-font-family,monospace)"><span style="color:#1a7f37;font-weight:bold">✓</span> ${escapeHtml(this.text)}</div>`;
    return { "text/html": html, "text/plain": this.toString() };
  }
}

/** Shows a passed check: in a notebook as its own output, in plain Node as a line on stdout. */
export function pass(text: string): void {
  if (quiet > 0) return;
  const passed = new CheckPassed(text);
  const display = notebookDisplay();
  if (display) display({ data: passed[JUPYTER_DISPLAY](), metadata: {} });
  else console.log(passed.toString());
}

let quiet = 0;
/** Runs checks whose pass lines the caller sums up in one line of its own. */
export function withoutPassLines<T>(fn: () => T): T {
  quiet++;
  try {
    return fn();
  } finally {
    quiet--;
  }
}

/** The label a check names its value by. */
export function labelOf(options: CheckOptions, fallback: string): string {
  return options.label ?? fallback;
}

/** The stub an exercise starts from throws this message (`throw new Error("not implemented yet")`). */
export function isNotImplemented(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" && /not implemented/i.test(message);
}

/**
 * The value under check. A function is called first, so an exercise left as its stub fails with
 * "not implemented yet" and the hint, and an error in the student's code keeps its own frames
 * (the cell's lines) with the check and the hint added to its message.
 */
export function evaluate<T>(actual: T | (() => T), label: string, hint: string | undefined): T {
  if (typeof actual !== "function") return actual;
  try {
    return (actual as () => T)();
  } catch (error) {
    if (isNotImplemented(error)) {
      throw new CheckError(
        `${label}: not implemented yet (write your code in the exercise's cell, in place of the line that throws)`,
        hint,
      );
    }
    if (error instanceof Error) {
      try {
        error.message = `${error.message}\n(raised while checking ${label})${hint ? `\nHint: ${hint}` : ""}`;
      } catch {
        // A frozen error keeps its message; it is still rethrown as it came.
      }
      throw error;
    }
    throw new CheckError(`${label} threw ${String(error)}`, hint);
  }
}
