// Everything the child sends to the parent goes through here, in order. Stream text is
// batched (jupyter_server drops IOPub floods): the first write after a quiet spell goes out at
// once (it may precede a long blocking call, or a crash), the rest of a burst every ~50 ms or
// past 64 KiB, and everything before any other message, so stdout/display/outcome keep their
// relative order.
import type { FromChild } from "../ipc.js";

type StreamName = "stdout" | "stderr";

export class OutputChannel {
  private pending: { execId: number; name: StreamName; text: string }[] = [];
  private pendingChars = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = -Infinity;

  constructor(
    private readonly send: (message: FromChild) => void,
    private readonly schedule: (flush: () => void, ms: number) => NodeJS.Timeout,
    private readonly flushAfterMs = 50,
    private readonly flushAboveChars = 64 * 1024,
  ) {}

  stream(execId: number, name: StreamName, text: string): void {
    if (text.length === 0) return;
    const last = this.pending.at(-1);
    if (last && last.execId === execId && last.name === name) last.text += text;
    else this.pending.push({ execId, name, text });
    this.pendingChars += text.length;
    const quiet = performance.now() - this.lastFlush >= this.flushAfterMs;
    if (quiet || this.pendingChars >= this.flushAboveChars) this.flush();
    else this.timer ??= this.schedule(() => this.flush(), this.flushAfterMs);
  }

  /** Sends a non-stream message after every stream chunk written before it. */
  message(message: FromChild): void {
    this.flush();
    this.send(message);
  }

  flush(): void {
    this.lastFlush = performance.now();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const chunks = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    for (const { execId, name, text } of chunks) this.send({ type: "stream", execId, name, text });
  }
}
