// The loops around a convolution's matrix products: im2col lays every receptive field of a batch
// of images out as one column, so the convolution becomes W [outC, C·kh·kw] @ cols [C·kh·kw, n·L]
// (L = output pixels per image) on the matmul kernel; col2im is its adjoint, adding each column
// back onto the pixels it read (the input's gradient). Plain TypeScript over flat arrays: the
// arithmetic is in the product, these loops only move data.
import type { TypedArray } from "./types.js";

/** Where one convolution reads: sizes, strides, dilations and the top/left padding. */
export interface ConvGeometry {
  channels: number;
  height: number;
  width: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  dilationH: number;
  dilationW: number;
  outH: number;
  outW: number;
}

/** The output columns ow whose input column ow·stride − pad + offset lies inside [0, width). */
function validRange(offset: number, stride: number, pad: number, size: number, out: number): [number, number] {
  // iw = ow·stride − pad + offset ≥ 0  ⇔  ow ≥ (pad − offset)/stride
  let lo = Math.ceil((pad - offset) / stride);
  let hi = Math.floor((size - 1 + pad - offset) / stride) + 1;
  lo = Math.max(0, Math.min(out, lo));
  hi = Math.max(lo, Math.min(out, hi));
  return [lo, hi];
}

/**
 * cols[row, s·L + oh·outW + ow] = x[first + s, c, ih, iw] (0 outside the image) for `count` images
 * starting at image `first`, row = (c·kh + i)·kw + j, channels from `channel0` on (a group).
 * `cols` is [channels·kh·kw, count·L], every element written.
 */
export function im2col(
  x: TypedArray,
  xChannels: number,
  channel0: number,
  first: number,
  count: number,
  geo: ConvGeometry,
  cols: TypedArray,
): void {
  const { channels, height, width, kh, kw, strideH, strideW, padTop, padLeft, dilationH, dilationW, outH, outW } = geo;
  const plane = height * width;
  const L = outH * outW;
  const rowLength = count * L;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kh; i++) {
      const [ohLo, ohHi] = validRange(i * dilationH, strideH, padTop, height, outH);
      for (let j = 0; j < kw; j++) {
        const [owLo, owHi] = validRange(j * dilationW, strideW, padLeft, width, outW);
        const rowStart = ((c * kh + i) * kw + j) * rowLength;
        for (let s = 0; s < count; s++) {
          const image = ((first + s) * xChannels + channel0 + c) * plane;
          let o = rowStart + s * L;
          if (ohLo > 0) cols.fill(0, o, o + ohLo * outW);
          o += ohLo * outW;
          for (let oh = ohLo; oh < ohHi; oh++) {
            const src = image + (oh * strideH - padTop + i * dilationH) * width - padLeft + j * dilationW;
            for (let ow = 0; ow < owLo; ow++) cols[o + ow] = 0;
            if (strideW === 1) {
              for (let ow = owLo; ow < owHi; ow++) cols[o + ow] = x[src + ow]!;
            } else {
              for (let ow = owLo; ow < owHi; ow++) cols[o + ow] = x[src + ow * strideW]!;
            }
            for (let ow = owHi; ow < outW; ow++) cols[o + ow] = 0;
            o += outW;
          }
          if (ohHi < outH) cols.fill(0, o, o + (outH - ohHi) * outW);
        }
      }
    }
  }
}

/** The adjoint of `im2col`: dx[first + s, channel0 + c, ih, iw] += cols[row, s·L + …] (padding dropped). */
export function col2im(
  cols: TypedArray,
  xChannels: number,
  channel0: number,
  first: number,
  count: number,
  geo: ConvGeometry,
  dx: TypedArray,
): void {
  const { channels, height, width, kh, kw, strideH, strideW, padTop, padLeft, dilationH, dilationW, outH, outW } = geo;
  const plane = height * width;
  const L = outH * outW;
  const rowLength = count * L;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kh; i++) {
      const [ohLo, ohHi] = validRange(i * dilationH, strideH, padTop, height, outH);
      for (let j = 0; j < kw; j++) {
        const [owLo, owHi] = validRange(j * dilationW, strideW, padLeft, width, outW);
        const rowStart = ((c * kh + i) * kw + j) * rowLength;
        for (let s = 0; s < count; s++) {
          const image = ((first + s) * xChannels + channel0 + c) * plane;
          for (let oh = ohLo; oh < ohHi; oh++) {
            const o = rowStart + s * L + oh * outW;
            const dst = image + (oh * strideH - padTop + i * dilationH) * width - padLeft + j * dilationW;
            for (let ow = owLo; ow < owHi; ow++) dx[dst + ow * strideW] = dx[dst + ow * strideW]! + cols[o + ow]!;
          }
        }
      }
    }
  }
}
