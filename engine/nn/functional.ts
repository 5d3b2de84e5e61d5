// nn.functional, as torch.nn.functional: the losses, and the functional forms of the layers that
// have parameters or windows (convolution, pooling, batch normalisation).

export { type BatchNormOptions, batchNorm } from "../ops/batch-norm.js";
export { type ConvOptions, type ConvPadding, conv1d, conv2d } from "../ops/conv.js";
export { type AvgPoolOptions, adaptiveAvgPool2d, avgPool2d, type MaxPoolOptions, maxPool2d } from "../ops/pooling.js";
export * from "./loss-functions.js";
