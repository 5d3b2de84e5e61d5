// The five ZeroMQ channels of a kernel, bound where the connection file says. Incoming
// messages are verified and decoded here; what they mean is the server's business.

import * as zmq from "zeromq";
import { type ConnectionInfo, endpoint } from "./protocol/connection.js";
import type { IncomingMessage, Message } from "./protocol/messages.js";
import { decode, encode, RecentSignatures, Signer } from "./protocol/wire.js";

export type SendChannel = "shell" | "control" | "stdin" | "iopub";
export type ReceiveChannel = "shell" | "control" | "stdin";

/** What the server needs from the network: send a message, routed to `identities`. */
export interface Transport {
  /** Resolves once the message is handed to ZeroMQ; sends on one channel keep their order. */
  send(channel: SendChannel, message: Message, identities?: readonly Buffer[]): Promise<void>;
}

export type Receiver = (channel: ReceiveChannel, message: IncomingMessage) => void;

const FLUSH_GRACE_MS = 100;

/**
 * zeromq.js 6 allows one `send()` in flight per socket; a burst of unawaited sends fails with
 * EBUSY and loses messages. Each socket gets a chain of awaited sends instead.
 */
class SendQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: zmq.Socket & { send(frames: Buffer[]): Promise<void> },
    private readonly log: (line: string) => void,
  ) {}

  push(frames: Buffer[]): Promise<void> {
    this.tail = this.tail.then(() =>
      this.socket.send(frames).catch((error: unknown) => this.log(`send failed: ${String(error)}`)),
    );
    return this.tail;
  }

  /** Resolves when every queued send is done. */
  drained(): Promise<void> {
    return this.tail;
  }
}

export class KernelSockets implements Transport {
  private readonly signer: Signer;
  private readonly recent = new RecentSignatures();
  private readonly shell = new zmq.Router({ linger: 0 });
  private readonly control = new zmq.Router({ linger: 0 });
  private readonly stdin = new zmq.Router({ linger: 0 });
  private readonly iopub = new zmq.Publisher({ linger: 500 });
  private readonly hb = new zmq.Router({ linger: 0 });
  private readonly queues: Record<SendChannel, SendQueue>;
  private closed = false;

  private constructor(
    info: ConnectionInfo,
    private readonly log: (line: string) => void,
  ) {
    this.signer = new Signer(info.key, info.signature_scheme);
    this.queues = {
      shell: new SendQueue(this.shell, log),
      control: new SendQueue(this.control, log),
      stdin: new SendQueue(this.stdin, log),
      iopub: new SendQueue(this.iopub, log),
    };
  }

  /** Binds all five channels; the heartbeat starts echoing at once. */
  static async bind(info: ConnectionInfo, log: (line: string) => void): Promise<KernelSockets> {
    const sockets = new KernelSockets(info, log);
    await Promise.all([
      sockets.shell.bind(endpoint(info, "shell")),
      sockets.control.bind(endpoint(info, "control")),
      sockets.stdin.bind(endpoint(info, "stdin")),
      sockets.iopub.bind(endpoint(info, "iopub")),
      sockets.hb.bind(endpoint(info, "hb")),
    ]);
    void sockets.echoHeartbeats();
    return sockets;
  }

  /** Starts delivering verified messages from shell, control and stdin to `receive`. */
  listen(receive: Receiver): void {
    void this.receiveLoop("shell", this.shell, receive);
    void this.receiveLoop("control", this.control, receive);
    void this.receiveLoop("stdin", this.stdin, receive);
  }

  send(channel: SendChannel, message: Message, identities: readonly Buffer[] = []): Promise<void> {
    if (this.closed) return Promise.resolve();
    // On IOPub the first frame is a subscription topic; by convention the msg_type.
    const prefix = channel === "iopub" ? [Buffer.from(message.header.msg_type)] : identities;
    return this.queues[channel].push(encode(message, this.signer, prefix));
  }

  /** Waits for queued sends to go out (the shutdown_reply and the last idle), then closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all(Object.values(this.queues).map((queue) => queue.drained()));
    // A resolved send is only queued inside ZeroMQ; its I/O thread still has to write it.
    // ipykernel gives it 0.1 s before stopping too.
    await new Promise((resolve) => setTimeout(resolve, FLUSH_GRACE_MS));
    this.closed = true;
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.hb]) socket.close();
  }

  private async receiveLoop(channel: ReceiveChannel, socket: zmq.Router, receive: Receiver): Promise<void> {
    try {
      for await (const frames of socket) {
        const decoded = decode(frames, this.signer, this.recent);
        if (!decoded.ok) {
          this.log(`dropped a message on ${channel}: ${decoded.reason}`);
          continue;
        }
        try {
          receive(channel, decoded.message);
        } catch (error) {
          this.log(`handling ${decoded.message.header.msg_type} on ${channel} failed: ${String(error)}`);
        }
      }
    } catch (error) {
      if (!this.closed) this.log(`${channel} stopped receiving: ${String(error)}`);
    }
  }

  /** Heartbeat: echo every message as it came, from the protocol process, never blocked by a cell. */
  private async echoHeartbeats(): Promise<void> {
    try {
      for await (const frames of this.hb) await this.hb.send(frames);
    } catch (error) {
      if (!this.closed) this.log(`heartbeat stopped: ${String(error)}`);
    }
  }
}
