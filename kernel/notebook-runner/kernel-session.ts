// A headless Jupyter client for one kernel: starts `node dist/kernel/main.js` on a fresh
// connection file (ipc transport: Unix sockets in a private temp folder, so no port can be taken
// between choosing and binding it), and talks to it over ZeroMQ as jupyter_client does. This is
// how `tsgrad run` executes a notebook without Python: the kernel under test is the same process
// JupyterLab talks to, through the same protocol.

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zmq from "zeromq";
import type { ConnectionInfo } from "../protocol/connection.js";
import { createMessage, type JsonObject, type Message, newOrigin } from "../protocol/messages.js";
import { decode, encode, Signer } from "../protocol/wire.js";

export interface SessionOptions {
  /** The kernel's entry point (dist/kernel/main.js). */
  kernelMain: string;
  /** The kernel's working directory: the notebook's folder, as Jupyter starts it. */
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/** The kernel died or stopped answering; what it last said on stderr comes with it. */
export class KernelDiedError extends Error {
  override name = "KernelDiedError";
}

export class KernelSession {
  private readonly origin = newOrigin();
  private readonly signer: Signer;
  private readonly shell = new zmq.Dealer({ linger: 0 });
  private readonly control = new zmq.Dealer({ linger: 0 });
  private readonly iopub = new zmq.Subscriber({ linger: 0 });
  private readonly replies = new Map<string, (reply: Message) => void>();
  private readonly iopubListeners = new Map<string, (message: Message) => void>();
  private readonly sendQueues = new Map<zmq.Socket, Promise<unknown>>();
  private readonly exited: Promise<void>;
  private exitReason: string | undefined;
  private stderrTail = "";
  private closed = false;

