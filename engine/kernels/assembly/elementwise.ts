// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// Elementwise float32 loops over contiguous arrays in this module's memory, four lanes at a time.
// Only operations whose float32 result is bit-identical to the JS kernel's (which computes in
// float64 and rounds once on store: for + − × ÷ √ of float32 inputs that double rounding is exact)
// live here, so the two implementations agree exactly.

/** out[i] = a[i] op b[i] for i < n (op 0 add, 1 sub, 2 mul, 3 div); `bStep` 0 broadcasts b[0]. */
export function binaryF32(op: i32, a: usize, aStep: i32, b: usize, bStep: i32, out: usize, n: i32): void {
  const vecEnd = <usize>(n & ~3) * 4;
  // A step-0 operand is one splatted value; the loops below read `va`/`vb` either way.
  const aSplat = aStep == 0, bSplat = bStep == 0;
  const sa = v128.load32_splat(a), sb = v128.load32_splat(b);
  for (let i: usize = 0; i < vecEnd; i += 16) {
    const va = aSplat ? sa : v128.load(a + i);
    const vb = bSplat ? sb : v128.load(b + i);
    let r: v128;
    if (op == 0) r = f32x4.add(va, vb);
    else if (op == 1) r = f32x4.sub(va, vb);
    else if (op == 2) r = f32x4.mul(va, vb);
    else r = f32x4.div(va, vb);
    v128.store(out + i, r);
  }
  const end = <usize>n * 4;
  for (let i = vecEnd; i < end; i += 4) {
    const x = load<f32>(aSplat ? a : a + i), y = load<f32>(bSplat ? b : b + i);
    store<f32>(out + i, op == 0 ? x + y : op == 1 ? x - y : op == 2 ? x * y : x / y);
  }
}

/** out[i] = f(x[i]) for i < n: op 0 neg, 1 abs, 2 sqrt, 3 square, 4 relu (NaN and −0 pass, like JS). */
export function unaryF32(op: i32, x: usize, out: usize, n: i32): void {
  const vecEnd = <usize>(n & ~3) * 4;
  const zero = f32x4.splat(0);
  for (let i: usize = 0; i < vecEnd; i += 16) {
    const v = v128.load(x + i);
    let r: v128;
    if (op == 0) r = f32x4.neg(v);
    else if (op == 1) r = f32x4.abs(v);
    else if (op == 2) r = f32x4.sqrt(v);
    else if (op == 3) r = f32x4.mul(v, v);
    else r = f32x4.pmax(v, zero); // v < 0 ? 0 : v
    v128.store(out + i, r);
  }
  const end = <usize>n * 4;
  for (let i = vecEnd; i < end; i += 4) {
    const v = load<f32>(x + i);
    store<f32>(out + i, op == 0 ? -v : op == 1 ? abs(v) : op == 2 ? sqrt(v) : op == 3 ? v * v : v < 0 ? 0 : v);
  }
}

/** Σ x[i] for i < n, accumulated in float64 (two f64x2 per four floats), like the JS kernel. */
export function sumF32(x: usize, n: i32): f64 {
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  const vecEnd = <usize>(n & ~3) * 4;
  let i: usize = 0;
  for (; i < vecEnd; i += 16) {
    const v = v128.load(x + i);
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
  }
  let s = (f64x2.extract_lane(lo, 0) + f64x2.extract_lane(hi, 0)) + (f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 1));
  const end = <usize>n * 4;
  for (; i < end; i += 4) s += <f64>load<f32>(x + i);
  return s;
}
