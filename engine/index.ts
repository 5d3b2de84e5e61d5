export {};
// Tensors, ops and autograd (engine core).
export { Tensor, type TensorLike, type DType, type TypedArray, type NestedArray } from "./tensor.js";
export { tensor, zeros, ones, full, arange, linspace, eye, rand, randn, randint, zerosLike, onesLike, type TensorOptions } from "./creation.js";
export * from "./ops/index.js";
export { noGrad, grad, valueAndGrad, backward, isGradEnabled, reduceBroadcastGrad } from "./autograd.js";
export { gradcheck, type GradcheckOptions } from "./gradcheck.js";
export { manualSeed, randomGenerator, random, RandomGenerator } from "./random.js";
export { requestInterrupt, clearInterrupt, throwIfInterrupted, useInterruptFlag, KeyboardInterrupt } from "./interrupt.js";
