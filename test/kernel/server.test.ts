// The handler table over a fake transport and a fake Interpreter: no sockets, no child process.
import { describe, expect, it } from "vitest";
import {
  createMessage,
  type IncomingMessage,
  type JsonObject,
  type Message,
  newOrigin,
} from "../../kernel/protocol/messages.js";
import type { ExecuteEvents, ExecuteOptions, ExecuteOutcome, Interpreter } from "../../kernel/runtime/interpreter.js";
import { KernelServer } from "../../kernel/server.js";
import type { SendChannel, Transport } from "../../kernel/sockets.js";

interface Sent {
  channel: SendChannel;
  message: Message;
  identities: readonly Buffer[];
}

class FakeTransport implements Transport {
  sent: Sent[] = [];
  async send(channel: SendChannel, message: Message, identities: readonly Buffer[] = []): Promise<void> {
    this.sent.push({ channel, message, identities });
  }
  /** Everything sent as a child of `request`, as "channel:msg_type[:detail]". */
  trace(request: Message): string[] {
    return this.sent
      .filter((s) => (s.message.parent_header as { msg_id?: string }).msg_id === request.header.msg_id)
      .map((s) => {
        const state = s.message.content.execution_state;
        return `${s.channel}:${s.message.header.msg_type}${typeof state === "string" ? `:${state}` : ""}`;
      });
  }
  find(request: Message, msgType: string): Message | undefined {
    return this.sent.find(
      (s) =>
        s.message.header.msg_type === msgType &&
        (s.message.parent_header as { msg_id?: string }).msg_id === request.header.msg_id,
    )?.message;
  }
}

type Cell = (code: string, options: ExecuteOptions, events: ExecuteEvents) => Promise<ExecuteOutcome>;

class FakeInterpreter implements Interpreter {
  interrupts = 0;
  shutdowns = 0;
  calls: Array<{ code: string; options: ExecuteOptions }> = [];
  lastCursor = -1;
  constructor(public cell: Cell = async () => ({ status: "ok", userExpressions: {} })) {}
  execute(code: string, options: ExecuteOptions, events: ExecuteEvents): Promise<ExecuteOutcome> {
    this.calls.push({ code, options });
    return this.cell(code, options, events);
  }
  async complete(code: string, cursorPos: number) {
    this.lastCursor = cursorPos;
    // Completes the identifier before the cursor (UTF-16 offsets, as the runtime speaks).
    const start = code.slice(0, cursorPos).search(/\w*$/);
    return { matches: ["length"], cursorStart: start, cursorEnd: cursorPos, metadata: {} };
  }
  async inspect(_code: string, cursorPos: number) {
    this.lastCursor = cursorPos;
    return { found: true, data: { "text/plain": "number" }, metadata: {} };
  }
  async isComplete(code: string) {
    return code.endsWith("{") ? { status: "incomplete" as const, indent: "  " } : { status: "complete" as const };
  }
  interrupt() {
    this.interrupts++;
  }
  async shutdown() {
    this.shutdowns++;
  }
}

const clientOrigin = newOrigin();
const identity = Buffer.from("client-A");

function request(msgType: string, content: JsonObject = {}): IncomingMessage {
  return { ...createMessage(clientOrigin, msgType, content), identities: [identity] };
}

function setup(cell?: Cell) {
  const transport = new FakeTransport();
  const interpreter = new FakeInterpreter(cell);
  const shutdowns: boolean[] = [];
  const logs: string[] = [];
  const server = new KernelServer({
    transport,
    interpreter,
    log: (line) => logs.push(line),
    onShutdown: (restart) => shutdowns.push(restart),
    implementationVersion: "9.9.9",
    languageVersion: "6.0.3",
  });
  return { transport, interpreter, server, shutdowns, logs };
}

/** Resolves once `predicate` holds, polling the event loop (the server works asynchronously). */
async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !predicate(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(predicate()).toBe(true);
}

