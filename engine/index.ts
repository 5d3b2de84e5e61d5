// Exactly what a cell sees preloaded: tensors and their ops, autograd helpers, seeding, the
// `nn`, `optim`, `data` and `plot` namespaces, and save/load. Usable from plain Node as well:
//   import { tensor, nn, optim } from "tsgrad";

export { AnomalyError, detectAnomaly, setDetectAnomaly } from "./anomaly.js";
export { backward, grad, isGradEnabled, noGrad, reduceBroadcastGrad, valueAndGrad } from "./autograd.js";
export * as autograd from "./autograd-namespace.js";
// Exercise checks: a ✓ line on a pass, a CheckError saying what was expected and the hint on a failure.
export { CheckError, check } from "./check/index.js";
export {
  arange,
  eye,
  full,
  linspace,
  ones,
  onesLike,
  type RandomOptions,
  rand,
  randint,
  randn,
  randperm,
  type TensorOptions,
  tensor,
  zeros,
  zerosLike,
} from "./creation.js";
export { FunctionCtx } from "./custom-function.js";
export * as data from "./data/index.js";
export * as distributed from "./distributed/index.js";
export { type GradcheckOptions, gradcheck } from "./gradcheck.js";
// The interrupt controls themselves are the kernel's (it imports engine/interrupt.js); cells only catch.
export { KeyboardInterrupt } from "./interrupt.js";
export { load, type Saveable, type SaveFormat, save } from "./io.js";
// Models, training and data.
export * as nn from "./nn/index.js";
// Convolution, pooling and batch norm as functions too (also in nn.functional).
export { batchNorm } from "./ops/batch-norm.js";
export { conv1d, conv2d } from "./ops/conv.js";
export * from "./ops/index.js";
export { adaptiveAvgPool2d, avgPool2d, maxPool2d } from "./ops/pooling.js";
export * as optim from "./optim/index.js";
export { vegaLite } from "./plot/chart.js";
// Charts (Vega-Lite specs that render themselves).
export * as plot from "./plot/index.js";
export { table } from "./plot/table.js";
export { Generator, manualSeed, RandomGenerator, random, randomGenerator } from "./random.js";
// Tensors, ops and autograd (engine core).
export { type DType, type NestedArray, Tensor, type TensorLike, type TypedArray } from "./tensor.js";
export { fit, liveChart, progress } from "./train/index.js";
