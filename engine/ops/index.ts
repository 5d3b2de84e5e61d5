// Every op as a free function (the Tensor methods call these).
export { add, sub, mul, div, pow, maximum, minimum } from "./arithmetic.js";
export { eq, ne, lt, le, gt, ge, where, maskedFill } from "./compare.js";
export { neg, abs, square, sqrt, exp, log, sigmoid, tanh, relu, leakyRelu, clamp } from "./unary.js";
export { gelu } from "./gelu.js";
export { layerNorm } from "./layer-norm.js";
export { multiHeadAttention, type MultiHeadAttentionOptions } from "./attention.js";
export { softmax, logSoftmax } from "./softmax.js";
export { sum, mean, max, min, argmax, argmin, variance, std } from "./reduce.js";
export { matmul, linear } from "./matmul.js";
export { reshape, flatten, squeeze, unsqueeze, permute, transpose, t, expand, concat, stack, split, to, clone } from "./layout.js";
export { slice, index, gather, indexSelect, oneHot } from "./indexing.js";
