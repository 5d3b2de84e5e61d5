// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// im2col and col2im of float32 images, the loops of engine/kernels/js-conv.ts element for element,
// so the columns are written in module memory right where the matmul reads them (the TypeScript
// path builds them in a JS array that then has to be copied in). Pure data movement: the results
// are bit-identical to the TypeScript loops. The geometry is 13 i32s at `geo`, in ConvGeometry's
// order: channels, height, width, kh, kw, strideH, strideW, padTop, padLeft, dilationH,
// dilationW, outH, outW.

/**
 * Copies n floats. memory.copy is a call into the engine's memmove, which costs more than the copy
 * for the short rows im2col moves (24 floats for LeNet's first layer, 8 for its second).
 */
// @ts-ignore: decorator
@inline
function copyF32(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/** Zeroes n floats (short runs, as `copyF32`). */
// @ts-ignore: decorator
@inline
function zeroF32(dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), f32x4.splat(0));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/** Start of the output columns whose input column ow·stride − pad + offset lies inside [0, size). */
// @ts-ignore: decorator
@inline
function lowest(offset: i32, stride: i32, pad: i32, out: i32): i32 {
  // ceil((pad − offset)/stride) for either sign, clamped to [0, out]
  const num = pad - offset;
  let lo = num > 0 ? (num + stride - 1) / stride : -((-num) / stride);
  return max(0, min(out, lo));
}

/** End (exclusive) of that range, at least `lo`. */
// @ts-ignore: decorator
@inline
function highest(offset: i32, stride: i32, pad: i32, size: i32, out: i32, lo: i32): i32 {
  // floor((size − 1 + pad − offset)/stride) + 1
  const num = size - 1 + pad - offset;
  const hi = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
  return max(lo, min(out, hi));
}

/**
 * cols[row, s·L + oh·outW + ow] = x[s, channel0 + c, ih, iw] (0 outside the image) for `count`
 * images at x (each `xChannels` channels), row = (c·kh + i)·kw + j; every element written.
 */
export function im2colF32(x: usize, xChannels: i32, channel0: i32, count: i32, geo: usize, cols: usize): void {
  const channels = load<i32>(geo), height = load<i32>(geo, 4), width = load<i32>(geo, 8);
  const kh = load<i32>(geo, 12), kw = load<i32>(geo, 16), strideH = load<i32>(geo, 20), strideW = load<i32>(geo, 24);
  const padTop = load<i32>(geo, 28), padLeft = load<i32>(geo, 32);
  const dilationH = load<i32>(geo, 36), dilationW = load<i32>(geo, 40), outH = load<i32>(geo, 44), outW = load<i32>(geo, 48);
  const plane = height * width;
  const L = outH * outW;
  const rowLength = count * L;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kh; i++) {
      const ohLo = lowest(i * dilationH, strideH, padTop, outH);
      const ohHi = highest(i * dilationH, strideH, padTop, height, outH, ohLo);
      for (let j = 0; j < kw; j++) {
        const owLo = lowest(j * dilationW, strideW, padLeft, outW);
        const owHi = highest(j * dilationW, strideW, padLeft, width, outW, owLo);
        const rowStart = ((c * kh + i) * kw + j) * rowLength;
        for (let s = 0; s < count; s++) {
          const image = (s * xChannels + channel0 + c) * plane;
          let o = rowStart + s * L;
          if (ohLo > 0) zeroF32(cols + (<usize>o << 2), ohLo * outW);
          o += ohLo * outW;
          for (let oh = ohLo; oh < ohHi; oh++) {
            const src = image + (oh * strideH - padTop + i * dilationH) * width - padLeft + j * dilationW;
            const dst = cols + (<usize>o << 2);
            if (owLo > 0) zeroF32(dst, owLo);
            if (strideW == 1) {
              copyF32(dst + (<usize>owLo << 2), x + (<usize>(src + owLo) << 2), owHi - owLo);
            } else {
              for (let ow = owLo; ow < owHi; ow++) {
                store<f32>(dst + (<usize>ow << 2), load<f32>(x + (<usize>(src + ow * strideW) << 2)));
              }
            }
            if (owHi < outW) zeroF32(dst + (<usize>owHi << 2), outW - owHi);
            o += outW;
          }
          if (ohHi < outH) zeroF32(cols + (<usize>o << 2), (outH - ohHi) * outW);
        }
      }
    }
  }
}

