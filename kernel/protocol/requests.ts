// What each request's content means, read once from the untrusted JSON a client sent: fields of
// the wrong type fall back to the spec's defaults (as ipykernel's `.get(name, default)` does), and
// a request that cannot mean anything (an execute without code) is a BadRequest. Handlers get the
// typed content and never cast.
import type { ExecuteRequest, HistoryRequest, IsCompleteRequest, JsonObject, ShutdownRequest } from "./messages.js";

/** A request the kernel cannot act on: answered with an error reply of this name. */
export class BadRequest extends Error {
  override readonly name = "BadRequest";
}

export interface CommOpen {
  comm_id: string;
  target_name: string;
}

/** Every request the kernel answers, by msg_type, with the content its handler gets. */
export interface RequestContents {
  execute_request: Required<ExecuteRequest>;
  kernel_info_request: Record<string, never>;
  complete_request: { code: string; cursor_pos: number | undefined };
  inspect_request: { code: string; cursor_pos: number | undefined; detail_level: 0 | 1 };
  is_complete_request: Required<IsCompleteRequest>;
  history_request: HistoryRequest;
  comm_info_request: { target_name: string | undefined };
  comm_open: CommOpen;
  comm_msg: Record<string, never>;
  comm_close: Record<string, never>;
  shutdown_request: Required<ShutdownRequest>;
  interrupt_request: Record<string, never>;
}

export type RequestType = keyof RequestContents;

const none = (): Record<string, never> => ({});

/** One reader per request type: raw content in, typed content out (or BadRequest thrown). */
export const readRequest: { [T in RequestType]: (content: JsonObject) => RequestContents[T] } = {
  execute_request: (content) => {
    if (typeof content.code !== "string") throw new BadRequest("execute_request without code");
    return {
      code: content.code,
      // Spec defaults: silent false, store_history true, allow_stdin true, stop_on_error true.
      silent: content.silent === true,
      store_history: content.store_history !== false,
      allow_stdin: content.allow_stdin === true,
      stop_on_error: content.stop_on_error !== false,
      user_expressions: stringRecord(content.user_expressions),
    };
  },
  kernel_info_request: none,
  complete_request: (content) => ({ code: text(content.code), cursor_pos: position(content.cursor_pos) }),
  inspect_request: (content): RequestContents["inspect_request"] => ({
    code: text(content.code),
    cursor_pos: position(content.cursor_pos),
    detail_level: content.detail_level === 1 ? 1 : 0,
  }),
  is_complete_request: (content) => ({ code: text(content.code) }),
  history_request: (content) => {
    const type = content.hist_access_type;
    return {
      hist_access_type: type === "range" || type === "tail" || type === "search" ? type : undefined,
      output: content.output === true,
      raw: content.raw !== false,
      session: integer(content.session),
      start: integer(content.start),
      stop: integer(content.stop),
      n: integer(content.n),
      pattern: typeof content.pattern === "string" ? content.pattern : undefined,
      unique: content.unique === true,
    };
  },
  comm_info_request: (content) => ({
    target_name: typeof content.target_name === "string" ? content.target_name : undefined,
  }),
  comm_open: (content) => ({ comm_id: text(content.comm_id), target_name: text(content.target_name) }),
  comm_msg: none,
  comm_close: none,
  shutdown_request: (content) => ({ restart: content.restart === true }),
  interrupt_request: none,
};

/** An error reply's content (spec "Request-Reply": status, ename, evalue, traceback). */
export function errorContent(ename: string, evalue: string, extra: JsonObject = {}): JsonObject {
  return { status: "error", ename, evalue, traceback: [`${ename}: ${evalue}`], ...extra };
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** A cursor position: a non-negative integer, else undefined (the end of the code). */
function position(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

function integer(value: unknown): number | undefined {
  return Number.isSafeInteger(value) ? (value as number) : undefined;
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  // fromEntries defines own properties: a name like `__proto__` stays a name.
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}
