// The `nn` namespace cells see: Module, layers, losses (modules and `nn.functional`), `nn.init`.

export { Module, parameter, type StateDict } from "./module.js";
export { parameterRows, summaryText, summaryHtml, type ParameterRow } from "./summary.js";
export { Linear, type LinearOptions } from "./linear.js";
export { Sequential, type Layer } from "./sequential.js";
export { ModuleList } from "./module-list.js";
export { ReLU, LeakyReLU, Tanh, Sigmoid, GELU, Softmax, LogSoftmax, Flatten, Identity } from "./activation.js";
export { Dropout } from "./dropout.js";
export { Embedding } from "./embedding.js";
export { LayerNorm, type LayerNormOptions } from "./layer-norm.js";
export { MultiHeadAttention, TransformerBlock, causalMask, type AttentionOptions, type TransformerBlockOptions } from "./attention.js";
export { MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCEWithLogitsLoss, BCELoss } from "./losses.js";
export type { Reduction, LossOptions, ClassLossOptions, CrossEntropyOptions } from "./loss-functions.js";
export * as functional from "./loss-functions.js";
export * as init from "./init.js";