/** The adjoint of `im2colF32`: dx[s, channel0 + c, ih, iw] += cols[row, s·L + …] (padding dropped). */
export function col2imF32(cols: usize, xChannels: i32, channel0: i32, count: i32, geo: usize, dx: usize): void {
  const channels = load<i32>(geo), height = load<i32>(geo, 4), width = load<i32>(geo, 8);
  const kh = load<i32>(geo, 12), kw = load<i32>(geo, 16), strideH = load<i32>(geo, 20), strideW = load<i32>(geo, 24);
  const padTop = load<i32>(geo, 28), padLeft = load<i32>(geo, 32);
  const dilationH = load<i32>(geo, 36), dilationW = load<i32>(geo, 40), outH = load<i32>(geo, 44), outW = load<i32>(geo, 48);
  const plane = height * width;
  const L = outH * outW;
  const rowLength = count * L;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kh; i++) {
      const ohLo = lowest(i * dilationH, strideH, padTop, outH);
      const ohHi = highest(i * dilationH, strideH, padTop, height, outH, ohLo);
      for (let j = 0; j < kw; j++) {
        const owLo = lowest(j * dilationW, strideW, padLeft, outW);
        const owHi = highest(j * dilationW, strideW, padLeft, width, outW, owLo);
        const rowStart = ((c * kh + i) * kw + j) * rowLength;
        for (let s = 0; s < count; s++) {
          const image = (s * xChannels + channel0 + c) * plane;
          for (let oh = ohLo; oh < ohHi; oh++) {
            const o = cols + (<usize>(rowStart + s * L + oh * outW) << 2);
            const d = dx + (<usize>(image + (oh * strideH - padTop + i * dilationH) * width - padLeft + j * dilationW) << 2);
            if (strideW == 1) {
              let ow = owLo;
              for (; ow + 4 <= owHi; ow += 4) {
                const at = <usize>ow << 2;
                v128.store(d + at, f32x4.add(v128.load(d + at), v128.load(o + at)));
              }
              for (; ow < owHi; ow++) {
                const at = <usize>ow << 2;
                store<f32>(d + at, load<f32>(d + at) + load<f32>(o + at));
              }
            } else {
              for (let ow = owLo; ow < owHi; ow++) {
                const at = d + (<usize>(ow * strideW) << 2);
                store<f32>(at, load<f32>(at) + load<f32>(o + (<usize>ow << 2)));
              }
            }
          }
        }
      }
    }
  }
}

/**
 * out[s, channel0 + o, p] = c[o, s·L + p] + bias[channel0 + o]: one group's product, laid out
 * [og, count·L], turned into NCHW rows of an output with `outChannels` channels. `bias` 0: none;
 * a zero bias copies (as the TypeScript loop does, so a −0 stays −0).
 */
export function convScatterF32(c: usize, og: i32, count: i32, L: i32, outChannels: i32, channel0: i32,
  bias: usize, out: usize): void {
  for (let o = 0; o < og; o++) {
    const b: f32 = bias ? load<f32>(bias + (<usize>(channel0 + o) << 2)) : 0;
    const bv = f32x4.splat(b);
    for (let s = 0; s < count; s++) {
      const src = c + (<usize>((o * count + s) * L) << 2);
      const dst = out + (<usize>((s * outChannels + channel0 + o) * L) << 2);
      if (b == 0) {
        copyF32(dst, src, L);
        continue;
      }
      let p = 0;
      for (; p + 4 <= L; p += 4) {
        const at = <usize>p << 2;
        v128.store(dst + at, f32x4.add(v128.load(src + at), bv));
      }
      for (; p < L; p++) store<f32>(dst + (<usize>p << 2), load<f32>(src + (<usize>p << 2)) + b);
    }
  }
}

/** The adjoint layout move: gBlock[o, s·L + p] = g[s, channel0 + o, p] for one group of `count` images. */
export function convGatherF32(g: usize, og: i32, count: i32, L: i32, outChannels: i32, channel0: i32,
  gBlock: usize): void {
  for (let o = 0; o < og; o++) {
    for (let s = 0; s < count; s++) {
      const dst = gBlock + (<usize>((o * count + s) * L) << 2);
      copyF32(dst, g + (<usize>((s * outChannels + channel0 + o) * L) << 2), L);
    }
  }
}

/**
 * sums[c] += the sum over images s and pixels p of g[s, c, p], in float64 and in the order the
 * TypeScript loop adds (s, then p), so the bias gradient is the same to the bit.
 */
export function channelSumsF32(g: usize, count: i32, channels: i32, L: i32, sums: usize): void {
  for (let c = 0; c < channels; c++) {
    let sum = load<f64>(sums + (<usize>c << 3));
    for (let s = 0; s < count; s++) {
      const row = g + (<usize>((s * channels + c) * L) << 2);
      for (let p = 0; p < L; p++) sum += <f64>load<f32>(row + (<usize>p << 2));
    }
    store<f64>(sums + (<usize>c << 3), sum);
  }
}
