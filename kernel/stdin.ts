// Input requests a running cell makes (spec "Messages on the stdin channel"): each waits for
// the next `input_reply` from the client; those left when their cell ends are cancelled.

import type { IncomingMessage } from "./protocol/messages.js";

interface Pending {
  requestId: string;
  resolve(value: string): void;
  reject(error: Error): void;
}

export class PendingInputs {
  private pending: Pending[] = [];

  /** A promise for the value of the next `input_reply`, on behalf of execute `requestId`. */
  wait(requestId: string): Promise<string> {
    return new Promise((resolve, reject) => this.pending.push({ requestId, resolve, reject }));
  }

  /** Resolves the oldest waiting input with `reply`; false when nobody was waiting. */
  answer(reply: IncomingMessage): boolean {
    const first = this.pending.shift();
    if (!first) return false;
    const value = (reply.content as { value?: unknown }).value;
    first.resolve(typeof value === "string" ? value : "");
    return true;
  }

  /** Rejects the inputs still waiting for `requestId` (its cell finished or was interrupted). */
  cancel(requestId: string): void {
    const cancelled = this.pending.filter((entry) => entry.requestId === requestId);
    this.pending = this.pending.filter((entry) => entry.requestId !== requestId);
    for (const entry of cancelled) entry.reject(new Error("input cancelled: the cell finished"));
  }
}