const idleOf = (t: FakeTransport, m: Message) => () => t.trace(m).includes("iopub:status:idle");

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("KernelServer execute", () => {
  it("publishes busy, execute_input, outputs, result, then replies, then idle", async () => {
    const { transport, server } = setup(async (_code, _options, events) => {
      events.stream("stdout", "hello\n");
      events.display({ data: { "text/plain": "shown" }, metadata: {}, displayId: "d1", update: false });
      return { status: "ok", result: { data: { "text/plain": "2" }, metadata: {} }, userExpressions: {} };
    });
    const exec = request("execute_request", { code: "1 + 1" });
    server.receive("shell", exec);
    await until(idleOf(transport, exec));
    expect(transport.trace(exec)).toEqual([
      "iopub:status:busy",
      "iopub:execute_input",
      "iopub:stream",
      "iopub:display_data",
      "iopub:execute_result",
      "shell:execute_reply",
      "iopub:status:idle",
    ]);
    expect(transport.find(exec, "display_data")!.content.transient).toEqual({ display_id: "d1" });
    expect(transport.find(exec, "execute_result")!.content).toMatchObject({
      execution_count: 1,
      data: { "text/plain": "2" },
    });
    const reply = transport.sent.find((s) => s.message.header.msg_type === "execute_reply")!;
    expect(reply.identities).toEqual([identity]);
    expect(reply.message.content).toMatchObject({ status: "ok", execution_count: 1 });
  });

  it("counts from 1 and moves only for non-silent executes that store history", async () => {
    const { transport, server, interpreter } = setup();
    const codes: Array<[string, JsonObject]> = [
      ["a", {}],
      ["b", { store_history: false }],
      ["c", { silent: true }],
      ["d", {}],
    ];
    const sent = codes.map(([code, extra]) => request("execute_request", { code, ...extra }));
    for (const m of sent) server.receive("shell", m);
    await until(idleOf(transport, sent[3]!));
    expect(sent.map((m) => transport.find(m, "execute_reply")!.content.execution_count)).toEqual([1, 1, 1, 2]);
    // Silent: no execute_input and store_history forced off.
    expect(transport.find(sent[2]!, "execute_input")).toBeUndefined();
    expect(interpreter.calls[2]!.options).toMatchObject({ silent: true, storeHistory: false });
  });

  it("publishes an error and an error reply, and aborts executes already queued (stop_on_error)", async () => {
    const gate = deferred<void>();
    const { transport, server, interpreter } = setup(async (code) => {
      if (code === "fail") {
        await gate.promise;
        return {
          status: "error",
          ename: "TypeError",
          evalue: "boom",
          traceback: ["TypeError: boom"],
          userExpressions: {},
        };
      }
      return { status: "ok", userExpressions: {} };
    });
    const fail = request("execute_request", { code: "fail" });
    const queued = request("execute_request", { code: "queued" });
    const info = request("kernel_info_request");
    server.receive("shell", fail);
    server.receive("shell", queued);
    server.receive("shell", info);
    gate.resolve();
    await until(idleOf(transport, info));
    expect(transport.find(fail, "error")!.content).toEqual({
      ename: "TypeError",
      evalue: "boom",
      traceback: ["TypeError: boom"],
    });
    expect(transport.find(fail, "execute_reply")!.content).toMatchObject({
      status: "error",
      ename: "TypeError",
      execution_count: 1,
    });
    expect(transport.trace(queued)).toEqual(["iopub:status:busy", "shell:execute_reply", "iopub:status:idle"]);
    expect(transport.find(queued, "execute_reply")!.content).toMatchObject({
      status: "error",
      ename: "ExecutionAborted",
    });
    expect(interpreter.calls.map((c) => c.code)).toEqual(["fail"]);
    // Non-execute requests still run, and later executes run normally.
    expect(transport.find(info, "kernel_info_reply")!.content.status).toBe("ok");
    const later = request("execute_request", { code: "later" });
    server.receive("shell", later);
    await until(idleOf(transport, later));
    expect(transport.find(later, "execute_reply")!.content).toMatchObject({ status: "ok", execution_count: 2 });
  });

  it("runs queued executes after an error when stop_on_error is false", async () => {
    const { transport, server, interpreter } = setup(async (code) =>
      code === "fail"
        ? { status: "error", ename: "Error", evalue: "x", traceback: [], userExpressions: {} }
        : { status: "ok", userExpressions: {} },
    );
    const fail = request("execute_request", { code: "fail", stop_on_error: false });
    const next = request("execute_request", { code: "next" });
    server.receive("shell", fail);
    server.receive("shell", next);
    await until(idleOf(transport, next));
    expect(interpreter.calls.map((c) => c.code)).toEqual(["fail", "next"]);
  });

  it("passes user_expressions to the interpreter and its results back in the reply", async () => {
    const { transport, server, interpreter } = setup(async () => ({
      status: "ok",
      userExpressions: { a: { status: "ok", data: { "text/plain": "3" }, metadata: {} } },
    }));
    const exec = request("execute_request", { code: "", user_expressions: { a: "1 + 2" } });
    server.receive("shell", exec);
    await until(idleOf(transport, exec));
    expect(interpreter.calls[0]!.options.userExpressions).toEqual({ a: "1 + 2" });
    expect(transport.find(exec, "execute_reply")!.content.user_expressions).toEqual({
      a: { status: "ok", data: { "text/plain": "3" }, metadata: {} },
    });
  });

  it("publishes output that arrives after the reply with the request as parent", async () => {
    let late: ExecuteEvents | undefined;
    const { transport, server } = setup(async (_c, _o, events) => {
      late = events;
      return { status: "ok", userExpressions: {} };
    });
    const exec = request("execute_request", { code: "setTimeout(...)" });
    server.receive("shell", exec);
    await until(idleOf(transport, exec));
    late!.stream("stdout", "later\n");
    await until(() => transport.find(exec, "stream") !== undefined);
    expect(transport.find(exec, "stream")!.content).toEqual({ name: "stdout", text: "later\n" });
  });

  it("sends input_request on stdin with the shell identities and returns the input_reply value", async () => {
    const { transport, server } = setup(async (_c, _o, events) => {
      const name = await events.input("name? ", false);
      events.stream("stdout", `hi ${name}\n`);
      return { status: "ok", userExpressions: {} };
    });
    const exec = request("execute_request", { code: "await input()", allow_stdin: true });
    server.receive("shell", exec);
    await until(() => transport.find(exec, "input_request") !== undefined);
    const sent = transport.sent.find((s) => s.message.header.msg_type === "input_request")!;
    expect(sent.channel).toBe("stdin");
    expect(sent.identities).toEqual([identity]);
    expect(sent.message.content).toEqual({ prompt: "name? ", password: false });
    server.receive("stdin", request("input_reply", { value: "Ada" }));
    await until(idleOf(transport, exec));
    expect(transport.find(exec, "stream")!.content.text).toBe("hi Ada\n");
  });

  it("refuses input when the request did not allow stdin", async () => {
    const { transport, server } = setup(async (_c, _o, events) => {
      try {
        await events.input("x", false);
        return { status: "ok", userExpressions: {} };
      } catch (error) {
        return { status: "error", ename: "StdinNotAllowed", evalue: String(error), traceback: [], userExpressions: {} };
      }
    });
    const exec = request("execute_request", { code: "input()", allow_stdin: false });
    server.receive("shell", exec);
    await until(idleOf(transport, exec));
    expect(transport.sent.some((s) => s.channel === "stdin")).toBe(false);
    expect(transport.find(exec, "execute_reply")!.content.evalue).toMatch(/allow_stdin/);
  });
});

