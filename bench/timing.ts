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
  /** Calls per timing block (the block's time is divided by it). */
  reps: number;
  rounds: number;
  /** Untimed calls of each contestant first (JIT tiers, caches, lazily built state). */
  warmup: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median seconds per call of each contestant, by name. */
export async function timeInterleaved(contestants: Contestant[], plan: TimingPlan): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(contestants.map((c) => [c.name, []]));
  for (const c of contestants) {
    await c.before?.();
    for (let i = 0; i < plan.warmup; i++) c.run();
  }
  for (let r = 0; r < plan.rounds; r++) {
    for (const c of contestants) {
      await c.before?.();
      const start = process.hrtime.bigint();
      for (let i = 0; i < plan.reps; i++) c.run();
      samples.get(c.name)!.push(Number(process.hrtime.bigint() - start) / 1e9 / plan.reps);
    }
  }
  return new Map([...samples].map(([name, xs]) => [name, median(xs)]));
}
