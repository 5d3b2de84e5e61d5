// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// Layer normalisation of float32 rows, forward and backward, with the TypeScript loops' formulas
// (engine/kernels/js-layer-norm.ts) in float64 lanes: per-element results are computed exactly
// as there; only the row sums run two lanes wide (another summation order, so the float64
// moments can differ in their last bits and a float32 result, rarely, by one rounding).
// `width` must be a multiple of 4; weight and bias are always given (ones and zeros by default).

/** Sum of the two lanes of an f64x2. */
// @ts-ignore: decorator
@inline
function total(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * For each of `rows` rows of `width` floats at x: mean and 1/√(variance + eps) into the float64
 * arrays `mean` and `rstd`, and out = (x − mean)·rstd·weight + bias.
 */
export function layerNormForwardF32(x: usize, weight: usize, bias: usize, out: usize, mean: usize, rstd: usize,
  rows: i32, width: i32, eps: f64): void {
  const rowBytes = <usize>width * 4;
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>r * rowBytes;
    let sumLo = f64x2.splat(0), sumHi = f64x2.splat(0), sqLo = f64x2.splat(0), sqHi = f64x2.splat(0);
    for (let j: usize = 0; j < rowBytes; j += 16) {
      const four = v128.load(row + j);
      const lo = f64x2.promote_low_f32x4(four);
      const hi = f64x2.promote_low_f32x4(i32x4.shuffle(four, four, 2, 3, 0, 1));
      sumLo = f64x2.add(sumLo, lo);
      sumHi = f64x2.add(sumHi, hi);
      sqLo = f64x2.add(sqLo, f64x2.mul(lo, lo));
      sqHi = f64x2.add(sqHi, f64x2.mul(hi, hi));
    }
    const mu = (total(sumLo) + total(sumHi)) / <f64>width;
    const s = 1 / Math.sqrt(Math.max(0, (total(sqLo) + total(sqHi)) / <f64>width - mu * mu) + eps);
    store<f64>(mean + <usize>r * 8, mu);
    store<f64>(rstd + <usize>r * 8, s);
    const muV = f64x2.splat(mu), sV = f64x2.splat(s);
    const dst = out + <usize>r * rowBytes;
    for (let j: usize = 0; j < rowBytes; j += 16) {
      const four = v128.load(row + j), w = v128.load(weight + j), b = v128.load(bias + j);
      const lo = f64x2.add(f64x2.mul(f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(four), muV), sV),
        f64x2.promote_low_f32x4(w)), f64x2.promote_low_f32x4(b));
      const hi = f64x2.add(f64x2.mul(f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(four, four, 2, 3, 0, 1)), muV), sV),
        f64x2.promote_low_f32x4(i32x4.shuffle(w, w, 2, 3, 0, 1))), f64x2.promote_low_f32x4(i32x4.shuffle(b, b, 2, 3, 0, 1)));
      v128.store(dst + j, i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
    }
  }
}

/**
 * Backward of `layerNormForwardF32` for `rows` rows of g: dx (float32) and, accumulated into
 * the float64 arrays dw and db (width each), Σ g·x̂ and Σ g.
 */
export function layerNormBackwardF32(x: usize, g: usize, weight: usize, mean: usize, rstd: usize, dx: usize,
  dw: usize, db: usize, rows: i32, width: i32): void {
  const rowBytes = <usize>width * 4;
  const widthF = <f64>width;
  for (let r = 0; r < rows; r++) {
    const xRow = x + <usize>r * rowBytes, gRow = g + <usize>r * rowBytes;
    const mu = f64x2.splat(load<f64>(mean + <usize>r * 8)), s = f64x2.splat(load<f64>(rstd + <usize>r * 8));
    let sumG = f64x2.splat(0), sumGx = f64x2.splat(0);
    for (let j: usize = 0; j < rowBytes; j += 8) {
      // two columns at a time: dw and db are float64, two per vector
      const gj = f64x2.promote_low_f32x4(v128.load64_zero(gRow + j));
      const xhat = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v128.load64_zero(xRow + j)), mu), s);
      const gh = f64x2.mul(gj, f64x2.promote_low_f32x4(v128.load64_zero(weight + j)));
      sumG = f64x2.add(sumG, gh);
      sumGx = f64x2.add(sumGx, f64x2.mul(gh, xhat));
      const at = j * 2;
      v128.store(dw + at, f64x2.add(v128.load(dw + at), f64x2.mul(gj, xhat)));
      v128.store(db + at, f64x2.add(v128.load(db + at), gj));
    }
    const a = f64x2.splat(total(sumG) / widthF), b = f64x2.splat(total(sumGx) / widthF);
    const dst = dx + <usize>r * rowBytes;
    for (let j: usize = 0; j < rowBytes; j += 8) {
      const gj = f64x2.promote_low_f32x4(v128.load64_zero(gRow + j));
      const xj = f64x2.promote_low_f32x4(v128.load64_zero(xRow + j));
      const wj = f64x2.promote_low_f32x4(v128.load64_zero(weight + j));
      const d = f64x2.mul(s, f64x2.sub(f64x2.sub(f64x2.mul(gj, wj), a), f64x2.mul(f64x2.mul(f64x2.sub(xj, mu), s), b)));
      v128.store64_lane(dst + j, f32x4.demote_f64x2_zero(d), 0);
    }
  }
}
