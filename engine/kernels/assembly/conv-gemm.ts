// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// A convolution's two products that read the columns, with the columns never written out
// (implicit GEMM): matmul.ts packs B into 8-column panels before its micro-kernel runs, and here
// those panels are packed straight from the images, so im2col's pass over k·kh·kw/stride² times
// the images' size (3.7 MB for LeNet's first layer at batch 64, out of L2) and the packing's
// second pass over it become one. The values packed are im2col's, element for element, and the
// products run the same micro-kernel in the same order, so the results are bit-identical to
// im2col (conv.ts) followed by `matmul`.
//   forward:  C [m, n·L] = A [m, k] · cols                (B(p, j) = cols[p, j])
//   weights:  C [m, k]   = G [m, n·L] · colsᵀ             (B(p, j) = cols[j, p])
import { KC, multiplyPanel, NC, NR, transpose4Store } from "./matmul";

// The geometry (13 i32s at `geo`, in ConvGeometry's order), read once per call.
let channels = 0, height = 0, width = 0, kh = 0, kw = 0, strideH = 0, strideW = 0;
let padTop = 0, padLeft = 0, dilationH = 0, dilationW = 0, outH = 0, outW = 0;

function readGeometry(geo: usize): void {
  channels = load<i32>(geo); height = load<i32>(geo, 4); width = load<i32>(geo, 8);
  kh = load<i32>(geo, 12); kw = load<i32>(geo, 16); strideH = load<i32>(geo, 20); strideW = load<i32>(geo, 24);
  padTop = load<i32>(geo, 28); padLeft = load<i32>(geo, 32);
  dilationH = load<i32>(geo, 36); dilationW = load<i32>(geo, 40); outH = load<i32>(geo, 44); outW = load<i32>(geo, 48);
}

/**
 * C [m, count·L] = A · im2col(x) for `count` images at x (each `xChannels` channels, the group's
 * from `channel0`), A(i, p) at a + 4·(i·aRow + p·aK); scratch as `matmul`'s.
 */
export function convForwardProductF32(a: usize, aRow: i32, aK: i32, x: usize, xChannels: i32, channel0: i32,
  count: i32, geo: usize, c: usize, m: i32, packA: usize, packB: usize, tile: usize): void {
  readGeometry(geo);
  const k = channels * kh * kw;
  const n = count * outH * outW;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packColumns(x + (<usize>(channel0 * height * width) << 2), xChannels, pc, kc, jc, nc, packB);
      multiplyPanel(a, aRow, aK, packB, c, n, m, jc, nc, pc, kc, packA, tile);
    }
  }
}

/**
 * C [m, k] = G · im2col(x)ᵀ, G [m, count·L] row-major at g (the weight gradient of one group);
 * `lanes` is 128 bytes of scratch; the rest as `convForwardProductF32`.
 */
export function convWeightProductF32(g: usize, x: usize, xChannels: i32, channel0: i32, count: i32, geo: usize,
  c: usize, m: i32, packA: usize, packB: usize, tile: usize, lanes: usize): void {
  readGeometry(geo);
  const k = channels * kh * kw;
  const n = count * outH * outW;
  for (let jc = 0; jc < k; jc += NC) {
    const nc = min(NC, k - jc);
    for (let pc = 0; pc < n; pc += KC) {
      const kc = min(KC, n - pc);
      packRows(x + (<usize>(channel0 * height * width) << 2), xChannels, pc, kc, jc, nc, packB, lanes);
      multiplyPanel(g, n, 1, packB, c, k, m, jc, nc, pc, kc, packA, tile);
    }
  }
}

/**
 * B(p, j) = cols[pc + p, jc + j] packed as matmul's panels (panel[p·8 + j]): column j is output
 * pixel (s, oh, ow), row p is tap (c, i, jj). Where 8 columns lie on one output row (stride 1,
 * the common case) each tap is one run of 8 input pixels: two vector loads.
 */
