// Charts' PNGs, rasterized by resvg on a thread of their own while the caller waits.
//
// resvg's rendered image is native memory that Node frees only when the event loop of the
// thread that made it turns (Node-API finalizers run from the loop, not from the collector). A
// cell's synchronous training loop never lets its thread's loop turn, so every PNG a live chart
// drew during training stayed allocated until the cell ended: a 20 s loop took the runtime from
// 181 to 339 MiB resident. So a PNG asked for before the last one drawn here could be freed (in
// the same synchronous stretch) is drawn on a worker whose loop is free, and each image is freed
// right after its reply; a lone chart is still drawn in place, without a thread. The worker
// starts with the first such PNG and ends after a while without one; if it cannot start, dies,
// or does not answer, the caller draws the PNG itself.
import { createRequire } from "node:module";
// Node's own timers, not the global ones: in the kernel those are the running cell's, and an
// interrupt cancels them (the thread would then never be released, nor the flag below reset).
// Their callbacks run as microtasks, outside Node's timer code, which a watchdog's termination
// must not unwind (kernel/runtime/child/timers.ts says why).
import { clearTimeout, setImmediate, setTimeout } from "node:timers";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { throwIfInterrupted } from "../interrupt.js";
import { RASTER_WORKER_SOURCE, type RasterReply, type RasterWorkerData } from "./raster-worker.js";

/** How long the worker stays after its last PNG: a live chart draws every 0.25–3 s. */
const IDLE_RELEASE_MS = 30_000;
/** A PNG takes 5–300 ms; past this the worker is taken for stuck and replaced by the caller. */
const REPLY_DEADLINE_MS = 20_000;
/** How often a waiting caller looks at the interrupt flag and the worker's health. */
const WAIT_SLICE_MS = 50;

interface RasterThread {
  worker: Worker;
  port: MessagePort;
  replies: Int32Array;
}

let thread: RasterThread | undefined;
/** Set while an image drawn in place waits for this thread's event loop to free it. */
let drawnInPlaceNotFreed = false;
let releaseTimer: NodeJS.Timeout | undefined;
let nextId = 1;

function startThread(): RasterThread | undefined {
  try {
    const { port1, port2 } = new MessageChannel();
    const replies = new Int32Array(new SharedArrayBuffer(4));
    const data: RasterWorkerData = {
      resvgPath: createRequire(import.meta.url).resolve("@resvg/resvg-js"),
      port: port2,
      replies,
    };
    const worker = new Worker(RASTER_WORKER_SOURCE, {
      eval: true,
      workerData: data,
      transferList: [port2],
      name: "tsgrad chart rasterizer",
      // A CommonJS script: an inherited `--input-type=module` would make it a module.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 },
    });
    worker.unref();
    port1.unref();
    worker.on("error", () => stopThread());
    worker.on("exit", () => stopThread());
    return { worker, port: port1, replies };
  } catch {
    return undefined;
  }
}

function stopThread(): void {
  clearTimeout(releaseTimer);
  releaseTimer = undefined;
  if (!thread) return;
  const { worker, port } = thread;
  thread = undefined;
  port.close();
  void worker.terminate();
}

function releaseLater(): void {
  clearTimeout(releaseTimer);
  releaseTimer = setTimeout(() => queueMicrotask(stopThread), IDLE_RELEASE_MS);
  releaseTimer.unref();
}

/**
 * `svg` as PNG bytes: `drawInPlace()` draws them on this thread, unless an image drawn here is
 * not freed yet (a synchronous loop drawing charts), then the rasterizer thread does.
 * Example: `rasterize(svg, options, () => new Resvg(svg, options).render().asPng())`
 */
export function rasterize(svg: string, options: unknown, drawInPlace: () => Uint8Array): Uint8Array {
  if (drawnInPlaceNotFreed) {
    const png = rasterizeOnThread(svg, options);
    if (png) return png;
  }
  const png = drawInPlace();
  if (!drawnInPlaceNotFreed) {
    drawnInPlaceNotFreed = true;
    // Node-API finalizers run from the loop: once it has turned, a collection can free the image.
    setImmediate(() =>
      queueMicrotask(() => {
        drawnInPlaceNotFreed = false;
      }),
    ).unref();
  }
  return png;
}

/**
 * `svg` as PNG bytes, drawn on the rasterizer thread with resvg's `options`; undefined when that
 * thread cannot do it (the caller then draws it itself). An interrupt while waiting throws
 * `KeyboardInterrupt`. Example: `rasterizeOnThread(svg, { fitTo: { mode: "zoom", value: 2 } })`
 */
export function rasterizeOnThread(svg: string, options: unknown): Uint8Array | undefined {
  thread ??= startThread();
  const current = thread;
  if (!current) return undefined;
  const id = nextId++;
  current.worker.postMessage({ id, svg, options });
  const deadline = Date.now() + REPLY_DEADLINE_MS;
  for (;;) {
    // The count first: a reply posted after this read wakes the wait below at once.
    const replies = Atomics.load(current.replies, 0);
    // Replies to requests an interrupt abandoned come first: skip them.
    for (let message = receiveMessageOnPort(current.port); message; message = receiveMessageOnPort(current.port)) {
      const reply = message.message as RasterReply;
      if (reply.id !== id) continue;
      releaseLater();
      if ("error" in reply) throw new Error(reply.error);
      return reply.png;
    }
    throwIfInterrupted();
    // threadId is -1 once the thread has ended, before its exit event could be delivered.
    if (current.worker.threadId === -1 || Date.now() > deadline) {
      stopThread();
      return undefined;
    }
    Atomics.wait(current.replies, 0, replies, WAIT_SLICE_MS);
  }
}

/** The rasterizer thread's id while it runs, else undefined (it starts with the first PNG). Example: `rasterizerThreadId() // undefined` */
export function rasterizerThreadId(): number | undefined {
  return thread?.worker.threadId;
}
