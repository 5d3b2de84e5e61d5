// Interleaved timing of several implementations of the same work: each round times every
// contestant once, in turn, so the load of a shared machine hits them alike; medians reported.
// A contestant may need setup outside the timed region (TF.js switching its active backend).

export interface Contestant {
  name: string;
  /** Runs before each of this contestant's timing blocks, untimed. */
  before?: () => Promise<void>;
  run: () => void;
}

export interface TimingPlan {
  /** Calls per timing block (the block's time is divided by it); the least, with `blockSeconds`. */
  reps: number;
  rounds: number;
  /** Untimed calls of each contestant first (JIT tiers, caches, lazily built state). */
  warmup: number;
  /**
   * Keep warming each contestant up for at least this long: V8 optimises a training step only
   * after thousands of calls into its ops, and a few warm-up steps leave it in the slower tiers.
   */
  warmupSeconds?: number;
  /** Size each contestant's timing blocks to about this long, from its speed while warming up. */
  blockSeconds?: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median seconds per call of each contestant, by name. */
export async function timeInterleaved(contestants: Contestant[], plan: TimingPlan): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(contestants.map((c) => [c.name, []]));
  const reps = new Map<string, number>();
  for (const c of contestants) {
    await c.before?.();
    const start = performance.now();
    let calls = 0;
    for (; calls < plan.warmup || performance.now() - start < (plan.warmupSeconds ?? 0) * 1e3; calls++) c.run();
    const perCall = (performance.now() - start) / 1e3 / Math.max(1, calls);
    reps.set(
      c.name,
      plan.blockSeconds && calls > 0 ? Math.max(plan.reps, Math.round(plan.blockSeconds / perCall)) : plan.reps,
    );
  }
  for (let r = 0; r < plan.rounds; r++) {
    for (const c of contestants) {
      await c.before?.();
      const n = reps.get(c.name)!;
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) c.run();
      samples.get(c.name)!.push(Number(process.hrtime.bigint() - start) / 1e9 / n);
    }
  }
  return new Map([...samples].map(([name, xs]) => [name, median(xs)]));
}
