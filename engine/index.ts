// Exactly what a cell sees preloaded: tensors and their ops, autograd helpers, seeding, the
// `nn`, `optim`, `data` and `plot` namespaces, and save/load. Usable from plain Node as well:
//   import { tensor, nn, optim } from "tsgrad";

// Tensors, ops and autograd (engine core).
export { Tensor, type TensorLike, type DType, type TypedArray, type NestedArray } from "./tensor.js";
export { tensor, zeros, ones, full, arange, linspace, eye, rand, randn, randint, zerosLike, onesLike, type TensorOptions } from "./creation.js";
export * from "./ops/index.js";
export { noGrad, grad, valueAndGrad, backward, isGradEnabled, reduceBroadcastGrad } from "./autograd.js";
export { gradcheck, type GradcheckOptions } from "./gradcheck.js";
export { manualSeed, randomGenerator, random, RandomGenerator } from "./random.js";
// The interrupt controls themselves are the kernel's (it imports engine/interrupt.js); cells only catch.
export { KeyboardInterrupt } from "./interrupt.js";

// Models, training and data.
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";
export { save, load, type Saveable, type SaveFormat } from "./io.js";

// Charts (Vega-Lite specs that render themselves).
export * as plot from "./plot/index.js";
export { vegaLite } from "./plot/chart.js";
export { table } from "./plot/table.js";
export { liveChart, progress, fit } from "./train/index.js";
