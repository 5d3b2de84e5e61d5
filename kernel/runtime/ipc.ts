// Messages between the parent (the protocol server's Interpreter) and the runtime child,
// over Node's IPC channel with `serialization: "advanced"` (structured clone).
import type {
  CompletenessResult,
  CompletionResult,
  DisplayEvent,
  ExecuteOptions,
  ExecuteOutcome,
  InspectionResult,
} from "./interpreter.js";

/** Parent → child. */
export type ToChild =
  | { type: "execute"; execId: number; code: string; fileName: string; options: ExecuteOptions }
  | { type: "interrupt"; execId: number | null } // null: while idle (finished cells' timers stop)
  | { type: "inputReply"; requestId: number; value: string }
  | { type: "complete"; requestId: number; code: string; cursorPos: number }
  | { type: "inspect"; requestId: number; code: string; cursorPos: number; detailLevel: 0 | 1 }
  | { type: "isComplete"; requestId: number; code: string };

/** Child → parent. `execId` says which execute an output belongs to (it may come late). */
export type FromChild =
  | { type: "ready" }
  | { type: "stream"; execId: number; name: "stdout" | "stderr"; text: string }
  | { type: "display"; execId: number; event: DisplayEvent }
  | { type: "clearOutput"; execId: number; wait: boolean }
  | { type: "input"; execId: number; requestId: number; prompt: string; password: boolean }
  | { type: "outcome"; execId: number; outcome: ExecuteOutcome }
  | { type: "reply"; requestId: number; result: CompletionResult | InspectionResult | CompletenessResult }
  | { type: "reply"; requestId: number; error: string }; // the analysis threw: the parent answers with its fallback

/**
 * Commands the parent writes on the child's watchdog pipe (fd 4), each ending with ";":
 * "i<execId>;" interrupts that execute (0 while idle): the watchdog records it and sets the
 * engine's interrupt flag (the next tensor op throws). "t<execId>;" stops whatever JavaScript the
 * main thread runs while that execute's cell runs, or a cell's timer callback holds it up; with
 * execId 0 (after an interrupt while idle), only a timer callback. Each names its execute: a
 * command read late must not hit the next cell.
 */
export const WATCHDOG_FD = 4;
export function watchdogInterrupt(execId: number | undefined): string {
  return `i${execId ?? 0};`;
}
export function watchdogTerminate(execId: number | undefined): string {
  return `t${execId ?? 0};`;
}
/**
 * The watchdog's answer on the same pipe when "t<execId>;" found the runtime compiling that
 * cell (finite work that must not be unwound, see child/executor.ts): ask again later.
 */
export function watchdogStillCompiling(execId: number): string {
  return `w${execId};`;
}

/**
 * The child's memory limit in MiB (heap, typed arrays, WebAssembly memory: its resident set),
 * set by the parent from limits.ts; the child's watchdog ends the child past it.
 */
export const RUNTIME_MEMORY_ENV = "TSGRAD_RUNTIME_MEMORY_LIMIT_MB";

/**
 * A socket pair on the child's fd 5 for `prompt()`, which answers synchronously: the child's main
 * thread waits inside the cell, so it cannot read IPC. A worker thread of the child writes the
 * request and reads the reply, one JSON object per line each way (child/stdin-worker.ts).
 */
export const PROMPT_FD = 5;
export interface PromptRequest {
  execId: number;
  requestId: number;
  prompt: string;
  password: boolean;
}
export interface PromptReply {
  requestId: number;
  value: string;
}
