// A small Jupyter client for end-to-end tests: spawns the built kernel
// (`node dist/kernel/main.js <connection file>`) with a fresh connection file and talks
// ZeroMQ to it the way jupyter_client does.
//
//   const kernel = await startKernel();
//   const { reply, outputs } = await kernel.execute("1 + 1");
//   await kernel.shutdown();

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as zmq from "zeromq";
import type { ConnectionInfo } from "../../kernel/protocol/connection.js";
import { childOf, createMessage, type JsonObject, type Message, newOrigin } from "../../kernel/protocol/messages.js";
import { decode, encode, Signer } from "../../kernel/protocol/wire.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const KERNEL_MAIN = join(REPO_ROOT, "dist/kernel/main.js");

export type RequestChannel = "shell" | "control";

export interface StartOptions {
  /** Extra environment for the kernel process (e.g. JPY_PARENT_PID). */
  env?: Record<string, string>;
  /** Working directory of the kernel (a notebook's folder). */
  cwd?: string;
  /** Signature scheme written to the connection file. */
  signatureScheme?: string;
  /** Key written to the connection file; "" turns signing off. Random by default. */
  key?: string;
  /** "ipc" binds Unix sockets named after a path in the kernel's temp folder instead of TCP ports. */
  transport?: "tcp" | "ipc";
  /** Node arguments before the connection file (default: the built kernel's main.js). */
  command?: string[];
  /** Wait until shell and IOPub answer before resolving (default true). */
  waitReady?: boolean;
  /**
   * Start the kernel as the leader of a process group of its own, as jupyter_client does
   * (`start_new_session`), so a test can signal the group the way jupyter_client's `killpg`
   * does. The kernel then gets JPY_PARENT_PID (this process), as from jupyter_client, so it
   * exits if the tests die without closing it.
   */
  ownProcessGroup?: boolean;
}

export interface ExecuteOptions {
  silent?: boolean;
  store_history?: boolean;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
  user_expressions?: Record<string, string>;
  /** Answers `input_request`s of this execute (needs allow_stdin). */
  onInput?: (prompt: string, password: boolean) => string;
  timeoutMs?: number;
}

export interface ExecuteResult {
  request: Message;
  reply: Message;
  /** IOPub children of the request from `busy` to `idle`, both included. */
  iopub: Message[];
  /** `iopub` without the status and execute_input messages: what a notebook would store. */
  outputs: Message[];
}

/** Kernel started by the tests, with a client connected to all five channels. */
export class KernelClient {
  readonly origin = newOrigin();
  readonly signer: Signer;
  /** Everything the kernel wrote to stderr (its log). */
  log = "";
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;

  // shell and stdin share one routing id, as in jupyter_client: the kernel sends
  // input_request to the stdin socket with the identities of the shell request.
  private readonly routingId = `client-${this.origin.session}`;
  private readonly shell = new zmq.Dealer({ linger: 0, routingId: this.routingId });
  private readonly control = new zmq.Dealer({ linger: 0 });
  private readonly stdin = new zmq.Dealer({ linger: 0, routingId: this.routingId });
  private readonly iopub = new zmq.Subscriber({ linger: 0 });
  private readonly hb = new zmq.Request({ linger: 0, receiveTimeout: 2000 });
  private readonly sendQueues = new Map<zmq.Socket, Promise<unknown>>();
  private readonly iopubMessages: Message[] = [];
  private readonly replies = new Map<string, Message>();
  private readonly waiters = new Set<() => void>();
  private inputHandlers = new Map<string, (prompt: string, password: boolean) => string>();
  private closed = false;

  constructor(
    readonly connection: ConnectionInfo,
    readonly connectionFile: string,
    readonly process: ChildProcess,
    private readonly tempDir: string,
  ) {
    this.signer = new Signer(connection.key, connection.signature_scheme);
    for (const stream of [process.stdout, process.stderr]) {
      stream?.on("data", (chunk: Buffer) => {
        this.log += chunk.toString();
        this.notify();
      });
    }
    this.exited = new Promise((resolveExit) => {
      process.on("exit", (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        this.notify();
        resolveExit();
      });
    });
  }

  connect(): void {
    const address = (port: number) =>
      this.connection.transport === "tcp"
        ? `tcp://${this.connection.ip}:${port}`
        : `ipc://${this.connection.ip}-${port}`;
    this.shell.connect(address(this.connection.shell_port));
    this.control.connect(address(this.connection.control_port));
    this.stdin.connect(address(this.connection.stdin_port));
    this.iopub.connect(address(this.connection.iopub_port));
    this.iopub.subscribe();
    this.hb.connect(address(this.connection.hb_port));
    void this.receiveLoop(this.shell, (message) => this.replies.set(parentId(message), message));
    void this.receiveLoop(this.control, (message) => this.replies.set(parentId(message), message));
    void this.receiveLoop(this.iopub, (message) => this.iopubMessages.push(message));
    void this.receiveLoop(this.stdin, (message) => this.answerInput(message));
  }

