// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// im2col and col2im of float32 images, the loops of engine/kernels/js-conv.ts element for element,
// so the columns are written in module memory right where the matmul reads them (the TypeScript
// path builds them in a JS array that then has to be copied in). Pure data movement: the results
// are bit-identical to the TypeScript loops. The geometry is 13 i32s at `geo`, in ConvGeometry's
// order: channels, height, width, kh, kw, strideH, strideW, padTop, padLeft, dilationH,
// dilationW, outH, outW.

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
          if (ohLo > 0) memory.fill(cols + (<usize>o << 2), 0, <usize>(ohLo * outW) << 2);
          o += ohLo * outW;
          for (let oh = ohLo; oh < ohHi; oh++) {
            const src = image + (oh * strideH - padTop + i * dilationH) * width - padLeft + j * dilationW;
            const dst = cols + (<usize>o << 2);
            if (owLo > 0) memory.fill(dst, 0, <usize>owLo << 2);
            if (strideW == 1) {
              memory.copy(dst + (<usize>owLo << 2), x + (<usize>(src + owLo) << 2), <usize>(owHi - owLo) << 2);
            } else {
              for (let ow = owLo; ow < owHi; ow++) {
                store<f32>(dst + (<usize>ow << 2), load<f32>(x + (<usize>(src + ow * strideW) << 2)));
              }
            }
            if (owHi < outW) memory.fill(dst + (<usize>owHi << 2), 0, <usize>(outW - owHi) << 2);
            o += outW;
          }
          if (ohHi < outH) memory.fill(cols + (<usize>o << 2), 0, <usize>((outH - ohHi) * outW) << 2);
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
