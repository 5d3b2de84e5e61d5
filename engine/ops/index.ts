// Every op as a free function (the Tensor methods call these).
export { add, div, maximum, minimum, mul, pow, sub } from "./arithmetic.js";
export { type MultiHeadAttentionOptions, multiHeadAttention } from "./attention.js";
export { eq, ge, gt, le, lt, maskedFill, ne, where } from "./compare.js";
export { gelu } from "./gelu.js";
export { gather, index, indexSelect, oneHot, slice } from "./indexing.js";
export { layerNorm } from "./layer-norm.js";
export {
  clone,
  concat,
  expand,
  flatten,
  permute,
  reshape,
  split,
  squeeze,
  stack,
  t,
  to,
  transpose,
  unsqueeze,
} from "./layout.js";
export { linear, matmul } from "./matmul.js";
export { argmax, argmin, max, mean, min, std, sum, variance } from "./reduce.js";
export { logSoftmax, softmax } from "./softmax.js";
export { abs, clamp, exp, leakyRelu, log, neg, relu, sigmoid, sqrt, square, tanh } from "./unary.js";