  private constructor(
    private readonly process: ChildProcess,
    connection: ConnectionInfo,
    private readonly folder: string,
  ) {
    this.signer = new Signer(connection.key, connection.signature_scheme);
    process.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000);
    });
    this.exited = new Promise((done) =>
      process.on("exit", (code, signal) => {
        this.exitReason = signal ? `killed by ${signal}` : `exited with code ${code}`;
        done();
      }),
    );
    const address = (port: number) => `ipc://${connection.ip}-${port}`;
    this.shell.connect(address(connection.shell_port));
    this.control.connect(address(connection.control_port));
    this.iopub.connect(address(connection.iopub_port));
    this.iopub.subscribe();
    void this.receive(this.shell, (message) => this.replies.get(parentId(message))?.(message));
    void this.receive(this.control, (message) => this.replies.get(parentId(message))?.(message));
    void this.receive(this.iopub, (message) => this.iopubListeners.get(parentId(message))?.(message));
  }

  /** Starts the kernel and waits until its shell and IOPub both answer (PUB/SUB drops messages until subscribed). */
  static async start(options: SessionOptions, timeoutMs = 60_000): Promise<KernelSession> {
    const folder = mkdtempSync(join(tmpdir(), "tsgrad-run-"));
    const connection: ConnectionInfo = {
      transport: "ipc",
      ip: join(folder, "kernel"),
      key: randomBytes(32).toString("hex"),
      signature_scheme: "hmac-sha256",
      shell_port: 1,
      control_port: 2,
      stdin_port: 3,
      iopub_port: 4,
      hb_port: 5,
    };
    const connectionFile = join(folder, "connection.json");
    writeFileSync(connectionFile, JSON.stringify(connection), { mode: 0o600 });
    const child = spawn(process.execPath, [options.kernelMain, connectionFile], {
      cwd: options.cwd,
      env: { NODE_NO_WARNINGS: "1", ...(options.env ?? process.env) },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const session = new KernelSession(child, connection, folder);
    try {
      await session.awaitReady(timeoutMs);
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /** kernel_info_reply's content (language_info goes into the notebook's metadata). */
  async kernelInfo(timeoutMs = 30_000): Promise<JsonObject> {
    const request = this.send("shell", "kernel_info_request", {});
    return (await this.awaitReply(request, timeoutMs)).content;
  }

  /**
   * Runs one cell: every IOPub message it causes, up to its idle, goes to `onIopub`; then the
   * execute_reply is returned. `timeoutMs` bounds the cell (undefined: no bound).
   */
  async execute(
    code: string,
    onIopub: (message: Message) => void,
    options: { stopOnError: boolean; timeoutMs?: number },
  ): Promise<Message> {
    const request = createMessage(this.origin, "execute_request", {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: options.stopOnError,
    });
    let idle!: () => void;
    const sawIdle = new Promise<void>((done) => (idle = done));
    this.iopubListeners.set(request.header.msg_id, (message) => {
      onIopub(message);
      if (message.header.msg_type === "status" && message.content.execution_state === "idle") idle();
    });
    try {
      this.sendMessage("shell", request);
      const reply = await this.awaitReply(request, options.timeoutMs);
      // Outputs come before idle on IOPub; the reply may overtake them on shell.
      await this.within(sawIdle, 10_000, "the idle status after an execute_reply");
      return reply;
    } finally {
      this.iopubListeners.delete(request.header.msg_id);
    }
  }

  /** interrupt_request on control (the kernelspec's interrupt_mode is "message"). */
  async interrupt(): Promise<void> {
    await this.awaitReply(this.send("control", "interrupt_request", {}), 5_000).catch(() => undefined);
  }

  /** Asks the kernel to shut down, kills it if it does not, and removes the connection files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.exitReason === undefined) {
      this.send("control", "shutdown_request", { restart: false });
      const stopped = await Promise.race([this.exited.then(() => true), sleep(5_000).then(() => false)]);
      if (!stopped) {
        this.process.kill("SIGKILL");
        await this.exited;
      }
    }
    for (const socket of [this.shell, this.control, this.iopub]) socket.close();
    rmSync(this.folder, { recursive: true, force: true });
  }

  private async awaitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const request = this.send("shell", "kernel_info_request", {});
      let idle!: () => void;
      const sawIdle = new Promise<void>((done) => (idle = done));
      this.iopubListeners.set(request.header.msg_id, (message) => {
        if (message.header.msg_type === "status" && message.content.execution_state === "idle") idle();
      });
      try {
        await this.awaitReply(request, 1_000);
        await this.within(sawIdle, 1_000, "IOPub");
        return;
      } catch (error) {
        if (error instanceof KernelDiedError && this.exitReason !== undefined) throw error;
      } finally {
        this.iopubListeners.delete(request.header.msg_id);
      }
    }
    throw new KernelDiedError(`the kernel did not answer within ${timeoutMs / 1000} s${this.lastWords()}`);
  }

  private send(channel: "shell" | "control", msgType: string, content: JsonObject): Message {
    const message = createMessage(this.origin, msgType, content);
    this.sendMessage(channel, message);
    return message;
  }

  private sendMessage(channel: "shell" | "control", message: Message): void {
    const socket = channel === "shell" ? this.shell : this.control;
    // zeromq.js allows one send in flight per socket: chain them.
    const next = (this.sendQueues.get(socket) ?? Promise.resolve())
      .then(() => socket.send(encode(message, this.signer)))
      .catch(() => undefined);
    this.sendQueues.set(socket, next);
  }

  private async awaitReply(request: Message, timeoutMs: number | undefined): Promise<Message> {
    const reply = new Promise<Message>((done) => this.replies.set(request.header.msg_id, done));
    try {
      return await this.within(reply, timeoutMs, `the reply to ${request.header.msg_type}`);
    } finally {
      this.replies.delete(request.header.msg_id);
    }
  }

  /** Resolves with `promise`, or rejects when the kernel exits or `timeoutMs` passes first. */
  private async within<T>(promise: Promise<T>, timeoutMs: number | undefined, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const died = this.exited.then(() => {
      throw new KernelDiedError(`the kernel ${this.exitReason} while waiting for ${what}${this.lastWords()}`);
    });
    const timeout =
      timeoutMs === undefined
        ? new Promise<never>(() => undefined)
        : new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new TimeoutError(`no ${what} within ${timeoutMs / 1000} s`)), timeoutMs);
          });
    try {
      return await Promise.race([promise, died, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private lastWords(): string {
    const tail = this.stderrTail.trim();
    return tail ? `; its last log lines:\n${tail.split("\n").slice(-10).join("\n")}` : "";
  }

  private async receive(socket: zmq.Dealer | zmq.Subscriber, deliver: (message: Message) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        const decoded = decode(frames, this.signer);
        if (!decoded.ok) continue; // not signed with our key: not from our kernel
        const { identities: _identities, ...message } = decoded.message;
        deliver(message);
      }
    } catch {
      // The socket closed.
    }
  }
}

/** A cell ran past its time limit. */
export class TimeoutError extends Error {
  override name = "TimeoutError";
}

function parentId(message: Message): string {
  return (message.parent_header as { msg_id?: string }).msg_id ?? "";
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms).unref());
}
