// The `nn` namespace cells see: Module, layers, losses (modules and `nn.functional`), `nn.init`.

export { Flatten, GELU, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from "./activation.js";
export {
  type AttentionOptions,
  type AttentionWeightsOptions,
  causalMask,
  MultiHeadAttention,
  TransformerBlock,
  type TransformerBlockOptions,
} from "./attention.js";
export { BatchNorm1d, BatchNorm2d, type BatchNormLayerOptions } from "./batch-norm.js";
export { Conv1d, Conv2d, type ConvLayerOptions } from "./conv.js";
export { Dropout } from "./dropout.js";
export { Embedding } from "./embedding.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
export { LayerNorm, type LayerNormOptions } from "./layer-norm.js";
export { type LayerRow, layerRows, ModelSummary, summary } from "./layer-summary.js";
export { Linear, type LinearOptions } from "./linear.js";
export type { ClassLossOptions, CrossEntropyOptions, LossOptions, Reduction } from "./loss-functions.js";
export { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss } from "./losses.js";
export { Module, parameter, type StateDict } from "./module.js";
export { ModuleList } from "./module-list.js";
export { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from "./pooling.js";
export { type Layer, Sequential } from "./sequential.js";
export { type ParameterRow, parameterRows, summaryHtml, summaryText } from "./summary.js";
