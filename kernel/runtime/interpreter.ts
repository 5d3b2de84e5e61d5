// The contract between the protocol server (kernel/server.ts) and the cell runtime.
// The server knows nothing about TypeScript, vm contexts or tensors; the runtime knows
// nothing about ZeroMQ, headers or signatures. Everything crosses this interface.
//
// Positions (cursorPos, cursorStart, cursorEnd) are UTF-16 offsets into the cell text
// here; the server converts from and to the protocol's Unicode code points.

/** A MIME bundle: MIME type → payload (string, or JSON for +json types). */
export type MimeBundle = Record<string, unknown>;

/** A display as it goes out on IOPub (`display_data` or `update_display_data`). */
export interface DisplayEvent {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  /** `transient.display_id`; required when `update` is true. */
  displayId?: string;
  /** true → `update_display_data` of an earlier display with the same displayId. */
  update: boolean;
}

/** Callbacks through which a running cell's output reaches the client, in order. */
export interface ExecuteEvents {
  stream(name: "stdout" | "stderr", text: string): void;
  display(event: DisplayEvent): void;
  clearOutput(wait: boolean): void;
  /**
   * Ask the client for a line of input (`input_request` on stdin). Only called when the
   * request allowed stdin; resolves with the `input_reply` value.
   */
  input(prompt: string, password: boolean): Promise<string>;
}

export interface ExecuteOptions {
  silent: boolean;
  storeHistory: boolean;
  allowStdin: boolean;
  /** Expressions to evaluate after the code: name → source. */
  userExpressions: Record<string, string>;
}

/** What one user expression evaluated to (spec: `user_expressions` in execute_reply). */
export type UserExpressionResult =
  | { status: "ok"; data: MimeBundle; metadata: Record<string, unknown> }
  | { status: "error"; ename: string; evalue: string; traceback: string[] };

export interface ExecuteError {
  status: "error";
  ename: string;
  evalue: string;
  /** Lines as shown to the user (may contain ANSI colour codes), cell positions only. */
  traceback: string[];
  userExpressions: Record<string, UserExpressionResult>;
}

export interface ExecuteOk {
  status: "ok";
  /** The value of the cell's last expression, formatted; absent when there is none. */
  result?: { data: MimeBundle; metadata: Record<string, unknown> };
  userExpressions: Record<string, UserExpressionResult>;
}

export type ExecuteOutcome = ExecuteOk | ExecuteError;

export interface CompletionResult {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
  /** e.g. `{ _jupyter_types_experimental: [{ start, end, text, type, signature }] }` */
  metadata: Record<string, unknown>;
}

export interface InspectionResult {
  found: boolean;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

export type CompletenessResult =
  | { status: "complete" }
  | { status: "incomplete"; indent: string }
  | { status: "invalid" }
  | { status: "unknown" };

export interface Interpreter {
  /** Runs one cell. Never rejects: every failure is an ExecuteError. */
  execute(code: string, options: ExecuteOptions, events: ExecuteEvents): Promise<ExecuteOutcome>;
  complete(code: string, cursorPos: number): Promise<CompletionResult>;
  inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectionResult>;
  isComplete(code: string): Promise<CompletenessResult>;
  /** Stop the running cell (if any) as soon as possible; its execute resolves with an error. */
  interrupt(): void;
  /** Release everything (child processes, timers) so the process can exit. */
  shutdown(): Promise<void>;
}
