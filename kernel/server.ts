// The kernel's protocol loop: a handler table keyed by msg_type, `busy` → reply → `idle`
// around every request, one shell request at a time, queued executes aborted after an error.
// It talks to the cell runtime only through the Interpreter interface and never runs user code,
// so control requests are answered while a cell computes.

import { History } from "./history.js";
import { RequestOutput } from "./iopub.js";
import { kernelInfoContent } from "./protocol/kernel-info.js";
import {
  childOf,
  createMessage,
  type IncomingMessage,
  type JsonObject,
  type Message,
  newOrigin,
  type Origin,
  replyTypeFor,
} from "./protocol/messages.js";
import { codePointLength, codePointsToUtf16, utf16ToCodePoints } from "./protocol/positions.js";
import { BadRequest, errorContent, type RequestContents, type RequestType, readRequest } from "./protocol/requests.js";
import type { ExecuteEvents, ExecuteOutcome, InspectionResult, Interpreter } from "./runtime/interpreter.js";
import type { ReceiveChannel, Transport } from "./sockets.js";
import { PendingInputs } from "./stdin.js";

export interface ServerOptions {
  transport: Transport;
  interpreter: Interpreter;
  log: (line: string) => void;
  /** Called once a `shutdown_request` has been answered and the interpreter released. */
  onShutdown: (restart: boolean) => void;
  origin?: Origin;
  /** tsgrad's version (package.json). */
  implementationVersion?: string;
  /** The TypeScript version cells are compiled with. */
  languageVersion?: string;
}

/** Answers one request type: the raw message (for its header and identities) and its read content. */
type Handler<T extends RequestType> = (
  message: IncomingMessage,
  content: RequestContents[T],
  channel: ReceiveChannel,
) => Promise<void>;

/** A channel's handlers, typed by message type: each gets the content its type reads to. */
type HandlerTable<T extends RequestType> = { [K in T]: Handler<K> };

/** A handler behind its content reader: what the dispatch looks up by msg_type. */
type Route = (message: IncomingMessage, channel: ReceiveChannel) => Promise<void>;

type ShellRequest = Exclude<RequestType, "interrupt_request">;
type ControlRequest = "kernel_info_request" | "shutdown_request" | "interrupt_request";

export const ABORTED_ENAME = "ExecutionAborted";
const RUNTIME_SHUTDOWN_GRACE_MS = 3000;

export class KernelServer {
  readonly origin: Origin;
  readonly history = new History();
  private executionCount = 0;
  private readonly shellQueue: IncomingMessage[] = [];
  private readonly toAbort = new WeakSet<IncomingMessage>();
  private drainingShell = false;
  private readonly inputs = new PendingInputs();
  private shutdownAfterIdle: { restart: boolean } | null = null;
  private iopubTail: Promise<void> = Promise.resolve();

  /** Spec "Messages on the shell (ROUTER/DEALER) channel"; run one at a time, in order. */
  private readonly shellRoutes = routes<ShellRequest>({
    execute_request: (m, content) => this.executeRequest(m, content),
    kernel_info_request: (m, _, c) => this.kernelInfoRequest(m, c),
    complete_request: (m, content) => this.completeRequest(m, content),
    inspect_request: (m, content) => this.inspectRequest(m, content),
    is_complete_request: (m, content) => this.isCompleteRequest(m, content),
    history_request: (m, content) => this.historyRequest(m, content),
    comm_info_request: (m) => this.reply("shell", m, { status: "ok", comms: {} }),
    comm_open: (m, content) => this.commOpen(m, content),
    // No comm targets exist, so messages to comms have nowhere to go.
    comm_msg: async () => {},
    comm_close: async () => {},
    // Deprecated on shell but still sent by old clients.
    shutdown_request: (m, content, c) => this.shutdownRequest(m, content, c),
  });

  /** Spec "Control channel": answered at once, even while a shell request runs. */
  private readonly controlRoutes = routes<ControlRequest>({
    kernel_info_request: (m, _, c) => this.kernelInfoRequest(m, c),
    shutdown_request: (m, content, c) => this.shutdownRequest(m, content, c),
    interrupt_request: (m) => this.interruptRequest(m),
  });

  constructor(private readonly options: ServerOptions) {
    this.origin = options.origin ?? newOrigin();
  }

  /** Announces the kernel (`status: starting`, once per process). */
  start(): Promise<void> {
    return this.publish(createMessage(this.origin, "status", { execution_state: "starting" }));
  }

