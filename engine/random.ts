// The one seeded random generator behind every random draw in the engine (xoshiro128**,
// seeded through splitmix32). `manualSeed(n)` makes a notebook give the same numbers every run.
// Math.random is never used.

/** A seedable pseudo-random generator (xoshiro128**). */
export class RandomGenerator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Restarts the sequence from `seed` (any integer). Example: `gen.seed(42)` */
  seed(seed: number): void {
    // splitmix32 spreads a small seed over the 128-bit state (all-zero state is invalid).
    let x = (Math.trunc(seed) ^ Math.trunc(seed / 4294967296)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spareNormal = null;
  }

  /** The next 32 random bits as an unsigned integer. Example: `gen.nextUint32()` */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform float in [0, 1) with 53 random bits. Example: `gen.random()` */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform float in [0, 1) exactly representable in float32 (24 bits). Example: `gen.random24()` */
  random24(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /** A uniform float in [lo, hi). Example: `gen.uniform(-1, 1)` */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.random();
  }

  /** A normally distributed float (Box–Muller). Example: `gen.normal(0, 1)` */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    const u1 = 1 - this.random(); // (0, 1]: log(0) would be -Infinity
    const u2 = this.random();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return mean + std * r * Math.cos(2 * Math.PI * u2);
  }

  /** A uniform integer in [low, high). Example: `gen.int(0, 10)` */
  int(low: number, high: number): number {
    if (!(high > low)) throw new Error(`randint: high (${high}) must be greater than low (${low})`);
    return low + Math.floor(this.random() * (high - low));
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). Example: `gen.permutation(5) // e.g. [3,0,4,1,2]` */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    this.shuffle(p);
    return p;
  }

  /** Shuffles an array in place. Example: `gen.shuffle([1, 2, 3])` */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }
}

/**
 * A random generator of your own (PyTorch's torch.Generator), accepted by every random function
 * through `{ generator }`: draws from it leave the global seed's sequence alone.
 * Example: `const g = new Generator().manualSeed(42); randn(3, 4, { generator: g })`
 */
export class Generator extends RandomGenerator {
  private initial: number;

  constructor(seed = 0) {
    super(seed);
    this.initial = seed;
  }

  /** Restarts the sequence from `seed` and returns the generator. Example: `g.manualSeed(42)` */
  manualSeed(seed: number): this {
    if (typeof seed !== "number" || !Number.isFinite(seed))
      throw new TypeError(`manualSeed: the seed must be a finite number, got ${String(seed)}`);
    this.seed(seed);
    this.initial = seed;
    return this;
  }

  /** The seed the sequence started from. Example: `g.initialSeed() // 42` */
  initialSeed(): number {
    return this.initial;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const globalGenerator = new RandomGenerator(0);

/** Seeds the engine's one generator: every later random draw repeats. Example: `manualSeed(0)` */
export function manualSeed(seed: number): void {
  globalGenerator.seed(seed);
}

/** The engine's one generator (for shuffling and initialisation). Example: `randomGenerator().permutation(10)` */
export function randomGenerator(): RandomGenerator {
  return globalGenerator;
}

/** Helpers drawing from the engine's one generator. Example: `random.uniform(-1, 1)` */
export const random = {
  uniform: (lo = 0, hi = 1): number => globalGenerator.uniform(lo, hi),
  normal: (mean = 0, std = 1): number => globalGenerator.normal(mean, std),
  int: (low: number, high: number): number => globalGenerator.int(low, high),
  permutation: (n: number): number[] => globalGenerator.permutation(n),
  shuffle: <T>(items: T[]): T[] => globalGenerator.shuffle(items),
};
