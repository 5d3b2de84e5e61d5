// The program of the thread that turns charts' SVG into PNG (see rasterizer.ts).
//
// Like the matmul pool's, it runs from source text (`new Worker(source, { eval: true })`): the
// engine runs from TypeScript sources under vitest and from dist/ elsewhere, and only a program
// that travels as text starts the same way in both. So `rasterWorkerMain` refers to nothing
// outside its own body; it gets resvg's resolved path through workerData.

/** What the calling thread sends: an SVG document and resvg's options for it. */
export interface RasterRequest {
  id: number;
  svg: string;
  options: unknown;
}

/** What comes back on the reply port: the PNG bytes, or why there are none. */
export type RasterReply = { id: number; png: Uint8Array } | { id: number; error: string };

/** What the worker starts with. */
export interface RasterWorkerData {
  resvgPath: string;
  /** Where replies go: the calling thread reads them synchronously (receiveMessageOnPort). */
  port: unknown;
  /** Counts replies; the calling thread waits on it with Atomics.wait. */
  replies: Int32Array;
}

function rasterWorkerMain(): void {
  const { parentPort, workerData } = require("node:worker_threads");
  const { resvgPath, port, replies } = workerData as RasterWorkerData;
  const { Resvg } = require(resvgPath);
  const reply = port as { postMessage(value: unknown): void };
  // V8's collector, from a throwaway context (the flag applies to contexts made after it).
  require("node:v8").setFlagsFromString("--expose-gc");
  const collect = require("node:vm").runInNewContext("gc") as () => void;
  parentPort.on("message", (request: RasterRequest) => {
    try {
      const png: Uint8Array = new Resvg(request.svg, request.options).render().asPng();
      reply.postMessage({ id: request.id, png });
    } catch (error) {
      reply.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
    }
    Atomics.add(replies, 0, 1);
    Atomics.notify(replies, 0);
    // While the caller goes on: the SVG text and the image become garbage now, not after the
    // heap fills (V8 let this thread's heap reach tens of MiB of old SVGs); the image's native
    // memory is freed when this thread's event loop next turns, right after this.
    collect();
  });
}

/** The worker's program as source text for `new Worker(…, { eval: true })`. */
export const RASTER_WORKER_SOURCE = `(${rasterWorkerMain.toString()})();\n`;
