// @ts-nocheck — AssemblyScript entry point (see build.mjs): every exported kernel of the module.
export { heapBase, matmul, matmulBatch, matmulPacked, packABytes, packAllB, packBBytes, packedBBytes } from "./matmul";
export { binaryF32, sumF32, unaryF32 } from "./elementwise";
export { geluF32 } from "./gelu";
export { adamF32 } from "./adam";
export { layerNormBackwardF32, layerNormForwardF32 } from "./layer-norm";
export { attentionBackwardF32, attentionForwardF32 } from "./attention";
export { channelSumsF32, col2imF32, convGatherF32, convScatterF32, im2colF32 } from "./conv";
export { maxPoolBackwardF32, maxPoolF32 } from "./pool";
export { convForwardProductF32, convWeightProductF32 } from "./conv-gemm";
