// distributed.spawn runs a function on worker threads that load the built engine (dist/), so
// these tests import it from there: `npm test` builds before it runs vitest.
import { afterEach, describe, expect, it } from "vitest";
import * as engine from "../../dist/engine/index.js";
import * as interrupt from "../../dist/engine/interrupt.js";

const { distributed } = engine;
// Inside a rank the engine's names are globals (as in a notebook cell), not this module's import.
declare const tensor: typeof engine.tensor;
declare const ones: typeof engine.ones;
declare const manualSeed: typeof engine.manualSeed;
declare const nn: typeof engine.nn;

describe("distributed.spawn", () => {
  it("runs the function once per rank and returns the results in rank order", async () => {
    const results = await distributed.spawn((rank, worldSize, args: { base: number }) => args.base + rank * worldSize, {
      worldSize: 3,
      args: { base: 100 },
    });
    expect(results).toEqual([100, 103, 106]);
  });

  it("gives every rank the engine, the shipped helpers and one shared memory", async () => {
    class Doubler {
      factor = 2;
      apply(t: engine.Tensor): engine.Tensor {
        return t.mul(this.factor);
      }
    }
    function total(t: engine.Tensor): number {
      return t.sum().item();
    }
    const shared = new SharedArrayBuffer(4 * 2);
    const results = await distributed.spawn(
      (rank, _size, args: { shared: SharedArrayBuffer }) => {
        const value = total(new Doubler().apply(tensor([rank, 1, 2])));
        new Float32Array(args.shared)[rank] = value;
        return { value, threads: process.env.TSGRAD_THREADS };
      },
      { worldSize: 2, args: { shared }, uses: [Doubler, total] },
    );
    expect(results).toEqual([
      { value: 6, threads: "1" },
      { value: 8, threads: "1" },
    ]);
    expect(Array.from(new Float32Array(shared))).toEqual([6, 8]);
  });

  it("averages shard gradients into the full batch's gradient", async () => {
    engine.manualSeed(0);
    const x = engine.randn([64, 3]);
    const y = engine.randn([64, 1]);
    const fit = (rank: number, worldSize: number, args: { x: Float32Array; y: Float32Array }) => {
      manualSeed(0);
      const layer = new nn.Linear(3, 1);
      const rows = args.y.length / worldSize;
      const xs = tensor(args.x.subarray(rank * rows * 3, (rank + 1) * rows * 3)).reshape([rows, 3]);
      const ys = tensor(args.y.subarray(rank * rows, (rank + 1) * rows)).reshape([rows, 1]);
      nn.functional.mseLoss(layer.forward(xs), ys).backward();
      return Array.from(layer.weight.grad?.data ?? []);
    };
    const shards = await distributed.spawn(fit, {
      worldSize: 2,
      args: { x: Float32Array.from(x.data), y: Float32Array.from(y.data) },
    });
    engine.manualSeed(0);
    const layer = new engine.nn.Linear(3, 1);
    engine.nn.functional.mseLoss(layer.forward(x), y).backward();
    const full = Array.from(layer.weight.grad?.data ?? []);
    const averaged = full.map((_, i) => ((shards[0]?.[i] ?? 0) + (shards[1]?.[i] ?? 0)) / 2);
    averaged.forEach((g, i) => expect(g).toBeCloseTo(full[i] ?? Number.NaN, 6));
  });

  it("stops every rank when one throws, including ranks asleep at a barrier", async () => {
    const barrier = new SharedArrayBuffer(4);
    const run = distributed.spawn(
      (rank, _size, args: { barrier: SharedArrayBuffer }) => {
        if (rank === 1) throw new Error("boom");
        Atomics.wait(new Int32Array(args.barrier), 0, 0); // never woken
        return rank;
      },
      { worldSize: 2, args: { barrier } },
    );
    await expect(run).rejects.toThrow("rank 1: boom");
  });

  it("says when a rank uses a name that was not shipped", async () => {
    const notShipped = (n: number) => n + 1;
    await expect(distributed.spawn((rank) => notShipped(rank), { worldSize: 1 })).rejects.toThrow(
      /rank 0: notShipped is not defined/,
    );
  });

  it("rejects bad options with a clear error", async () => {
    await expect(distributed.spawn(() => 0, { worldSize: 0 })).rejects.toThrow(
      "worldSize must be a whole number ≥ 1, got 0",
    );
    await expect(distributed.spawn(() => 0, { worldSize: 1, threadsPerRank: 1.5 })).rejects.toThrow("threadsPerRank");
    await expect(distributed.spawn(() => 0, { worldSize: 1, uses: [() => 1] })).rejects.toThrow(
      "every entry of `uses` must be a named function or class",
    );
  });

  describe("with the kernel's shared interrupt flag", () => {
    afterEach(() => {
      interrupt.clearInterrupt();
      interrupt.useInterruptFlag(new Int32Array(1));
    });

    it("an interrupt stops the ranks' tensor ops with a KeyboardInterrupt", async () => {
      interrupt.useInterruptFlag(new Int32Array(new SharedArrayBuffer(4)));
      const started = new SharedArrayBuffer(4);
      const run = distributed.spawn(
        (_rank, _size, args: { started: SharedArrayBuffer }) => {
          Atomics.store(new Int32Array(args.started), 0, 1);
          for (;;) ones([8]).add(1); // stops only when interrupted
        },
        { worldSize: 1, args: { started } },
      );
      while (Atomics.load(new Int32Array(started), 0) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      interrupt.requestInterrupt();
      await expect(run).rejects.toBeInstanceOf(engine.KeyboardInterrupt);
    });
  });
});
