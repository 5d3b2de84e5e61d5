// At most one output update per interval (jupyter_server drops IOPub floods past its
// `iopub_msg_rate_limit` and `iopub_data_rate_limit`), with the latest state sent late rather than lost: a trailing timer for async
// loops, and a final send before the cell's reply (the runtime's flush) for synchronous ones.
import { cancelFlush, flushBeforeReply } from "./sink.js";

/** Calls `send(false)` at most once per `intervalMs` while changes come, and `send(true)` once at the end. */
export class Throttle {
  private lastSent = -Infinity;
  private dirty = false;
  private unfinished = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly finishNow = (): void => this.finish();
  private readonly sendLate = (): void => {
    this.timer = undefined;
    this.sendPending();
  };

  constructor(
    private readonly send: (final: boolean) => void,
    /** May change while running (a live chart widens it to keep rendering cheap). */
    public intervalMs = 250,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Marks the output changed: sends now if the interval has passed, later otherwise. */
  request(): void {
    this.dirty = true;
    if (!this.unfinished) {
      this.unfinished = true;
      flushBeforeReply(this.finishNow);
    }
    const wait = this.lastSent + this.intervalMs - this.now();
    if (wait <= 0) this.sendPending();
    else this.timer ??= setTimeout(this.sendLate, wait);
  }

  /** Sends the final state (if anything changed since the last finish). */
  finish(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    cancelFlush(this.finishNow);
    if (!this.unfinished) return;
    this.unfinished = false;
    this.dirty = false;
    this.lastSent = this.now();
    this.send(true);
  }

  private sendPending(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.lastSent = this.now();
    this.send(false);
  }
}
