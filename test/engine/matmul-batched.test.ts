// Batched matmul on float32 tensors (the WebAssembly path, where each run of the last batch
// dimension is one batched kernel call): values and gradients equal those of the 2-D products of
// each batch item, picked out with index() (an independent path), within float32 rounding; with
// broadcast batch dimensions and a hand-written attention's [batch, heads, t, d] shapes.
import { describe, expect, test } from "vitest";
import { manualSeed, randn, type Tensor } from "../../engine/index.js";

function expectClose(got: Tensor, want: Tensor, tolerance: number): void {
  expect(got.shape).toEqual(want.shape);
  let worst = 0;
  for (let i = 0; i < want.numel(); i++)
    worst = Math.max(worst, Math.abs(got.data[i]! - want.data[i]!) / (1 + Math.abs(want.data[i]!)));
  expect(worst).toBeLessThan(tolerance);
}

/** Every index tuple of a batch shape, in row-major order. */
function indices(batch: number[]): number[][] {
  return batch.reduce<number[][]>(
    (all, size) => all.flatMap((prefix) => Array.from({ length: size }, (_, i) => [...prefix, i])),
    [[]],
  );
}

/** The matrix of `x` that batch item `index` uses (x's batch dims are right-aligned; size 1 broadcasts). */
function pick(x: Tensor, index: number[]): Tensor {
  const own = index.slice(index.length - (x.ndim - 2)).map((i, d) => (x.shape[d] === 1 ? 0 : i));
  return own.length ? x.index(...own) : x;
}

describe("batched matmul, float32", () => {
  test.each([
    [[2, 3], [2, 3], 20, 16, 24], // a hand-written attention's scores: [batch, heads, t, d] @ [batch, heads, d, t]
    [[2, 1], [3], 9, 7, 5], // [2,1,m,k] @ [3,k,n]: both sides broadcast
    [[4], [], 33, 17, 8], // [4,m,k] @ [k,n]: a shared weight
  ])("a %j batch @ b %j batch (%i×%i @ %i-wide): values and gradients match item-by-item 2-D products", (aBatch, bBatch, m, k, n) => {
    manualSeed(5);
    const a = randn([...aBatch, m, k], { requiresGrad: true });
    const b = randn([...bBatch, k, n], { requiresGrad: true });
    const out = a.matmul(b);
    const g = randn(out.shape);
    out.mul(g).sum().backward();

    const a2 = a.detach();
    const b2 = b.detach();
    a2.requiresGrad = true;
    b2.requiresGrad = true;
    const terms: Tensor[] = [];
    for (const index of indices(out.shape.slice(0, -2))) {
      const product = pick(a2, index).matmul(pick(b2, index));
      expectClose(out.index(...index), product.detach(), 1e-5);
      terms.push(product.mul(g.index(...index)).sum());
    }
    terms.reduce((s, t) => s.add(t)).backward();
    expectClose(a.grad!, a2.grad!, 1e-4);
    expectClose(b.grad!, b2.grad!, 1e-4);
  });
});
