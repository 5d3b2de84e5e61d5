// Exact GELU x·Φ(x) and its derivative Φ(x) + x·φ(x) in one pass: both need exp(−x²/2) (erf's
// exp and, over √(2π), the density φ), so a Transformer's MLP pays one exp per element forward
// and none backward. erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, under float32's
// spacing near 1), as the `gelu` unary kernel.
// Float32 results are computed in float32 arithmetic, as PyTorch's float32 GELU is: each
// operation rounded with Math.fround (for + − × ÷ of float32 values, rounding the float64 result
// gives the float32 operation's result exactly), eˣ by Cephes' expf. The WebAssembly build
// (assembly/gelu.ts) runs the same float32 operations in the same order, four lanes at a time,
// so the two agree bit for bit. Float64 results use Math.exp and float64 throughout.

const f = Math.fround;
const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Float32 constants (the WebAssembly build rounds the same literals the same way). */
const F = {
  sqrt1_2: f(SQRT1_2),
  invSqrt2Pi: f(INV_SQRT_2PI),
  p: f(0.3275911),
  a1: f(0.254829592),
  a2: f(-0.284496736),
  a3: f(1.421413741),
  a4: f(-1.453152027),
  a5: f(1.061405429),
  log2e: f(Math.LOG2E),
  round: 12582912, // 1.5·2²³: adding and subtracting it rounds to an integer
  ln2Hi: f(0.693359375),
  ln2Lo: f(-2.1219444e-4), // ln 2 split so k·ln2Hi is exact
  e0: f(1.98756915e-4),
  e1: f(1.3981999507e-3),
  e2: f(8.3334519073e-3),
  e3: f(4.1665795894e-2),
  e4: f(1.6666665459e-1),
  e5: f(5.0000001201e-1),
  lowest: f(-87.33654), // below it 2ᵏ would leave float32's normal range
};

/** 2ᵏ for k = −126…0 at index k + 126 (exact in float32). */
const POW2 = Float32Array.from({ length: 127 }, (_, i) => 2 ** (i - 126));

/**
 * eˣ in float32 operations for x ≤ 0 (Cephes expf: k = round(x·log₂e), r = x − k·ln 2 in two
 * parts, eʳ by a degree-7 polynomial, ~1 ulp); x below −87.3 gives 2⁻¹²⁶·e^…, NaN gives NaN.
 */
function expNonPositiveF32(x: number): number {
  const z = x < F.lowest ? F.lowest : x;
  const k = f(f(f(z * F.log2e) + F.round) - F.round);
  const r = f(f(z - f(k * F.ln2Hi)) - f(k * F.ln2Lo));
  let p = f(f(F.e0 * r) + F.e1);
  p = f(f(p * r) + F.e2);
  p = f(f(p * r) + F.e3);
  p = f(f(p * r) + F.e4);
  p = f(f(p * r) + F.e5);
  const y = f(f(f(p * f(r * r)) + r) + 1);
  return f(y * POW2[(k + 126) | 0]!);
}

/** Float32 GELU (and derivative) of x[from…] into float32 arrays. */
function geluFloat32(x: ArrayLike<number>, out: Float32Array, derivative: Float32Array | null, from: number): void {
  const n = out.length;
  for (let i = from; i < n; i++) {
    const v = f(x[i]!);
    const e = expNonPositiveF32(f(f(-0.5 * v) * v));
    const t = f(1 / f(1 + f(f(F.p * Math.abs(v)) * F.sqrt1_2)));
    let poly = f(f(F.a5 * t) + F.a4);
    poly = f(f(poly * t) + F.a3);
    poly = f(f(poly * t) + F.a2);
    poly = f(f(poly * t) + F.a1);
    const y = f(1 - f(f(poly * t) * e));
    const cdf = f(0.5 * f(1 + f(Math.sign(v) * y))); // sign(±0) = ±0, sign(NaN) = NaN
    out[i] = v * cdf;
    if (derivative) derivative[i] = cdf + f(f(v * F.invSqrt2Pi) * e);
  }
}

/**
 * out[i] = gelu(x[i]), and derivative[i] = gelu′(x[i]) when given, for i in [from, out.length):
 * in float32 arithmetic for float32 arrays, else in float64 (whose finite-difference gradchecks
 * need full precision).
 */
export function geluExact(
  x: ArrayLike<number>,
  out: Float32Array | Float64Array,
  derivative: Float32Array | Float64Array | null,
  from = 0,
): void {
  if (out instanceof Float32Array && (derivative === null || derivative instanceof Float32Array)) {
    geluFloat32(x, out, derivative, from);
    return;
  }
  const n = out.length;
  for (let i = from; i < n; i++) {
    const v = x[i]!;
    const e = Math.exp(-0.5 * v * v);
    const a = Math.abs(v);
    const t = 1 / (1 + 0.3275911 * a * SQRT1_2);
    const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * e;
    // erf(v/√2) = sign(v)·y, the sign by a division: a branch on it mispredicts on half of
    // real pre-activations. Only v = ±∞ (∞/∞) needs the exact sign.
    let erf = (v / (a + 1e-300)) * y;
    if (erf !== erf && v === v) erf = v > 0 ? 1 : -1;
    const cdf = 0.5 * (1 + erf);
    out[i] = v * cdf;
    if (derivative) derivative[i] = cdf + v * INV_SQRT_2PI * e;
  }
}
