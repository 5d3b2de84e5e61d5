// nn.functional, as torch.nn.functional: the losses, and the functional forms of every layer
// and activation — those with parameters or windows (linear, convolution, pooling, batch and
// layer normalisation, embedding) and the rest (relu, softmax, dropout…). The modules call the
// same ops, so `F.relu(x)` and `new nn.ReLU()` agree.
import { index } from "../ops/index-advanced.js";
import type { RandomGenerator } from "../random.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { dropoutMask } from "./dropout.js";

export { type BatchNormOptions, batchNorm } from "../ops/batch-norm.js";
export { type ConvOptions, type ConvPadding, conv1d, conv2d } from "../ops/conv.js";
export { gelu, layerNorm, leakyRelu, linear, logSoftmax, oneHot, relu, sigmoid, softmax, tanh } from "../ops/index.js";
export { type AvgPoolOptions, adaptiveAvgPool2d, avgPool2d, type MaxPoolOptions, maxPool2d } from "../ops/pooling.js";
export * from "./loss-functions.js";

/** Options of `dropout`. */
export interface DropoutOptions {
  /** Drop only while training (default true); false returns x unchanged, as in eval mode. */
  training?: boolean;
  /** Draw the mask from this generator instead of the global one. */
  generator?: RandomGenerator;
}

/**
 * Zeroes each value with probability p and scales the rest by 1/(1−p) (the mask from the seeded
 * generator). Example: `nn.functional.dropout(h, 0.5, { training: model.training })`
 */
export function dropout(x: Tensor, p = 0.5, { training = true, generator }: DropoutOptions = {}): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout: probability must be between 0 and 1, got ${p}`);
  if (!training || p === 0) return x;
  return x.mul(dropoutMask(x, p, generator));
}

/**
 * Rows of `weight` [numEmbeddings, dim] picked by int32 ids of any shape → [...ids.shape, dim].
 * Example: `nn.functional.embedding(X, C)` (makemore's C[X])
 */
export function embedding(ids: Tensor, weight: Tensor): Tensor {
  if (!(ids instanceof Tensor) || ids.dtype !== "int32") {
    throw new TypeError(
      `embedding: ids must be an int32 tensor${ids instanceof Tensor ? `, got ${ids.dtype} (use ids.int())` : ""}`,
    );
  }
  if (weight.ndim !== 2)
    throw new Error(`embedding: weight must be 2-D [numEmbeddings, dim], got ${formatShape(weight.shape)}`);
  return index(weight, ids);
}
