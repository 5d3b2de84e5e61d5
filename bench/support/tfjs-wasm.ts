// TensorFlow.js's WebAssembly backend (XNNPACK, 128-bit SIMD) as a second benchmark reference,
// on one thread like our kernels. Its .wasm files ship inside the npm package and are loaded
// from node_modules, never fetched. TF.js has one global engine: `useBackend` switches it, so a
// benchmark names the backend before creating its TF tensors.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type * as TF from "@tensorflow/tfjs-core";
import { loadTensorFlow } from "./tfjs-reference.js";

let ready: Promise<typeof TF> | null = null;

/** tfjs-core with both the "cpu" and the single-threaded "wasm" backends registered. */
export function loadTensorFlowWasm(): Promise<typeof TF> {
  ready ??= (async () => {
    const tf = await loadTensorFlow();
    const require = createRequire(import.meta.url);
    const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
    const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"));
    wasm.setWasmPaths(`${dist}/`);
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    return tf;
  })();
  return ready;
}

/** Makes `name` TF.js's active backend ("cpu" or "wasm"). */
export async function useBackend(tf: typeof TF, name: "cpu" | "wasm"): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`TF.js backend ${name} failed to initialise`);
}
