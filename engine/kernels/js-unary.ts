// The plain TypeScript loops of the unary kernels (and ReLU's backward, a binary kernel), one
// function per op. ReLU and its backward multiply by a 0/1 mask instead of branching: a branch
// mispredicts on mixed signs (1M random floats: ~3.5× slower); a product that is NaN (∞·0, or NaN
// in) takes the branching form: rare, and results stay bit-identical.
import type { TypedArray, UnaryOp } from "./types.js";

/** v where m = 1, 0 where m = 0, signs of zero included: (m − 1)·(−0) is −0 or +0, so a kept −0
 * stays −0 and a dropped negative gives +0 (a negative times 0 alone would give −0). */
function select01(v: number, m: number): number {
  return v * m + (m - 1) * -0;
}

/** v < 0 ? 0 : v (NaN and −0 pass through) without a branch. */
export function relu(v: number): number {
  const p = select01(v, +(v >= 0));
  return p === p ? p : v < 0 ? 0 : v;
}

/** x > 0 ? g : 0 (ReLU's backward) without a branch. */
export function reluMask(g: number, x: number): number {
  const p = select01(g, +(x > 0));
  return p === p ? p : x > 0 ? g : 0;
}

// Float32 ReLU and its backward on the bits: a float comparison gives a 0/1 mask and an integer
// AND keeps the value's bits or clears them to +0. Exactly the results above (−0 and NaN pass
// ReLU; the backward gives +0 where x ≤ 0 or x is NaN), in about 60% of the time: no NaN check.
// Only from BITS_MIN_LENGTH elements: the integer views cost a little, and V8 keeps arrays of up
// to 64 bytes on its heap, where reading `.buffer` moves them off it (an allocation).
export const BITS_MIN_LENGTH = 64;

/** out = relu(x) for float32 arrays of length n (n ≥ BITS_MIN_LENGTH). */
export function reluF32(x: Float32Array, out: Float32Array, n: number): void {
  const xBits = new Int32Array(x.buffer, x.byteOffset, n);
  const outBits = new Int32Array(out.buffer, out.byteOffset, n);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    // four per iteration: the loop's own cost is a fair share of such a small body
    outBits[i] = xBits[i]! & -!(x[i]! < 0);
    outBits[i + 1] = xBits[i + 1]! & -!(x[i + 1]! < 0);
    outBits[i + 2] = xBits[i + 2]! & -!(x[i + 2]! < 0);
    outBits[i + 3] = xBits[i + 3]! & -!(x[i + 3]! < 0);
  }
  for (; i < n; i++) outBits[i] = xBits[i]! & -!(x[i]! < 0);
}

/** out = x > 0 ? g : +0 for float32 arrays of length n (out may be g; n ≥ BITS_MIN_LENGTH). */
export function reluMaskF32(g: Float32Array, x: Float32Array, out: Float32Array, n: number): void {
  const gBits = new Int32Array(g.buffer, g.byteOffset, n);
  const outBits = new Int32Array(out.buffer, out.byteOffset, n);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    outBits[i] = gBits[i]! & -(x[i]! > 0);
    outBits[i + 1] = gBits[i + 1]! & -(x[i + 1]! > 0);
    outBits[i + 2] = gBits[i + 2]! & -(x[i + 2]! > 0);
    outBits[i + 3] = gBits[i + 3]! & -(x[i + 3]! > 0);
  }
  for (; i < n; i++) outBits[i] = gBits[i]! & -(x[i]! > 0);
}

// erf by Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, below float32 resolution.
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-ax * ax);
  return sign * y;
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_TANH_C = Math.sqrt(2 / Math.PI);

type UnaryLoop = (x: TypedArray, out: TypedArray, n: number, p0: number, p1: number) => void;

// One function per unary op rather than one switch over all of them: each loop then gets its own
// type feedback and inlining budget. In a single function the erf-based loops used up V8's
// inlining budget, so ReLU called its helper per element (320 elements: ~1.2 µs, now ~0.5 µs).
export const UNARY_LOOPS: Record<UnaryOp, UnaryLoop> = {
  neg: (x, out, n) => {
    for (let i = 0; i < n; i++) out[i] = -x[i]!;
  },
  abs: (x, out, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
  },
  sign: (x, out, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]!);
  },
  exp: (x, out, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
  },
  log: (x, out, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
  },
  sqrt: (x, out, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!);
  },
  square: (x, out, n) => {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      out[i] = v * v;
    }
  },
  reciprocal: (x, out, n) => {
    for (let i = 0; i < n; i++) out[i] = 1 / x[i]!;
  },
  relu: (x, out, n) => {
    if (n >= BITS_MIN_LENGTH && x instanceof Float32Array && out instanceof Float32Array) return reluF32(x, out, n);
    for (let i = 0; i < n; i++) out[i] = relu(x[i]!);
  },
  sigmoid: (x, out, n) => {
    // Two branches so exp never overflows: σ(x) = 1/(1+e^-x) = e^x/(1+e^x).
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
      else {
        const e = Math.exp(v);
        out[i] = e / (1 + e);
      }
    }
  },
  tanh: (x, out, n) => {
    for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!);
  },
  erf: (x, out, n) => {
    for (let i = 0; i < n; i++) out[i] = erf(x[i]!);
  },
  gelu: (x, out, n) => {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      out[i] = 0.5 * v * (1 + erf(v * SQRT1_2));
    }
  },
  geluGrad: (x, out, n) => {
    // Φ(x) + x φ(x)
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      out[i] = 0.5 * (1 + erf(v * SQRT1_2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
    }
  },
  geluTanh: (x, out, n) => {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      out[i] = 0.5 * v * (1 + Math.tanh(GELU_TANH_C * (v + 0.044715 * v * v * v)));
    }
  },
  geluTanhGrad: (x, out, n) => {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      const th = Math.tanh(GELU_TANH_C * (v + 0.044715 * v * v * v));
      out[i] = 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * GELU_TANH_C * (1 + 3 * 0.044715 * v * v);
    }
  },
  leakyRelu: (x, out, n, p0) => {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      out[i] = v > 0 ? v : p0 * v;
    }
  },
  leakyReluGrad: (x, out, n, p0) => {
    for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? 1 : p0;
  },
  clamp: (x, out, n, p0, p1) => {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      out[i] = v < p0 ? p0 : v > p1 ? p1 : v;
    }
  },
  clampMask: (x, out, n, p0, p1) => {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      out[i] = v >= p0 && v <= p1 ? 1 : 0;
    }
  },
  powScalar: (x, out, n, p0) => {
    if (p0 === 2)
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v * v;
      }
    else for (let i = 0; i < n; i++) out[i] = x[i]! ** p0;
  },
  affine: (x, out, n, p0, p1) => {
    for (let i = 0; i < n; i++) out[i] = x[i]! * p0 + p1;
  },
};