function packColumns(x: usize, xChannels: i32, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  const L = outH * outW;
  const plane = height * width;
  // The first tap (c, i, jj) of the block, and the first column's pixel (s, oh, ow), moved along
  // panel by panel (divisions per panel cost as much as packing LeNet's 25 taps).
  const jj0 = pc % kw, i0 = (pc / kw) % kh, ch0 = pc / (kw * kh);
  let s = jc / L;
  let oh = (jc - s * L) / outW;
  let ow = jc - s * L - oh * outW;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const panel = dst + (<usize>(jr * kc) << 2);
    const j0 = jc + jr;
    if (jr > 0) {
      ow += NR;
      while (ow >= outW) {
        ow -= outW;
        if (++oh == outH) { oh = 0; s++; }
      }
    }
    if (cols == NR && strideW == 1 && ow + NR <= outW) {
      const image = x + (<usize>(s * xChannels * plane) << 2);
      const ih0 = oh * strideH - padTop;
      const iw0 = ow - padLeft;
      let jj = jj0, i = i0, ch = ch0;
      for (let p = 0; p < kc; p++) {
        const out = panel + (<usize>p << 5);
        const ih = ih0 + i * dilationH;
        const iw = iw0 + jj * dilationW;
        if (<u32>ih < <u32>height) {
          const row = image + (<usize>(ch * plane + ih * width) << 2);
          if (iw >= 0 && iw + NR <= width) {
            v128.store(out, v128.load(row + (<usize>iw << 2)));
            v128.store(out, v128.load(row + (<usize>iw << 2), 16), 16);
          } else {
            for (let r = 0; r < NR; r++) {
              const w = iw + r;
              store<f32>(out + (<usize>r << 2), <u32>w < <u32>width ? load<f32>(row + (<usize>w << 2)) : 0);
            }
          }
        } else {
          v128.store(out, f32x4.splat(0));
          v128.store(out, f32x4.splat(0), 16);
        }
        if (++jj == kw) {
          jj = 0;
          if (++i == kh) { i = 0; ch++; }
        }
      }
      continue;
    }
    // Columns across a row's end, a stride, or the last panel: column by column.
    for (let r = 0; r < NR; r++) {
      if (r >= cols) {
        for (let p = 0; p < kc; p++) store<f32>(panel + (<usize>(p * NR + r) << 2), 0);
        continue;
      }
      const j = j0 + r;
      const sr = j / L;
      const ohr = (j - sr * L) / outW;
      const owr = j - sr * L - ohr * outW;
      const image = x + (<usize>(sr * xChannels * plane) << 2);
      const ih0 = ohr * strideH - padTop;
      const iw0 = owr * strideW - padLeft;
      let jj = jj0, i = i0, ch = ch0;
      for (let p = 0; p < kc; p++) {
        const ih = ih0 + i * dilationH;
        const iw = iw0 + jj * dilationW;
        const inside = <u32>ih < <u32>height && <u32>iw < <u32>width;
        store<f32>(panel + (<usize>(p * NR + r) << 2),
          inside ? load<f32>(image + (<usize>(ch * plane + ih * width + iw) << 2)) : 0);
        if (++jj == kw) {
          jj = 0;
          if (++i == kh) { i = 0; ch++; }
        }
      }
    }
  }
}

/**
 * B(p, j) = cols[jc + j, pc + p] packed as matmul's panels: row p is output pixel (s, oh, ow),
 * column j is tap (c, i, jj). Four pixels on one output row (stride 1) are, for each of the 8
 * taps, one run of 4 input pixels: eight vector loads and two 4×4 transposes per four rows.
 * `lanes` holds each tap's row offset, column offset, channel offset and all three as one
 * offset in the image (four runs of 8 i32s).
 */
