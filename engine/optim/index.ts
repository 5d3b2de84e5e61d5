// The `optim` namespace cells see: optimizers, `optim.lr` schedules and gradient clipping.

export { Adagrad, type AdagradOptions } from "./adagrad.js";
export { Adam, type AdamOptions, AdamW } from "./adam.js";
export { clipGradNorm, clipGradValue } from "./clip.js";
export * as lr from "./lr.js";
export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamGroupSpec, type Params } from "./optimizer.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { SGD, type SGDOptions } from "./sgd.js";
