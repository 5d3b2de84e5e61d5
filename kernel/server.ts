// The kernel's protocol loop: a handler table keyed by msg_type, `busy` → reply → `idle`
// around every request, one shell request at a time, queued executes aborted after an error.
// It talks to the cell runtime only through the Interpreter interface and never runs user code,
// so control requests are answered while a cell computes.

import { History } from "./history.js";
import { RequestOutput } from "./iopub.js";
import { kernelInfoContent } from "./protocol/kernel-info.js";
import {
  type CompleteRequest,
  childOf,
  createMessage,
  type ExecuteRequest,
  type HistoryRequest,
  type IncomingMessage,
  type InspectRequest,
  type IsCompleteRequest,
  type JsonObject,
  type Message,
  newOrigin,
  type Origin,
  replyTypeFor,
  type ShutdownRequest,
} from "./protocol/messages.js";
import { codePointLength, codePointsToUtf16, utf16ToCodePoints } from "./protocol/positions.js";
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

type Handler = (message: IncomingMessage, channel: ReceiveChannel) => Promise<void>;

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
  private readonly shellHandlers: Record<string, Handler> = {
    execute_request: (m) => this.executeRequest(m),
    kernel_info_request: (m, c) => this.kernelInfoRequest(m, c),
    complete_request: (m) => this.completeRequest(m),
    inspect_request: (m) => this.inspectRequest(m),
    is_complete_request: (m) => this.isCompleteRequest(m),
    history_request: (m) => this.historyRequest(m),
    comm_info_request: (m) => this.reply("shell", m, { status: "ok", comms: {} }),
    comm_open: (m) => this.commOpen(m),
    // No comm targets exist, so messages to comms have nowhere to go.
    comm_msg: async () => {},
    comm_close: async () => {},
    // Deprecated on shell but still sent by old clients.
    shutdown_request: (m, c) => this.shutdownRequest(m, c),
  };

  /** Spec "Control channel": answered at once, even while a shell request runs. */
  private readonly controlHandlers: Record<string, Handler> = {
    kernel_info_request: (m, c) => this.kernelInfoRequest(m, c),
    shutdown_request: (m, c) => this.shutdownRequest(m, c),
    interrupt_request: (m) => this.interruptRequest(m),
  };

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
    if (channel === "control") {
      const handler = this.controlHandlers[msgType];
      if (handler) void this.handleRequest(channel, message, handler);
      else this.options.log(`ignored unknown control message ${msgType}`);
      return;
    }
    if (!this.shellHandlers[msgType]) {
      this.options.log(`ignored unknown shell message ${msgType}`);
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
        await this.handleRequest("shell", next, this.shellHandlers[next.header.msg_type]!);
      }
    } finally {
      this.drainingShell = false;
    }
  }

  /** busy → handler (reply) → idle, all children of the request (spec "Kernel status"). */
  private async handleRequest(channel: ReceiveChannel, message: IncomingMessage, handler: Handler): Promise<void> {
    // Not awaited: the IOPub queue keeps busy first, and the handler's reply waits for it.
    void this.publishStatus(message, "busy");
    try {
      await handler(message, channel);
    } catch (error) {
      // A handler bug must still answer, or the client waits forever.
      this.options.log(`${message.header.msg_type} failed: ${error instanceof Error ? error.stack : String(error)}`);
      await this.reply(channel, message, {
        status: "error",
        ename: "KernelError",
        evalue: String(error),
        traceback: [],
      });
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

  private async executeRequest(message: IncomingMessage): Promise<void> {
    const request = message.content as ExecuteRequest;
    if (this.toAbort.has(message)) return this.reply("shell", message, this.abortedReply());
    if (typeof request.code !== "string") {
      return this.reply("shell", message, {
        status: "error",
        ename: "BadRequest",
        evalue: "execute_request without code",
        traceback: [],
      });
    }
    const code = request.code;
    // Spec: silent forces store_history off; the count moves only for stored, non-silent runs.
    const silent = request.silent === true;
    const storeHistory = !silent && request.store_history !== false;
    if (storeHistory) this.history.recordInput(++this.executionCount, code);
    const count = this.executionCount;

    const output = this.outputFor(message);
    if (!silent) void output.message("execute_input", { code, execution_count: count });
    const helpTopic = helpTopicOf(code);
    if (helpTopic !== null) return this.pageHelp(message, output, helpTopic, count);
    const allowStdin = request.allow_stdin === true;
    const outcome = await this.runCell(code, {
      silent,
      storeHistory,
      allowStdin,
      userExpressions: request.user_expressions ?? {},
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
    await this.reply("shell", message, {
      status: "error",
      execution_count: count,
      ename,
      evalue,
      traceback,
      payload: [],
      user_expressions: outcome.userExpressions,
    });
    // Spec `stop_on_error`: executes that were already waiting must not run on broken state.
    if (!silent && request.stop_on_error !== false) this.abortQueuedExecutes();
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
    return {
      status: "error",
      ename: ABORTED_ENAME,
      evalue: "Not run: an earlier cell failed (stop_on_error)",
      traceback: [],
      execution_count: this.executionCount,
      payload: [],
      user_expressions: {},
    };
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

  private async completeRequest(message: IncomingMessage): Promise<void> {
    const { code, cursor_pos } = message.content as CompleteRequest;
    const source = typeof code === "string" ? code : "";
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

  private async inspectRequest(message: IncomingMessage): Promise<void> {
    const { code, cursor_pos, detail_level } = message.content as InspectRequest;
    const source = typeof code === "string" ? code : "";
    const cursor = codePointsToUtf16(source, cursor_pos ?? codePointLength(source));
    const result = await this.options.interpreter.inspect(source, cursor, detail_level === 1 ? 1 : 0);
    await this.reply("shell", message, {
      status: "ok",
      found: result.found,
      data: result.data,
      metadata: result.metadata,
    });
  }

  private async isCompleteRequest(message: IncomingMessage): Promise<void> {
    const { code } = message.content as IsCompleteRequest;
    const result = await this.options.interpreter.isComplete(typeof code === "string" ? code : "");
    await this.reply("shell", message, { ...result });
  }

  private historyRequest(message: IncomingMessage): Promise<void> {
    const history = this.history.query(message.content as HistoryRequest);
    return this.reply("shell", message, { status: "ok", history });
  }

  // ── comms, kernel info, lifecycle ──────────────────────────────────────────

  /** No comm targets are registered: close the comm so the frontend does not wait on it (spec "Comms"). */
  private async commOpen(message: IncomingMessage): Promise<void> {
    const { comm_id, target_name } = message.content as { comm_id?: string; target_name?: string };
    this.options.log(`comm_open for unknown target ${String(target_name)}: closing it`);
    await this.outputFor(message).message("comm_close", { comm_id: comm_id ?? "", data: {} });
  }

  private kernelInfoRequest(message: IncomingMessage, channel: ReceiveChannel): Promise<void> {
    const { implementationVersion = "0.0.0", languageVersion = "" } = this.options;
    return this.reply(
      channel,
      message,
      kernelInfoContent({ implementation: implementationVersion, language: languageVersion }),
    );
  }

  private async shutdownRequest(message: IncomingMessage, channel: ReceiveChannel): Promise<void> {
    const restart = (message.content as ShutdownRequest).restart === true;
    await this.reply(channel, message, { status: "ok", restart });
    this.shutdownAfterIdle = { restart };
  }

  private async interruptRequest(message: IncomingMessage): Promise<void> {
    this.options.interpreter.interrupt();
    await this.reply("control", message, { status: "ok" });
  }
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
  return {
    ...metadata,
    _jupyter_types_experimental: spans.map((span: { start?: number; end?: number }) => ({
      ...span,
      ...(typeof span.start === "number" ? { start: utf16ToCodePoints(source, span.start) } : {}),
      ...(typeof span.end === "number" ? { end: utf16ToCodePoints(source, span.end) } : {}),
    })),
  };
}