function packRows(x: usize, xChannels: i32, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize, lanes: usize): void {
  const plane = height * width;
  for (let jr = 0; jr < nc; jr += NR) {
    const taps = min(NR, nc - jr);
    const panel = dst + (<usize>(jr * kc) << 2);
    // Each tap's input row and column offsets from its pixel's (oh·strideH, ow·strideW), and its channel.
    for (let r = 0; r < NR; r++) {
      const q = min(jc + jr + r, jc + jr + taps - 1);
      const jj = q % kw, i = (q / kw) % kh, ch = q / (kw * kh);
      store<i32>(lanes + (<usize>r << 2), i * dilationH - padTop);
      store<i32>(lanes + (<usize>r << 2), jj * dilationW - padLeft, 32);
      store<i32>(lanes + (<usize>r << 2), ch * plane, 64);
      store<i32>(lanes + (<usize>r << 2), ch * plane + (i * dilationH - padTop) * width + jj * dilationW - padLeft, 96);
    }
    // Without padding every tap of every pixel lies inside its image: no checks.
    const inside = padTop == 0 && padLeft == 0;
    let s = pc / (outH * outW);
    let oh = (pc - s * outH * outW) / outW;
    let ow = pc - s * outH * outW - oh * outW;
    let p = 0;
    while (p < kc) {
      const image = x + (<usize>(s * xChannels * plane) << 2);
      // (A last panel of fewer than 8 taps repeats its last tap in the spare lanes: the
      // micro-kernel's edge tile keeps only the valid columns, each computed from its own lane.)
      if (inside && strideW == 1 && ow + 4 <= outW && p + 4 <= kc) {
        const out = panel + (<usize>p << 5);
        const at = image + (<usize>(oh * strideH * width + ow) << 2);
        const at4 = lanes + 96;
        transpose4Store(v128.load(at + (<usize>load<i32>(at4) << 2)), v128.load(at + (<usize>load<i32>(at4, 4) << 2)),
          v128.load(at + (<usize>load<i32>(at4, 8) << 2)), v128.load(at + (<usize>load<i32>(at4, 12) << 2)), out, 32);
        transpose4Store(v128.load(at + (<usize>load<i32>(at4, 16) << 2)), v128.load(at + (<usize>load<i32>(at4, 20) << 2)),
          v128.load(at + (<usize>load<i32>(at4, 24) << 2)), v128.load(at + (<usize>load<i32>(at4, 28) << 2)), out + 16, 32);
        p += 4;
        ow += 4;
      } else if (strideW == 1 && ow + 4 <= outW && p + 4 <= kc) {
        const out = panel + (<usize>p << 5);
        const v0 = runOf4(image, lanes, 0, oh, ow), v1 = runOf4(image, lanes, 1, oh, ow);
        const v2 = runOf4(image, lanes, 2, oh, ow), v3 = runOf4(image, lanes, 3, oh, ow);
        transpose4Store(v0, v1, v2, v3, out, 32);
        const v4 = runOf4(image, lanes, 4, oh, ow), v5 = runOf4(image, lanes, 5, oh, ow);
        const v6 = runOf4(image, lanes, 6, oh, ow), v7 = runOf4(image, lanes, 7, oh, ow);
        transpose4Store(v4, v5, v6, v7, out + 16, 32);
        p += 4;
        ow += 4;
      } else {
        for (let r = 0; r < NR; r++) {
          let v: f32 = 0;
          if (r < taps) {
            const ih = oh * strideH + load<i32>(lanes + (<usize>r << 2));
            const iw = ow * strideW + load<i32>(lanes + (<usize>r << 2), 32);
            if (<u32>ih < <u32>height && <u32>iw < <u32>width) {
              v = load<f32>(image + (<usize>(load<i32>(lanes + (<usize>r << 2), 64) + ih * width + iw) << 2));
            }
          }
          store<f32>(panel + (<usize>(p * NR + r) << 2), v);
        }
        p++;
        ow++;
      }
      if (ow == outW) {
        ow = 0;
        if (++oh == outH) { oh = 0; s++; }
      }
    }
  }
}

/** Tap r's four input pixels for output pixels (oh, ow … ow+3), stride 1 along the row; 0 outside. */
// @ts-ignore: decorator
@inline
function runOf4(image: usize, lanes: usize, r: i32, oh: i32, ow: i32): v128 {
  const ih = oh * strideH + load<i32>(lanes + (<usize>r << 2));
  const iw = ow + load<i32>(lanes + (<usize>r << 2), 32);
  const row = image + (<usize>(load<i32>(lanes + (<usize>r << 2), 64) + ih * width) << 2);
  if (<u32>ih >= <u32>height) return f32x4.splat(0);
  if (iw >= 0 && iw + 4 <= width) return v128.load(row + (<usize>iw << 2));
  let v = f32x4.splat(0);
  if (<u32>iw < <u32>width) v = f32x4.replace_lane(v, 0, load<f32>(row + (<usize>iw << 2)));
  if (<u32>(iw + 1) < <u32>width) v = f32x4.replace_lane(v, 1, load<f32>(row + (<usize>(iw + 1) << 2)));
  if (<u32>(iw + 2) < <u32>width) v = f32x4.replace_lane(v, 2, load<f32>(row + (<usize>(iw + 2) << 2)));
  if (<u32>(iw + 3) < <u32>width) v = f32x4.replace_lane(v, 3, load<f32>(row + (<usize>(iw + 3) << 2)));
  return v;
}
