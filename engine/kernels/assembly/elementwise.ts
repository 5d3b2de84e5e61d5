// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// Elementwise float32 loops over contiguous arrays in this module's memory, eight lanes per
// iteration. Only operations whose float32 result is bit-identical to the JS kernel's (which
// computes in float64 and rounds once on store: for + − × ÷ √ of float32 inputs that double
// rounding is exact) live here, so the two implementations agree exactly.
//
// The callers pass one cache-sized chunk at a time, so these loops run out of L1/L2 and their
// speed is the load/store rate: the op and the broadcast side are chosen once per call, outside
// the loop (`@inline` helpers called with constant arguments fold into one branch-free loop per
// combination; a branch on the op inside the loop made the 1M-element add ~1.8× slower).

@inline function binaryLanes(op: i32, a: v128, b: v128): v128 {
  if (op == 0) return f32x4.add(a, b);
  if (op == 1) return f32x4.sub(a, b);
  if (op == 2) return f32x4.mul(a, b);
  if (op == 3) return f32x4.div(a, b);
  // ReLU's backward: g where x > 0, else +0 (x ≤ 0 or NaN): the comparison's mask on g's bits.
  return v128.and(a, f32x4.gt(b, f32x4.splat(0)));
}

@inline function binaryScalar(op: i32, x: f32, y: f32): f32 {
  return op == 0 ? x + y : op == 1 ? x - y : op == 2 ? x * y : op == 3 ? x / y : y > 0 ? x : 0;
}

/** One loop for a constant op; a splatted side reads its single value once. */
@inline function binaryLoop(op: i32, aSplat: bool, bSplat: bool, a: usize, b: usize, out: usize, n: i32): void {
  const sa = v128.load32_splat(a), sb = v128.load32_splat(b);
  const vecEnd = <usize>(n & ~7) * 4;
  let i: usize = 0;
  for (; i < vecEnd; i += 32) {
    const a0 = aSplat ? sa : v128.load(a + i), a1 = aSplat ? sa : v128.load(a + i, 16);
    const b0 = bSplat ? sb : v128.load(b + i), b1 = bSplat ? sb : v128.load(b + i, 16);
    v128.store(out + i, binaryLanes(op, a0, b0));
    v128.store(out + i, binaryLanes(op, a1, b1), 16);
  }
  const end = <usize>n * 4;
  for (; i < end; i += 4) {
    store<f32>(out + i, binaryScalar(op, load<f32>(aSplat ? a : a + i), load<f32>(bSplat ? b : b + i)));
  }
}

@inline function binaryOf(op: i32, a: usize, aStep: i32, b: usize, bStep: i32, out: usize, n: i32): void {
  if (aStep == 0) binaryLoop(op, true, false, a, b, out, n);
  else if (bStep == 0) binaryLoop(op, false, true, a, b, out, n);
  else binaryLoop(op, false, false, a, b, out, n);
}

/**
 * out[i] = a[i] op b[i] for i < n (op 0 add, 1 sub, 2 mul, 3 div, 4 ReLU's gradient: a where
 * b > 0, else +0); a step of 0 broadcasts that
 * side's first value (at most one side). `out` may be `a` or `b`.
 */
export function binaryF32(op: i32, a: usize, aStep: i32, b: usize, bStep: i32, out: usize, n: i32): void {
  if (op == 0) binaryOf(0, a, aStep, b, bStep, out, n);
  else if (op == 1) binaryOf(1, a, aStep, b, bStep, out, n);
  else if (op == 2) binaryOf(2, a, aStep, b, bStep, out, n);
  else if (op == 3) binaryOf(3, a, aStep, b, bStep, out, n);
  else binaryOf(4, a, aStep, b, bStep, out, n);
}

@inline function unaryLanes(op: i32, v: v128): v128 {
  if (op == 0) return f32x4.neg(v);
  if (op == 1) return f32x4.abs(v);
  if (op == 2) return f32x4.sqrt(v);
  if (op == 3) return f32x4.mul(v, v);
  return f32x4.pmax(v, f32x4.splat(0)); // v < 0 ? 0 : v
}

@inline function unaryScalar(op: i32, v: f32): f32 {
  return op == 0 ? -v : op == 1 ? abs(v) : op == 2 ? sqrt(v) : op == 3 ? v * v : v < 0 ? 0 : v;
}

@inline function unaryLoop(op: i32, x: usize, out: usize, n: i32): void {
  const vecEnd = <usize>(n & ~7) * 4;
  let i: usize = 0;
  for (; i < vecEnd; i += 32) {
    v128.store(out + i, unaryLanes(op, v128.load(x + i)));
    v128.store(out + i, unaryLanes(op, v128.load(x + i, 16)), 16);
  }
  const end = <usize>n * 4;
  for (; i < end; i += 4) store<f32>(out + i, unaryScalar(op, load<f32>(x + i)));
}

/** out[i] = f(x[i]) for i < n: op 0 neg, 1 abs, 2 sqrt, 3 square, 4 relu (NaN and −0 pass, like JS). */
export function unaryF32(op: i32, x: usize, out: usize, n: i32): void {
  if (op == 0) unaryLoop(0, x, out, n);
  else if (op == 1) unaryLoop(1, x, out, n);
  else if (op == 2) unaryLoop(2, x, out, n);
  else if (op == 3) unaryLoop(3, x, out, n);
  else unaryLoop(4, x, out, n);
}

/**
 * Σ x[i] for i < n, accumulated in float64 like the JS kernel. Each pair of floats is loaded
 * straight into the low half of a vector and widened: loading four and shuffling the high pair
 * down put three shuffle-port instructions on every four floats (0.18 ns per element in cache,
 * this 0.11). Four accumulators keep four chains of dependent additions in flight.
 */
export function sumF32(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  const vecEnd = <usize>(n & ~7) * 4;
  let i: usize = 0;
  for (; i < vecEnd; i += 32) {
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v128.load64_zero(x + i)));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.load64_zero(x + i, 8)));
    s2 = f64x2.add(s2, f64x2.promote_low_f32x4(v128.load64_zero(x + i, 16)));
    s3 = f64x2.add(s3, f64x2.promote_low_f32x4(v128.load64_zero(x + i, 24)));
  }
  const a = f64x2.add(s0, s2), b = f64x2.add(s1, s3);
  let s = (f64x2.extract_lane(a, 0) + f64x2.extract_lane(b, 0)) + (f64x2.extract_lane(a, 1) + f64x2.extract_lane(b, 1));
  const end = <usize>n * 4;
  for (; i < end; i += 4) s += <f64>load<f32>(x + i);
  return s;
}