describe("KernelServer control and introspection", () => {
  it("answers kernel_info and interrupt on control while a shell execute is still running", async () => {
    const gate = deferred<ExecuteOutcome>();
    const { transport, server, interpreter } = setup(() => gate.promise);
    const exec = request("execute_request", { code: "while (true) {}" });
    server.receive("shell", exec);
    const info = request("kernel_info_request");
    const interrupt = request("interrupt_request");
    server.receive("control", info);
    server.receive("control", interrupt);
    await until(idleOf(transport, interrupt));
    expect(transport.find(info, "kernel_info_reply")!.content).toMatchObject({
      status: "ok",
      protocol_version: "5.4",
      implementation: "tsgrad",
      implementation_version: "9.9.9",
      language_info: { name: "typescript", version: "6.0.3", file_extension: ".ts", codemirror_mode: "typescript" },
    });
    expect(transport.sent.find((s) => s.message.header.msg_type === "kernel_info_reply")!.channel).toBe("control");
    expect(interpreter.interrupts).toBe(1);
    expect(transport.trace(exec)).not.toContain("iopub:status:idle");
    gate.resolve({ status: "error", ename: "KeyboardInterrupt", evalue: "", traceback: [], userExpressions: {} });
    await until(idleOf(transport, exec));
  });

  it("converts code-point cursor positions to UTF-16 and back (emoji before the cursor)", async () => {
    const { transport, server, interpreter } = setup();
    const code = 'const s = "🔥🔥"; s.le';
    const complete = request("complete_request", { code, cursor_pos: 20 });
    server.receive("shell", complete);
    await until(idleOf(transport, complete));
    expect(interpreter.lastCursor).toBe(22);
    expect(transport.find(complete, "complete_reply")!.content).toMatchObject({
      status: "ok",
      matches: ["length"],
      cursor_start: 18,
      cursor_end: 20,
    });
    const inspect = request("inspect_request", { code, cursor_pos: 19, detail_level: 0 });
    server.receive("shell", inspect);
    await until(idleOf(transport, inspect));
    expect(interpreter.lastCursor).toBe(21);
    expect(transport.find(inspect, "inspect_reply")!.content).toMatchObject({ status: "ok", found: true });
  });

  it("converts the spans of 40,000 matches in a 1 MB cell (once per offset, not once per match)", async () => {
    const { transport, server, interpreter } = setup();
    const code = `${"const v = 1;\n".repeat(80_000)}🔥 v`;
    const names = Array.from({ length: 40_000 }, (_, i) => `v${i}`);
    const at = code.length - 1;
    interpreter.complete = async () => ({
      matches: names,
      cursorStart: at,
      cursorEnd: code.length,
      metadata: { _jupyter_types_experimental: names.map((text) => ({ start: at, end: code.length, text })) },
    });
    const complete = request("complete_request", { code });
    server.receive("shell", complete);
    await until(idleOf(transport, complete));
    const { content } = transport.find(complete, "complete_reply")!;
    expect(content).toMatchObject({ status: "ok", cursor_start: code.length - 2, cursor_end: code.length - 1 });
    const spans = (content.metadata as { _jupyter_types_experimental: unknown[] })._jupyter_types_experimental;
    expect(spans[39_999]).toEqual({ start: at - 1, end: at, text: "v39999" });
  });

  it("answers is_complete, comm_info, and closes comms opened to unknown targets", async () => {
    const { transport, server } = setup();
    const incomplete = request("is_complete_request", { code: "for (;;) {" });
    const commInfo = request("comm_info_request", {});
    const commOpen = request("comm_open", { comm_id: "c1", target_name: "jupyter.widget", data: {} });
    for (const m of [incomplete, commInfo, commOpen]) server.receive("shell", m);
    await until(idleOf(transport, commOpen));
    expect(transport.find(incomplete, "is_complete_reply")!.content).toEqual({ status: "incomplete", indent: "  " });
    expect(transport.find(commInfo, "comm_info_reply")!.content).toEqual({ status: "ok", comms: {} });
    expect(transport.find(commOpen, "comm_close")!.content).toEqual({ comm_id: "c1", data: {} });
  });

  it("answers history requests over this session's stored inputs", async () => {
    const { transport, server } = setup(async (code) => ({
      status: "ok",
      result: { data: { "text/plain": `<${code}>` }, metadata: {} },
      userExpressions: {},
    }));
    const execs = ["a = 1", "b = 2", "a + b"].map((code) => request("execute_request", { code }));
    for (const m of execs) server.receive("shell", m);
    const tail = request("history_request", { hist_access_type: "tail", n: 2, output: true, raw: true });
    server.receive("shell", tail);
    await until(idleOf(transport, tail));
    expect(transport.find(tail, "history_reply")!.content).toEqual({
      status: "ok",
      history: [
        [1, 2, ["b = 2", "<b = 2>"]],
        [1, 3, ["a + b", "<a + b>"]],
      ],
    });
  });

  it("logs and ignores unknown message types without busy/idle", async () => {
    const { transport, server, logs } = setup();
    const odd = request("frobnicate_request");
    server.receive("shell", odd);
    server.receive("control", request("also_unknown"));
    await new Promise((r) => setTimeout(r, 5));
    expect(transport.trace(odd)).toEqual([]);
    expect(logs.join("\n")).toMatch(/frobnicate_request/);
  });

  it("ignores message types named like object properties (__proto__, constructor, toString)", async () => {
    const { transport, server, logs } = setup();
    const names = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];
    const sent = names.flatMap((name) => [request(name), request(name)]);
    sent.forEach((m, i) => server.receive(i % 2 === 0 ? "shell" : "control", m));
    const after = request("kernel_info_request");
    server.receive("shell", after);
    await until(idleOf(transport, after));
    for (const m of sent) expect(transport.trace(m)).toEqual([]);
    expect(logs.filter((line) => line.startsWith("ignored unknown"))).toHaveLength(sent.length);
  });

  it("reads hostile content as the spec's defaults, and answers an execute without code with BadRequest", async () => {
    const { transport, server, interpreter } = setup();
    const complete = request("complete_request", { code: 42, cursor_pos: "x" });
    const inspect = request("inspect_request", { code: "abc", cursor_pos: -3, detail_level: "loud" });
    const history = request("history_request", { hist_access_type: "search", pattern: 7, n: "all" });
    const execute = request("execute_request", { code: ["not", "text"] });
    const expressions = request("execute_request", {
      code: "1",
      user_expressions: JSON.parse('{"__proto__":"x","ok":1,"y":"y"}'),
    });
    for (const m of [complete, inspect, history, execute, expressions]) server.receive("shell", m);
    await until(idleOf(transport, expressions));
    expect(transport.find(complete, "complete_reply")!.content).toMatchObject({ status: "ok", cursor_start: 0 });
    expect(interpreter.lastCursor).toBe(3); // inspect: cursor_pos -3 read as "the end"
    expect(transport.find(history, "history_reply")!.content).toMatchObject({ status: "ok", history: [] });
    expect(transport.find(execute, "execute_reply")!.content).toMatchObject({ status: "error", ename: "BadRequest" });
    expect(interpreter.calls.at(-1)!.options.userExpressions).toEqual(JSON.parse('{"__proto__":"x","y":"y"}'));
  });

  it("refuses a history search pattern longer than SQLite's, with an error reply", async () => {
    const { transport, server } = setup();
    const search = request("history_request", { hist_access_type: "search", pattern: "*".repeat(60_000) });
    server.receive("shell", search);
    await until(idleOf(transport, search));
    expect(transport.find(search, "history_reply")!.content).toMatchObject({ status: "error", ename: "ValueError" });
  });

  it("replies to shutdown_request, goes idle, then shuts the interpreter down and exits", async () => {
    const { transport, server, interpreter, shutdowns } = setup();
    const shutdown = request("shutdown_request", { restart: true });
    server.receive("control", shutdown);
    await until(() => shutdowns.length === 1);
    expect(transport.trace(shutdown)).toEqual(["iopub:status:busy", "control:shutdown_reply", "iopub:status:idle"]);
    expect(transport.find(shutdown, "shutdown_reply")!.content).toEqual({ status: "ok", restart: true });
    expect(interpreter.shutdowns).toBe(1);
    expect(shutdowns).toEqual([true]);
  });

  it("publishes status: starting once, with no parent", async () => {
    const { transport, server } = setup();
    await server.start();
    expect(transport.sent).toHaveLength(1);
    expect(transport.sent[0]!.message.content).toEqual({ execution_state: "starting" });
    expect(transport.sent[0]!.message.parent_header).toEqual({});
  });
});

describe("help pager", () => {
  it("recognises ?name and name? but not code", async () => {
    const { helpTopicOf } = await import("../../kernel/server.js");
    expect(helpTopicOf("?Math.max")).toBe("Math.max");
    expect(helpTopicOf("  tensor? ")).toBe("tensor");
    expect(helpTopicOf("a ? b : c")).toBeNull();
    expect(helpTopicOf("x?.y")).toBeNull();
    expect(helpTopicOf("1 + 1")).toBeNull();
  });

  it("answers `?name` with a page payload from inspect instead of running code", async () => {
    const { transport, server, interpreter } = setup();
    const help = request("execute_request", { code: "?Math.max" });
    server.receive("shell", help);
    await until(idleOf(transport, help));
    expect(interpreter.calls).toEqual([]);
    expect(interpreter.lastCursor).toBe("Math.max".length);
    expect(transport.find(help, "execute_reply")!.content).toMatchObject({
      status: "ok",
      execution_count: 1,
      payload: [{ source: "page", data: { "text/plain": "number" }, start: 0 }],
    });
  });
});