  /** Entry point for every verified message. */
  receive(channel: ReceiveChannel, message: IncomingMessage): void {
    const msgType = message.header.msg_type;
    if (channel === "stdin") {
      this.inputReply(message);
      return;
    }
    // Spec: a kernel ignores message types it does not know (Maps: `__proto__` is unknown too).
    if (channel === "control") {
      const route = this.controlRoutes.get(msgType);
      if (route) void this.handleRequest(channel, message, route);
      else this.options.log(`ignored unknown control message ${quoted(msgType)}`);
      return;
    }
    if (!this.shellRoutes.has(msgType)) {
      this.options.log(`ignored unknown shell message ${quoted(msgType)}`);
      return;
    }
    this.shellQueue.push(message);
    void this.drainShell();
  }

  /** SIGINT to the kernel process: same as `interrupt_request`. */
  interrupt(): void {
    this.options.interpreter.interrupt();
  }

  private async drainShell(): Promise<void> {
    if (this.drainingShell) return;
    this.drainingShell = true;
    try {
      for (let next = this.shellQueue.shift(); next; next = this.shellQueue.shift()) {
        await this.handleRequest("shell", next, this.shellRoutes.get(next.header.msg_type)!);
      }
    } finally {
      this.drainingShell = false;
    }
  }

  /** busy → handler (reply) → idle, all children of the request (spec "Kernel status"). */
  private async handleRequest(channel: ReceiveChannel, message: IncomingMessage, route: Route): Promise<void> {
    // Not awaited: the IOPub queue keeps busy first, and the handler's reply waits for it.
    void this.publishStatus(message, "busy");
    try {
      await route(message, channel);
    } catch (error) {
      // A bad request or a handler bug must still answer, or the client waits forever.
      if (error instanceof BadRequest) {
        this.options.log(`${message.header.msg_type}: ${error.message}`);
        await this.reply(channel, message, errorContent(error.name, error.message));
      } else {
        this.options.log(`${message.header.msg_type} failed: ${error instanceof Error ? error.stack : String(error)}`);
        await this.reply(channel, message, errorContent("KernelError", String(error)));
      }
    }
    await this.publishStatus(message, "idle");
    if (this.shutdownAfterIdle) {
      const { restart } = this.shutdownAfterIdle;
      this.shutdownAfterIdle = null;
      // A runtime that does not stop in time must not keep the kernel alive after its reply.
      const stopped = this.options.interpreter
        .shutdown()
        .catch((error) => this.options.log(`runtime shutdown: ${String(error)}`));
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, RUNTIME_SHUTDOWN_GRACE_MS).unref())]);
      this.options.onShutdown(restart);
    }
  }

  private publishStatus(parent: Message, state: "busy" | "idle"): Promise<void> {
    return this.publish(childOf(this.origin, parent, "status", { execution_state: state }));
  }

  /** Every IOPub send goes through here, so a reply can wait for what was published before it. */
  private publish(message: Message): Promise<void> {
    this.iopubTail = this.options.transport.send("iopub", message);
    return this.iopubTail;
  }

  private async reply(channel: ReceiveChannel, request: IncomingMessage, content: JsonObject): Promise<void> {
    const reply = childOf(this.origin, request, replyTypeFor(request.header.msg_type), content);
    // Spec: outputs (and busy) reach the IOPub socket before the reply is sent.
    await this.iopubTail;
    return this.options.transport.send(channel, reply, request.identities);
  }

  private outputFor(request: Message): RequestOutput {
    return new RequestOutput((msgType, content) => this.publish(childOf(this.origin, request, msgType, content)));
  }

  // ── execute ────────────────────────────────────────────────────────────────

  private async executeRequest(message: IncomingMessage, request: RequestContents["execute_request"]): Promise<void> {
    if (this.toAbort.has(message)) return this.reply("shell", message, this.abortedReply());
    const code = request.code;
    // Spec: silent forces store_history off; the count moves only for stored, non-silent runs.
    const silent = request.silent;
    const storeHistory = !silent && request.store_history;
    if (storeHistory) this.history.recordInput(++this.executionCount, code);
    const count = this.executionCount;

    const output = this.outputFor(message);
    if (!silent) void output.message("execute_input", { code, execution_count: count });
    const helpTopic = helpTopicOf(code);
    if (helpTopic !== null) return this.pageHelp(message, output, helpTopic, count);
    const allowStdin = request.allow_stdin;
    const outcome = await this.runCell(code, {
      silent,
      storeHistory,
      allowStdin,
      userExpressions: request.user_expressions,
      events: this.eventsFor(message, output, silent, allowStdin),
    });
    this.inputs.cancel(message.header.msg_id);

    if (outcome.status === "ok") {
      if (outcome.result && !silent) {
        void output.message("execute_result", { execution_count: count, ...outcome.result });
        const text = outcome.result.data["text/plain"];
        if (storeHistory && typeof text === "string") this.history.recordOutput(count, text);
      }
      await output.flush();
      return this.reply("shell", message, {
        status: "ok",
        execution_count: count,
        payload: [],
        user_expressions: outcome.userExpressions,
      });
    }
    const { ename, evalue, traceback } = outcome;
    if (!silent) void output.message("error", { ename, evalue, traceback });
    await output.flush();
    await this.reply(
      "shell",
      message,
      errorContent(ename, evalue, {
        traceback,
        execution_count: count,
        payload: [],
        user_expressions: outcome.userExpressions,
      }),
    );
    // Spec `stop_on_error`: executes that were already waiting must not run on broken state.
    if (!silent && request.stop_on_error) this.abortQueuedExecutes();
  }

  /**
   * `?name` or `name?` pages the documentation of `name` instead of running code (IPython's
   * pager: an execute_reply payload with `source: "page"`). Neither form is valid TypeScript.
   */
  private async pageHelp(message: IncomingMessage, output: RequestOutput, topic: string, count: number): Promise<void> {
    let found: InspectionResult;
    try {
      found = await this.options.interpreter.inspect(topic, topic.length, 1);
    } catch (error) {
      found = { found: false, data: {}, metadata: { error: String(error) } };
    }
    const payload = found.found ? [{ source: "page", data: found.data, start: 0 }] : [];
    if (!found.found) void output.message("stream", { name: "stdout", text: `No documentation found for ${topic}\n` });
    await output.flush();
    return this.reply("shell", message, { status: "ok", execution_count: count, payload, user_expressions: {} });
  }

  private async runCell(
    code: string,
    options: {
      silent: boolean;
      storeHistory: boolean;
      allowStdin: boolean;
      userExpressions: Record<string, string>;
      events: ExecuteEvents;
    },
  ): Promise<ExecuteOutcome> {
    const { events, ...executeOptions } = options;
    try {
      return await this.options.interpreter.execute(code, executeOptions, events);
    } catch (error) {
      // The contract says execute never rejects; if it does, the cell still gets an answer.
      return {
        status: "error",
        ename: "KernelError",
        evalue: String(error),
        traceback: [String(error)],
        userExpressions: {},
      };
    }
  }

  /** Output callbacks for one request; valid after the execute resolved too (late timer output). */
  private eventsFor(
    request: IncomingMessage,
    output: RequestOutput,
    silent: boolean,
    allowStdin: boolean,
  ): ExecuteEvents {
    return {
      stream: (name, text) => {
        if (!silent) output.stream(name, text);
      },
      display: (event) => {
        if (silent) return;
        const transient = event.displayId === undefined ? {} : { display_id: event.displayId };
        const type = event.update ? "update_display_data" : "display_data";
        void output.message(type, { data: event.data, metadata: event.metadata, transient });
      },
      clearOutput: (wait) => {
        if (!silent) void output.message("clear_output", { wait });
      },
      input: (prompt, password) => this.requestInput(request, output, allowStdin, prompt, password),
    };
  }

  private abortQueuedExecutes(): void {
    for (const queued of this.shellQueue) {
      if (queued.header.msg_type === "execute_request") this.toAbort.add(queued);
    }
  }

  private abortedReply(): JsonObject {
    return errorContent(ABORTED_ENAME, "Not run: an earlier cell failed (stop_on_error)", {
      execution_count: this.executionCount,
      payload: [],
      user_expressions: {},
    });
  }

  // ── stdin ──────────────────────────────────────────────────────────────────

  /** Spec "Messages on the stdin channel": routed with the shell request's identities. */
  private async requestInput(
    request: IncomingMessage,
    output: RequestOutput,
    allowStdin: boolean,
    prompt: string,
    password: boolean,
  ): Promise<string> {
    if (!allowStdin) throw new Error("This client does not accept input (allow_stdin is false)");
    await output.flush();
    const value = this.inputs.wait(request.header.msg_id);
    const inputRequest = childOf(this.origin, request, "input_request", { prompt, password });
    await this.options.transport.send("stdin", inputRequest, request.identities);
    return value;
  }

  private inputReply(message: IncomingMessage): void {
    if (message.header.msg_type !== "input_reply") this.options.log(`ignored ${message.header.msg_type} on stdin`);
    else if (!this.inputs.answer(message)) this.options.log("ignored an input_reply nobody asked for");
  }

  // ── introspection ──────────────────────────────────────────────────────────

  private async completeRequest(message: IncomingMessage, request: RequestContents["complete_request"]): Promise<void> {
    const { code: source, cursor_pos } = request;
    const cursor = codePointsToUtf16(source, cursor_pos ?? codePointLength(source));
    const result = await this.options.interpreter.complete(source, cursor);
    await this.reply("shell", message, {
      status: "ok",
      matches: result.matches,
      cursor_start: utf16ToCodePoints(source, result.cursorStart),
      cursor_end: utf16ToCodePoints(source, result.cursorEnd),
      metadata: convertTypeSpans(source, result.metadata),
    });
  }

  private async inspectRequest(message: IncomingMessage, request: RequestContents["inspect_request"]): Promise<void> {
    const { code: source, cursor_pos, detail_level } = request;
    const cursor = codePointsToUtf16(source, cursor_pos ?? codePointLength(source));
    const result = await this.options.interpreter.inspect(source, cursor, detail_level);
    await this.reply("shell", message, {
      status: "ok",
      found: result.found,
      data: result.data,
      metadata: result.metadata,
    });
  }

  private async isCompleteRequest(
    message: IncomingMessage,
    request: RequestContents["is_complete_request"],
  ): Promise<void> {
    const result = await this.options.interpreter.isComplete(request.code);
    await this.reply("shell", message, { ...result });
  }

  private historyRequest(message: IncomingMessage, request: RequestContents["history_request"]): Promise<void> {
    let history: ReturnType<History["query"]>;
    try {
      history = this.history.query(request);
    } catch (error) {
      // Only a search pattern over the length limit is refused.
      return this.reply("shell", message, errorContent("ValueError", (error as Error).message, { history: [] }));
    }
    return this.reply("shell", message, { status: "ok", history });
  }

  // ── comms, kernel info, lifecycle ──────────────────────────────────────────

  /** No comm targets are registered: close the comm so the frontend does not wait on it (spec "Comms"). */
  private async commOpen(
    message: IncomingMessage,
    { comm_id, target_name }: RequestContents["comm_open"],
  ): Promise<void> {
    this.options.log(`comm_open for unknown target ${quoted(target_name)}: closing it`);
    await this.outputFor(message).message("comm_close", { comm_id, data: {} });
  }

  private kernelInfoRequest(message: IncomingMessage, channel: ReceiveChannel): Promise<void> {
    const { implementationVersion = "0.0.0", languageVersion = "" } = this.options;
    return this.reply(
      channel,
      message,
      kernelInfoContent({ implementation: implementationVersion, language: languageVersion }),
    );
  }

  private async shutdownRequest(
    message: IncomingMessage,
    { restart }: RequestContents["shutdown_request"],
    channel: ReceiveChannel,
  ): Promise<void> {
    await this.reply(channel, message, { status: "ok", restart });
    this.shutdownAfterIdle = { restart };
  }

  private async interruptRequest(message: IncomingMessage): Promise<void> {
    this.options.interpreter.interrupt();
    await this.reply("control", message, { status: "ok" });
  }
}

