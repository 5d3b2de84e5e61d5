// Multi-head scaled dot-product attention (Vaswani et al. 2017) and a pre-norm Transformer
// block (GPT-2's layout). The attention between the projections is one fused primitive
// (engine/ops/attention.ts); with dropout on the attention weights while training it is
// written in primitive ops instead (the fused op has no dropout).
//   Attention(Q, K, V) = softmax(Q Kᵀ / √d + mask) V, per head, heads concatenated, then projected.
// A causal mask stops position t from attending to positions after t (a language model must
// not see the next character it is asked to predict).

import { multiHeadAttention, multiHeadAttentionWithWeights } from "../ops/attention.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { GELU } from "./activation.js";
import { Dropout } from "./dropout.js";
import { uniform_, zeros_ } from "./init.js";
import { LayerNorm } from "./layer-norm.js";
import { checkSize, Linear } from "./linear.js";
import { Module } from "./module.js";
import { Sequential } from "./sequential.js";

/** Options of `MultiHeadAttention`. */
export interface AttentionOptions {
  /** Mask future positions (query t sees keys 0..t). Default false. */
  causal?: boolean;
  /** Dropout on the attention weights while training. Default 0. */
  dropout?: number;
  /** Biases in the four projections. Default true. */
  bias?: boolean;
}

/** Options of `MultiHeadAttention.forwardWithWeights`. */
export interface AttentionWeightsOptions {
  /** Average the weights over heads ([batch, tq, tk]) rather than per head. Default true. */
  averageAttnWeights?: boolean;
}

/**
 * Self- (or cross-) attention with numHeads heads over inputs [batch, time, embedDim] or [time, embedDim].
 * Example: `const attn = new nn.MultiHeadAttention(32, 4, { causal: true }); attn.forward(randn([2, 8, 32])).shape // [2, 8, 32]`
 */
export class MultiHeadAttention extends Module {
  query: Linear;
  key: Linear;
  value: Linear;
  out: Linear;
  attentionDropout: Dropout;
  readonly headDim: number;
  readonly causal: boolean;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    { causal = false, dropout = 0, bias = true }: AttentionOptions = {},
  ) {
    super();
    checkSize("MultiHeadAttention", "embedDim", embedDim);
    checkSize("MultiHeadAttention", "numHeads", numHeads);
    if (embedDim % numHeads !== 0)
      throw new RangeError(`MultiHeadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.causal = causal;
    this.query = new Linear(embedDim, embedDim, { bias });
    this.key = new Linear(embedDim, embedDim, { bias });
    this.value = new Linear(embedDim, embedDim, { bias });
    this.out = new Linear(embedDim, embedDim, { bias });
    this.attentionDropout = new Dropout(dropout);
    // As torch.nn.MultiheadAttention: Xavier-uniform over the stacked [3E, E] input projection,
    // so b = √(6/(E + 3E)) for each of Q, K, V; zero biases; the output keeps Linear's weights.
    const bound = Math.sqrt(6 / (4 * embedDim));
    for (const projection of [this.query, this.key, this.value]) uniform_(projection.weight, -bound, bound);
    for (const projection of [this.query, this.key, this.value, this.out])
      if (projection.bias !== null) zeros_(projection.bias);
  }

  /**
   * Attends from `query` positions to `key`/`value` positions (self-attention when only x is given).
   * Example: `attn.forward(x)` or `attn.forward(decoderState, encoderOutput)`
   */
  override forward(query: Tensor, key: Tensor = query, value: Tensor = key): Tensor {
    return this.attend(query, key, value, false).output;
  }

  /**
   * `forward` that also returns the attention weights, detached (PyTorch's `need_weights=True`):
   * [batch, tq, tk] averaged over heads, or [batch, numHeads, tq, tk] with
   * `averageAttnWeights: false` (no batch axis for an unbatched input). Each row sums to 1.
   * Example: `const [y, weights] = attn.forwardWithWeights(x, x, x, { averageAttnWeights: false })`
   */
  forwardWithWeights(
    query: Tensor,
    key: Tensor = query,
    value: Tensor = key,
    { averageAttnWeights = true }: AttentionWeightsOptions = {},
  ): [Tensor, Tensor] {
    const { output, weights } = this.attend(query, key, value, true);
    let w = weights!;
    if (averageAttnWeights) w = w.mean(1);
    return [output, query.ndim === 3 ? w : w.squeeze(0)];
  }

  private attend(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    keepWeights: boolean,
  ): { output: Tensor; weights: Tensor | null } {
    const batched = query.ndim === 3;
    if (!batched && query.ndim !== 2) {
      throw new Error(
        `MultiHeadAttention got input of shape ${formatShape(query.shape)}: expected [batch, time, ${this.embedDim}] or [time, ${this.embedDim}]`,
      );
    }
    const q3 = batched ? query : query.unsqueeze(0);
    const k3 = batched ? key : key.unsqueeze(0);
    const v3 = batched ? value : value.unsqueeze(0);
    const q = this.query.forward(q3);
    const k = this.key.forward(k3);
    const v = this.value.forward(v3);
    let merged: Tensor;
    let weights: Tensor | null = null;
    if (this.attentionDropout.training && this.attentionDropout.p > 0) {
      [merged, weights] = this.composedAttention(q, k, v);
    } else if (keepWeights) {
      [merged, weights] = multiHeadAttentionWithWeights(q, k, v, this.numHeads, { causal: this.causal });
    } else {
      merged = multiHeadAttention(q, k, v, this.numHeads, { causal: this.causal });
    }
    const y = this.out.forward(merged);
    return { output: batched ? y : y.squeeze(0), weights: keepWeights ? weights : null };
  }

  /**
   * The same attention in primitive ops, with dropout on the weights between softmax and V (the
   * fused op has no dropout). Projections q [b, tq, E], k and v [b, tk, E] → merged heads [b, tq, E]
   * and the weights after dropout (as PyTorch returns them), detached.
   */
  private composedAttention(qProjected: Tensor, kProjected: Tensor, vProjected: Tensor): [Tensor, Tensor] {
    const [b, tq] = qProjected.shape as [number, number, number];
    const tk = kProjected.shape[1]!;
    const q = this.splitHeads(qProjected); // [b, h, tq, d]
    const k = this.splitHeads(kProjected); // [b, h, tk, d]
    const v = this.splitHeads(vProjected);
    let scores = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(this.headDim)); // [b, h, tq, tk]
    if (this.causal) scores = scores.maskedFill(causalMask(tq, tk), -Infinity);
    const weights = this.attentionDropout.forward(scores.softmax(-1));
    const heads = weights.matmul(v); // [b, h, tq, d]
    return [heads.permute(0, 2, 1, 3).reshape([b, tq, this.embedDim]), weights.detach()];
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}, causal=${this.causal}`;
  }

  private splitHeads(x: Tensor): Tensor {
    const [b, t] = x.shape as [number, number, number];
    return x.reshape([b, t, this.numHeads, this.headDim]).permute(0, 2, 1, 3);
  }
}

