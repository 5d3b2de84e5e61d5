// nn.Embedding: a lookup table from integer ids (characters, words) to learned vectors; the
// gradient of a lookup flows only into the rows that were looked up.

import { formatShape } from "../shape.js";
import { type DType, Tensor } from "../tensor.js";
import { normal_ } from "./init.js";
import { checkSize } from "./linear.js";
import { Module, parameter } from "./module.js";

/**
 * A table of numEmbeddings vectors of size embeddingDim, initialised N(0, 1) as PyTorch.
 * Example: `const emb = new nn.Embedding(65, 32); emb.forward(tensor([[1, 2]], { dtype: "int32" })).shape // [1, 2, 32]`
 */
export class Embedding extends Module {
  /** [numEmbeddings, embeddingDim]. */
  weight: Tensor;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    { dtype = "float32" }: { dtype?: DType } = {},
  ) {
    super();
    checkSize("Embedding", "numEmbeddings", numEmbeddings);
    checkSize("Embedding", "embeddingDim", embeddingDim);
    this.weight = normal_(Tensor.zeros([numEmbeddings, embeddingDim], dtype));
    parameter(this.weight);
  }

  /** ids [...] (int32) → vectors [..., embeddingDim]. Example: `emb.forward(ids)` */
  override forward(ids: Tensor): Tensor {
    const where = `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
    if (ids.dtype !== "int32")
      throw new TypeError(
        `${where} needs int32 ids, got ${ids.dtype} of shape ${formatShape(ids.shape)} (use ids.int())`,
      );
    const d = ids.data;
    for (let i = 0; i < d.length; i++) {
      if (d[i]! < 0 || d[i]! >= this.numEmbeddings)
        throw new RangeError(`${where}: id ${d[i]} is out of range 0..${this.numEmbeddings - 1}`);
    }
    const flat = ids.ndim === 1 ? ids : ids.reshape([-1]);
    return this.weight.indexSelect(0, flat).reshape([...ids.shape, this.embeddingDim]);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}
