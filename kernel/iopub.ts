// The IOPub side of one request: every output goes out as a child of that request, in the
// order the cell produced it, with stream text batched. jupyter_server drops IOPub traffic
// above 1,000 messages/s, so a loop printing 100,000 lines must become a few dozen messages.

import type { JsonObject } from "./protocol/messages.js";

export type StreamName = "stdout" | "stderr";

/** Publishes one IOPub message (a child of the request) and resolves once it is queued in order. */
export type Publish = (msgType: string, content: JsonObject) => Promise<void>;

/** Stream text is held at most this long before it is sent (ipykernel's OutStream flushes on a timer too: jupyter_server rate-limits IOPub, see its `iopub_msg_rate_limit`). */
export const STREAM_BATCH_MS = 50;

export class RequestOutput {
  private pendingName: StreamName | null = null;
  private pendingText = "";
  private timer: NodeJS.Timeout | null = null;
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly publish: Publish,
    private readonly batchMs = STREAM_BATCH_MS,
  ) {}

  /** Appends stream text; consecutive text of one stream becomes one message. */
  stream(name: StreamName, text: string): void {
    if (text === "") return;
    if (this.pendingName !== null && this.pendingName !== name) this.flushStream();
    this.pendingName = name;
    this.pendingText += text;
    this.timer ??= setTimeout(() => this.flushStream(), this.batchMs);
  }

  /** Publishes a non-stream message after any text printed before it. */
  message(msgType: string, content: JsonObject): Promise<void> {
    this.flushStream();
    return this.enqueue(msgType, content);
  }

  /** Sends held stream text now; resolves when everything published so far is queued. */
  flush(): Promise<void> {
    this.flushStream();
    return this.last;
  }

  private flushStream(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pendingName === null) return;
    const content = { name: this.pendingName, text: this.pendingText };
    this.pendingName = null;
    this.pendingText = "";
    void this.enqueue("stream", content);
  }

  private enqueue(msgType: string, content: JsonObject): Promise<void> {
    this.last = this.publish(msgType, content);
    return this.last;
  }
}