/** A [tq, tk] mask, 1 where key j lies in query i's future (j > i + tk − tq). Example: `nn.causalMask(3, 3)` */
export function causalMask(tq: number, tk: number): Tensor {
  const mask = Tensor.zeros([tq, tk]);
  const offset = tk - tq; // with a cache of earlier keys, query i sits at position i + offset
  for (let i = 0; i < tq; i++) for (let j = i + offset + 1; j < tk; j++) mask.data[i * tk + j] = 1;
  return mask;
}

/** Options of `TransformerBlock`. */
export interface TransformerBlockOptions extends AttentionOptions {
  /** Hidden size of the MLP as a multiple of embedDim. Default 4. */
  mlpRatio?: number;
}

/**
 * A pre-norm Transformer block: x + attention(LayerNorm(x)), then x + MLP(LayerNorm(x)), the
 * MLP being Linear → GELU → Linear. Example: `const block = new nn.TransformerBlock(32, 4, { causal: true })`
 */
export class TransformerBlock extends Module {
  norm1: LayerNorm;
  attention: MultiHeadAttention;
  norm2: LayerNorm;
  mlp: Sequential;
  residualDropout: Dropout;

  constructor(
    embedDim: number,
    numHeads: number,
    { mlpRatio = 4, dropout = 0, ...attention }: TransformerBlockOptions = {},
  ) {
    super();
    this.norm1 = new LayerNorm(embedDim);
    this.attention = new MultiHeadAttention(embedDim, numHeads, { dropout, ...attention });
    this.norm2 = new LayerNorm(embedDim);
    const hidden = Math.round(embedDim * mlpRatio);
    this.mlp = new Sequential(new Linear(embedDim, hidden), new GELU(), new Linear(hidden, embedDim));
    this.residualDropout = new Dropout(dropout);
  }

  /** x [batch, time, embedDim] → same shape. Example: `block.forward(x)` */
  override forward(x: Tensor): Tensor {
    const h = x.add(this.residualDropout.forward(this.attention.forward(this.norm1.forward(x))));
    return h.add(this.residualDropout.forward(this.mlp.forward(this.norm2.forward(h))));
  }
}
