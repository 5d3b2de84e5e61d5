// TensorFlow.js's pure-JS CPU backend as the benchmark reference. The CPU package ships no
// gradients, and tfjs-core's own gradient modules (dist/gradients/*.js) use extensionless ESM
// imports that Node cannot resolve; a two-line resolve hook adds ".js" so TF's own gradient code
// registers (into tfjs's global registry, shared with the CommonJS build we call).
import { register } from "node:module";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";

const ADD_JS_EXTENSION = `export async function resolve(specifier, context, next) {
  try { return await next(specifier, context); }
  catch (error) { if (specifier.startsWith(".") && !specifier.endsWith(".js")) return next(specifier + ".js", context); throw error; }
}`;

let ready: Promise<typeof tf> | null = null;

/** tfjs-core on the "cpu" backend with every gradient registered. */
export function loadTensorFlow(): Promise<typeof tf> {
  ready ??= (async () => {
    register(`data:text/javascript,${encodeURIComponent(ADD_JS_EXTENSION)}`);
    await import("@tensorflow/tfjs-core/dist/register_all_gradients.js" as string);
    await tf.setBackend("cpu");
    return tf;
  })();
  return ready;
}
