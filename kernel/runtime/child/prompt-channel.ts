// prompt() returns the line the user typed, synchronously, as in browsers: the cell's thread
// posts the request to a worker thread (stdin-worker.ts) and waits on shared memory with
// Atomics.wait until the worker has the reply. The cell's own thread could not receive it: the
// parent's messages reach it only through its event loop, which the waiting cell holds.
// An interrupt still ends the wait: the engine's interrupt flag, which the watchdog sets at
// once, is looked at every 100 ms.
import { Worker } from "node:worker_threads";

/** header[0]: the state; header[1]: the request a reply answers; header[2]: its length in bytes. */
export interface SharedReply {
  header: Int32Array;
  bytes: Uint8Array;
}

export const WAITING = 0;
export const REPLIED = 1;
export const CLOSED = 2;

const REPLY_BYTES = 1 << 20;

export class PromptInterrupted extends Error {
  constructor() {
    super("prompt() was interrupted");
    this.name = "KeyboardInterrupt";
  }
}

export class PromptChannel {
  private worker: Worker | undefined;
  private readonly shared: SharedReply = {
    header: new Int32Array(new SharedArrayBuffer(12)),
    bytes: new Uint8Array(new SharedArrayBuffer(REPLY_BYTES)),
  };
  private nextId = 0;

  constructor(private readonly interrupted: () => boolean) {}

  /** Sends an input request for `execId` and returns the reply; throws if interrupted or closed. */
  ask(execId: number, prompt: string, password: boolean): string {
    const { header, bytes } = this.shared;
    const worker = this.start();
    const requestId = ++this.nextId;
    if (Atomics.load(header, 0) !== CLOSED) Atomics.store(header, 0, WAITING);
    worker.postMessage({ execId, requestId, prompt, password });
    for (;;) {
      const state = Atomics.load(header, 0);
      if (state === REPLIED && Atomics.load(header, 1) === requestId) {
        Atomics.store(header, 0, WAITING);
        return new TextDecoder().decode(bytes.slice(0, Atomics.load(header, 2)));
      }
      if (state === CLOSED) throw new Error("prompt(): the kernel's input channel is closed");
      if (this.interrupted()) throw new PromptInterrupted();
      Atomics.wait(header, 0, state, 100);
    }
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    this.worker = new Worker(new URL("./stdin-worker.js", import.meta.url), { workerData: this.shared });
    this.worker.unref(); // never keeps the runtime alive
    return this.worker;
  }
}
