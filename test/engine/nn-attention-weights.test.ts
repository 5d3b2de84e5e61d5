// MultiHeadAttention.forwardWithWeights returns the attention weights beside the output, as
// PyTorch's need_weights=True: averaged over heads by default, per head on request, detached.
import { describe, expect, it } from "vitest";
import { manualSeed, nn, noGrad, ones, randn, type Tensor } from "../../engine/index.js";

/** softmax(Q_h K_hᵀ / √d + mask) from the module's own projections, in primitive ops: [b, h, tq, tk]. */
function recomputed(attn: nn.MultiHeadAttention, x: Tensor): Tensor {
  return noGrad(() => {
    const [b, t] = x.shape as [number, number, number];
    const split = (y: Tensor) => y.reshape([b, t, attn.numHeads, attn.headDim]).permute(0, 2, 1, 3);
    const q = split(attn.query(x));
    const k = split(attn.key(x));
    let scores = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(attn.headDim));
    if (attn.causal) scores = scores.maskedFill(nn.causalMask(t, t), -Infinity);
    return scores.softmax(-1);
  });
}

function maxDiff(a: Tensor, b: Tensor): number {
  return a.sub(b).abs().max().item();
}

describe("MultiHeadAttention.forwardWithWeights", () => {
  it("per-head weights equal softmax(QKᵀ/√d) from the module's projections; the output equals forward", () => {
    manualSeed(1);
    const attn = new nn.MultiHeadAttention(16, 4);
    const x = randn([2, 5, 16]);
    const [y, weights] = attn.forwardWithWeights(x, x, x, { averageAttnWeights: false });
    expect(weights.shape).toEqual([2, 4, 5, 5]);
    expect(weights.requiresGrad).toBe(false);
    expect(maxDiff(weights, recomputed(attn, x))).toBeLessThan(1e-5);
    expect(maxDiff(y, attn(x))).toBe(0);
    expect(y.requiresGrad).toBe(true);
  });

  it("averaged weights are [batch, tq, tk], rows sum to 1, and the causal mask zeros the future", () => {
    manualSeed(2);
    const attn = new nn.MultiHeadAttention(12, 3, { causal: true });
    const x = randn([3, 6, 12]);
    const [, weights] = attn.forwardWithWeights(x);
    expect(weights.shape).toEqual([3, 6, 6]);
    expect(maxDiff(weights.sum(-1), ones([3, 6]))).toBeLessThan(1e-5);
    const above = weights.mul(nn.causalMask(6, 6)).abs().max().item();
    expect(above).toBe(0);
    expect(weights.data[0]).toBeCloseTo(1, 6); // position 0 sees only itself
    expect(maxDiff(weights, recomputed(attn, x).mean(1))).toBeLessThan(1e-5);
  });

  it("an unbatched input gives weights without the batch axis; training with dropout still returns them", () => {
    manualSeed(3);
    const attn = new nn.MultiHeadAttention(8, 2, { dropout: 0.5 });
    const x = randn([4, 8]);
    attn.eval();
    const [y, weights] = attn.forwardWithWeights(x, x, x, { averageAttnWeights: false });
    expect(y.shape).toEqual([4, 8]);
    expect(weights.shape).toEqual([2, 4, 4]);
    expect(maxDiff(weights, recomputed(attn, x.unsqueeze(0)).squeeze(0))).toBeLessThan(1e-5);
    attn.train();
    const [, dropped] = attn.forwardWithWeights(x);
    expect(dropped.shape).toEqual([4, 4]);
    expect(dropped.requiresGrad).toBe(false);
  });

  it("the weights are a copy: backward still works after they are changed", () => {
    manualSeed(4);
    const attn = new nn.MultiHeadAttention(8, 2);
    const x = randn([1, 3, 8]);
    const [y, weights] = attn.forwardWithWeights(x, x, x, { averageAttnWeights: false });
    const reference = attn(x);
    reference.sum().backward();
    const expected = attn.query.weight.grad!.clone();
    attn.zeroGrad();
    weights.data.fill(0);
    y.sum().backward();
    expect(maxDiff(attn.query.weight.grad!, expected)).toBeLessThan(1e-6);
  });
});
