// Typed Jupyter messages (messaging spec 5.4) and the helpers that build them.
// Pure: no sockets, no signing (see wire.ts), no knowledge of what a cell does.

import { randomUUID } from "node:crypto";
import { userInfo } from "node:os";

export const PROTOCOL_VERSION = "5.4";

/** The header every message carries; JupyterLab drops messages missing any of these fields. */
export interface Header {
  msg_id: string;
  session: string;
  username: string;
  /** ISO 8601 with a zone. */
  date: string;
  msg_type: string;
  version: string;
  /** Clients may add fields (e.g. `subshell_id`); keep them when we echo a header. */
  [extra: string]: unknown;
}

export type JsonObject = Record<string, unknown>;

/** A decoded message. `parent_header` is `{}` for messages that answer nothing. */
export interface Message<Content extends JsonObject = JsonObject> {
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: JsonObject;
  content: Content;
  /** Raw binary frames after the content (comms, widgets). */
  buffers: Buffer[];
}

/** A message as received on a ROUTER socket: who sent it, so a reply can be routed back. */
export interface IncomingMessage extends Message {
  identities: Buffer[];
}

/** Who is speaking: one `session` per process (JupyterLab reads a new session as a restart). */
export interface Origin {
  session: string;
  username: string;
}

export function newOrigin(): Origin {
  return { session: randomUUID(), username: currentUsername() };
}

function currentUsername(): string {
  try {
    return userInfo().username;
  } catch {
    // userInfo throws when the uid has no passwd entry (some containers).
    return process.env.USER ?? "tsgrad";
  }
}

export function createHeader(origin: Origin, msgType: string): Header {
  return {
    msg_id: randomUUID(),
    session: origin.session,
    username: origin.username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** A message that answers nothing (e.g. the `starting` status). */
export function createMessage<C extends JsonObject>(origin: Origin, msgType: string, content: C): Message<C> {
  return { header: createHeader(origin, msgType), parent_header: {}, metadata: {}, content, buffers: [] };
}

/**
 * A reply or IOPub message caused by `parent`: clients match outputs to cells by
 * `parent_header.msg_id` (nbclient ignores output whose parent is not the running cell).
 */
export function childOf<C extends JsonObject>(
  origin: Origin,
  parent: Message,
  msgType: string,
  content: C,
  metadata: JsonObject = {},
): Message<C> {
  return { header: createHeader(origin, msgType), parent_header: parent.header, metadata, content, buffers: [] };
}

/** `execute_request` → `execute_reply`: the spec's naming rule for replies. */
export function replyTypeFor(requestType: string): string {
  return requestType.replace(/_request$/, "_reply");
}

// Request contents the server reads. Fields are optional where clients omit them.

export interface ExecuteRequest extends JsonObject {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: Record<string, string>;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}

export interface CompleteRequest extends JsonObject {
  code: string;
  cursor_pos?: number;
}

export interface InspectRequest extends JsonObject {
  code: string;
  cursor_pos?: number;
  detail_level?: 0 | 1;
}

export interface IsCompleteRequest extends JsonObject {
  code: string;
}

export interface HistoryRequest extends JsonObject {
  output?: boolean;
  raw?: boolean;
  hist_access_type?: "range" | "tail" | "search";
  session?: number;
  start?: number;
  stop?: number;
  n?: number;
  pattern?: string;
  unique?: boolean;
}

export interface ShutdownRequest extends JsonObject {
  restart?: boolean;
}

export interface InputReply extends JsonObject {
  value: string;
}