  /** Waits until shell answers and IOPub delivers (PUB/SUB drops messages until subscribed). */
  async ready(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const request = this.sendRequest("shell", "kernel_info_request", {});
      try {
        await this.waitFor(() => this.replies.has(request.header.msg_id), 500);
        await this.waitFor(() => this.childrenOf(request).some(isIdle), 500);
        return;
      } catch {
        if (this.exitCode !== null || this.exitSignal !== null) throw new Error(`kernel exited:\n${this.log}`);
      }
    }
    throw new Error(`kernel not ready after ${timeoutMs} ms:\n${this.log}`);
  }

  /** Sends a request and returns it (its header identifies replies and IOPub children). */
  sendRequest(channel: RequestChannel, msgType: string, content: JsonObject): Message {
    const message = createMessage(this.origin, msgType, content);
    this.sendFrames(channel, encode(message, this.signer));
    return message;
  }

  /** Sends frames as they are (for tampered, unsigned or malformed messages). */
  sendFrames(channel: RequestChannel | "stdin", frames: Buffer[]): void {
    const socket = channel === "shell" ? this.shell : channel === "control" ? this.control : this.stdin;
    // zeromq.js allows one send in flight per socket: chain them.
    const previous = this.sendQueues.get(socket) ?? Promise.resolve();
    const next = previous.then(() => socket.send(frames)).catch(() => undefined);
    this.sendQueues.set(socket, next);
  }

  /** Sends a request and waits for its reply. */
  async request(
    channel: RequestChannel,
    msgType: string,
    content: JsonObject = {},
    timeoutMs = 10_000,
  ): Promise<Message> {
    const request = this.sendRequest(channel, msgType, content);
    return this.reply(request, timeoutMs);
  }

  async reply(request: Message, timeoutMs = 10_000): Promise<Message> {
    await this.waitFor(() => this.replies.has(request.header.msg_id), timeoutMs, `reply to ${request.header.msg_type}`);
    return this.replies.get(request.header.msg_id)!;
  }

  /** The reply if it has arrived, without waiting. */
  replyIfAny(request: Message): Message | undefined {
    return this.replies.get(request.header.msg_id);
  }

  /** Starts an execute without waiting; pair with `collect()`. */
  startExecute(code: string, options: ExecuteOptions = {}): Message {
    const { onInput, timeoutMs: _timeout, ...rest } = options;
    const content = {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: onInput !== undefined,
      stop_on_error: true,
      ...rest,
    };
    const message = createMessage(this.origin, "execute_request", content);
    if (onInput) this.inputHandlers.set(message.header.msg_id, onInput);
    this.sendFrames("shell", encode(message, this.signer));
    return message;
  }

  /** Waits for the reply and the idle of `request`; returns its reply and IOPub children. */
  async collect(request: Message, timeoutMs = 20_000): Promise<ExecuteResult> {
    const reply = await this.reply(request, timeoutMs);
    await this.waitForIdle(request, timeoutMs);
    const iopub = this.childrenOf(request);
    const outputs = iopub.filter((m) => m.header.msg_type !== "status" && m.header.msg_type !== "execute_input");
    return { request, reply, iopub, outputs };
  }

  async execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    return this.collect(this.startExecute(code, options), options.timeoutMs);
  }

  /** IOPub messages whose parent is `request`, in arrival order (so far). */
  childrenOf(request: Message): Message[] {
    return this.iopubMessages.filter((m) => parentId(m) === request.header.msg_id);
  }

  /** Every IOPub message received so far. */
  allIopub(): readonly Message[] {
    return this.iopubMessages;
  }

  async waitForIdle(request: Message, timeoutMs = 20_000): Promise<void> {
    await this.waitFor(() => this.childrenOf(request).some(isIdle), timeoutMs, `idle of ${request.header.msg_type}`);
  }

  /** Waits until `predicate` holds (re-checked on every message, log line and exit). */
  async waitFor(predicate: () => boolean, timeoutMs: number, what = "condition"): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolveWait, rejectWait) => {
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolveWait();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        rejectWait(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nkernel log:\n${this.log}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Sends a heartbeat ping and resolves with the round trip in ms (rejects after 2 s). */
  async heartbeat(): Promise<number> {
    const started = performance.now();
    const payload = Buffer.from(`ping ${started}`);
    await this.hb.send(payload);
    const [echo] = await this.hb.receive();
    if (!echo?.equals(payload)) throw new Error("heartbeat echoed something else");
    return performance.now() - started;
  }

  /** Sends SIGINT to the kernel process, as a terminal or some clients do. */
  sigint(): void {
    this.process.kill("SIGINT");
  }

  /**
   * Sends `signal` to the kernel's whole process group, as jupyter_client interrupts a kernel
   * with interrupt_mode "signal" (and kills one). Needs `ownProcessGroup`.
   */
  signalProcessGroup(signal: NodeJS.Signals): void {
    if (this.process.pid === undefined) throw new Error("the kernel process has no pid");
    process.kill(-this.process.pid, signal);
  }

  /** Another client of the same kernel, connected and answered (a second console or notebook tab). */
  async attach(): Promise<KernelClient> {
    const other = new KernelClient(
      this.connection,
      this.connectionFile,
      this.process,
      mkdtempSync(join(tmpdir(), "tsgrad-client-")),
    );
    other.connect();
    await other.ready();
    return other;
  }

  /**
   * Closes this client's sockets at once and forgets the kernel, as a client that crashed or lost
   * its network: the kernel process goes on (unlike `close()`).
   */
  vanish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.hb]) socket.close();
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  /** `shutdown_request` on control, then waits for the process to exit. */
  async shutdown(restart = false, timeoutMs = 10_000): Promise<Message> {
    const reply = await this.request("control", "shutdown_request", { restart }, timeoutMs);
    await this.waitFor(() => this.exitCode !== null || this.exitSignal !== null, timeoutMs, "kernel exit");
    await this.close();
    return reply;
  }

  /** Kills the kernel if it still runs and releases sockets and files. Safe to call twice. */
  async close(): Promise<void> {
    if (this.exitCode === null && this.exitSignal === null) {
      this.process.kill("SIGKILL");
      await this.exited;
    }
    if (this.closed) return;
    this.closed = true;
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.hb]) socket.close();
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  private async receiveLoop(socket: zmq.Dealer | zmq.Subscriber, deliver: (message: Message) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        const decoded = decode(frames, this.signer);
        if (!decoded.ok) throw new Error(`client received a bad message: ${decoded.reason}`);
        const { identities: _identities, ...message } = decoded.message;
        deliver(message);
        this.notify();
      }
    } catch (error) {
      if (!this.closed) this.log += `\n[client] receive loop ended: ${String(error)}\n`;
    }
  }

  private answerInput(request: Message): void {
    const handler = this.inputHandlers.get(parentId(request));
    const content = request.content as { prompt?: string; password?: boolean };
    const value = handler ? handler(content.prompt ?? "", content.password ?? false) : "";
    const reply = childOf(this.origin, request, "input_reply", { value });
    // input_reply's parent must be the execute_request, as jupyter_client sends it.
    reply.parent_header = request.parent_header;
    this.sendFrames("stdin", encode(reply, this.signer));
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function parentId(message: Message): string {
  return (message.parent_header as { msg_id?: string }).msg_id ?? "";
}

function isIdle(message: Message): boolean {
  return message.header.msg_type === "status" && message.content.execution_state === "idle";
}

/** Ports the OS says are free right now on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      return new Promise<import("node:net").Server>((resolveServer, rejectServer) => {
        const server = createServer();
        server.once("error", rejectServer);
        server.listen(0, "127.0.0.1", () => resolveServer(server));
      });
    }),
  );
  const ports = servers.map((server) => (server.address() as import("node:net").AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

/** Writes a fresh connection file and spawns the built kernel on it. */
export async function startKernel(options: StartOptions = {}): Promise<KernelClient> {
  const tempDir = mkdtempSync(join(tmpdir(), "tsgrad-kernel-"));
  const ipc = options.transport === "ipc";
  const [shell, control, stdin, iopub, hb] = ipc
    ? [1, 2, 3, 4, 5]
    : ((await freePorts(5)) as [number, number, number, number, number]);
  const connection: ConnectionInfo = {
    transport: ipc ? "ipc" : "tcp",
    ip: ipc ? join(tempDir, "kernel") : "127.0.0.1",
    key: options.key ?? randomBytes(16).toString("hex"),
    signature_scheme: options.signatureScheme ?? "hmac-sha256",
    shell_port: shell,
    control_port: control,
    stdin_port: stdin,
    iopub_port: iopub,
    hb_port: hb,
  };
  const connectionFile = join(tempDir, "kernel.json");
  writeFileSync(connectionFile, JSON.stringify({ ...connection, kernel_name: "tsgrad" }));
  // Spawned directly (not through a shell) so SIGINT is not inherited as ignored.
  const ownGroup = options.ownProcessGroup ?? false;
  const child = spawn(process.execPath, [...(options.command ?? [KERNEL_MAIN]), connectionFile], {
    cwd: options.cwd ?? REPO_ROOT,
    env: {
      ...process.env,
      NODE_NO_WARNINGS: "1",
      ...(ownGroup ? { JPY_PARENT_PID: String(process.pid) } : {}),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: ownGroup,
  });
  const client = new KernelClient(connection, connectionFile, child, tempDir);
  client.connect();
  if (options.waitReady ?? true) {
    try {
      await client.ready();
    } catch (error) {
      await client.close();
      throw error;
    }
  }
  return client;
}
