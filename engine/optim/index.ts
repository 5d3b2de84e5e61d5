// The `optim` namespace cells see: optimizers, `optim.lr` schedules and gradient clipping.

export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamGroupSpec, type Params } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { Adagrad, type AdagradOptions } from "./adagrad.js";
export { clipGradNorm, clipGradValue } from "./clip.js";
export * as lr from "./lr.js";