/** Binds each handler to its type's content reader, in a Map: a msg_type is looked up, never a property. */
function routes<T extends RequestType>(table: HandlerTable<T>): Map<string, Route> {
  const map = new Map<string, Route>();
  for (const type of Object.keys(table) as T[]) {
    const handler: Handler<T> = table[type];
    const read = readRequest[type] as (content: JsonObject) => RequestContents[T];
    map.set(type, (message, channel) => handler(message, read(message.content), channel));
  }
  return map;
}

/** A client's string in a log line: quoted, and short (a message type can be a megabyte). */
function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** The name in a help request (`?Math.max`, `Math.max?`), or null when `code` is ordinary code. */
export function helpTopicOf(code: string): string | null {
  const match = /^\s*\?\s*([\p{L}_$][\p{L}\p{N}_$.]*)\s*$|^\s*([\p{L}_$][\p{L}\p{N}_$.]*)\s*\?\s*$/u.exec(code);
  return match ? (match[1] ?? match[2])! : null;
}

/** `_jupyter_types_experimental` spans come in UTF-16 offsets; the protocol wants code points. */
function convertTypeSpans(source: string, metadata: Record<string, unknown>): Record<string, unknown> {
  const spans = metadata._jupyter_types_experimental;
  if (!Array.isArray(spans)) return metadata;
  // Each conversion walks the source from its start, and the spans share one or two offsets:
  // converted once each (40,000 matches in a 1 MB cell otherwise held this process for minutes).
  const converted = new Map<number, number>();
  const toCodePoints = (offset: number): number => {
    let codePoints = converted.get(offset);
    if (codePoints === undefined) converted.set(offset, (codePoints = utf16ToCodePoints(source, offset)));
    return codePoints;
  };
  return {
    ...metadata,
    _jupyter_types_experimental: spans.map((span: { start?: number; end?: number }) => ({
      ...span,
      ...(typeof span.start === "number" ? { start: toCodePoints(span.start) } : {}),
      ...(typeof span.end === "number" ? { end: toCodePoints(span.end) } : {}),
    })),
  };
}
