// A finished training step leaves nothing behind: after 10,000 steps of the seed model (4→10→1,
// batch 32, MSE, Adam) the heap and the array buffers hold what they held after 1,000. Measured
// after full collections (V8's gc, exposed for this test), not timed.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { manualSeed, nn, optim, randn, tensor } from "../../engine/index.js";

/** V8's full collection; the flag takes effect for contexts created after it is set. */
function exposedGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Bytes held after two full collections (the second one frees what finalizers released). */
function liveBytes(gc: () => void): { heap: number; buffers: number } {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heap: heapUsed, buffers: arrayBuffers };
}

describe("memory over many training steps", () => {
  it("does not grow between step 1,000 and step 10,000 (seed model, Adam)", () => {
    const gc = exposedGc();
    manualSeed(0);
    const X = randn([32, 4]);
    const y = X.matmul(tensor([[1], [-2], [3], [0.5]])).add(0.1);
    const model = new nn.Sequential(new nn.Linear(4, 10), new nn.ReLU(), new nn.Linear(10, 1));
    const criterion = new nn.MSELoss();
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
    let lastLoss = Infinity;
    const steps = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const loss = criterion.forward(model.forward(X), y);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        lastLoss = loss.item();
      }
    };
    steps(1000);
    const early = liveBytes(gc);
    steps(9000);
    const late = liveBytes(gc);
    // Keeping one small tensor per step (object, shape, typed array: over 100 bytes) would add
    // over 900 KB in 9,000 steps; the heap's own drift between runs is within ±200 KB.
    expect(late.heap - early.heap).toBeLessThan(512 * 1024);
    expect(late.buffers - early.buffers).toBeLessThan(512 * 1024);
    expect(lastLoss).toBeLessThan(0.01); // the steps did train
  });
});
