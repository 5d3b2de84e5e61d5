// Every op as a free function (the Tensor methods call these).

export { bmm, cat, mm } from "./aliases.js";
export { add, div, maximum, minimum, mul, pow, sub } from "./arithmetic.js";
export { type MultiHeadAttentionOptions, multiHeadAttention, multiHeadAttentionWithWeights } from "./attention.js";
export { eq, ge, gt, le, lt, maskedFill, ne, where } from "./compare.js";
export { gelu } from "./gelu.js";
export { type IndexKey, index } from "./index-advanced.js";
export { gather, indexSelect, oneHot, slice } from "./indexing.js";
export {
  add_,
  clamp_,
  copy_,
  div_,
  fill_,
  type GeneratorOption,
  mul_,
  normal_,
  sub_,
  uniform_,
  zero_,
} from "./inplace.js";
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
export { argmax, argmin, max, mean, min, type ReduceOptions, std, sum, variance } from "./reduce.js";
export { logSoftmax, softmax } from "./softmax.js";
export { cumsum, type MultinomialOptions, multinomial, type SortOptions, type SortResult, sort, topk } from "./sort.js";
export { cos, exp2, log2, log10, rpow, sin } from "./trig.js";
export { abs, clamp, exp, leakyRelu, log, neg, relu, sigmoid, sqrt, square, tanh } from "./unary.js";
