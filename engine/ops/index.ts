// Every op as a free function (the Tensor methods call these).
export { add, sub, mul, div, pow, maximum, minimum } from "./arithmetic.js";
export { eq, ne, lt, le, gt, ge, where, maskedFill } from "./compare.js";
export { neg, abs, square, sqrt, exp, log, sigmoid, tanh, relu, leakyRelu, clamp, gelu } from "./unary.js";
export { softmax, logSoftmax } from "./softmax.js";
export { sum, mean, max, min, argmax, argmin, variance, std } from "./reduce.js";
export { matmul, linear } from "./matmul.js";
export { reshape, flatten, squeeze, unsqueeze, permute, transpose, t, expand, concat, stack, split, to, clone } from "./layout.js";
export { slice, index, gather, indexSelect, oneHot } from "./indexing.js";
