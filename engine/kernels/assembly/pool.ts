// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// Max pooling of float32 planes and its backward, the loops of engine/ops/pooling.ts element for
// element (the same windows, the same first-maximum and NaN rules), so the results are
// bit-identical to the TypeScript reference. The windows come in as taps, computed once on the
// JavaScript side: for each output row its first input row inside the image and how many rows of
// the window lie inside (padding is skipped there, never tested per element), likewise columns.

/**
 * out[q, i, j] = the maximum of window (i, j) of plane q and argmax[q, i, j] its index in the
 * plane, for `planes` planes height×width at x. taps: outH row firsts, outH row counts, outW
 * column firsts, outW column counts (i32s). A NaN wins, the first one met, as in PyTorch.
 */
export function maxPoolF32(x: usize, planes: i32, height: i32, width: i32, outH: i32, outW: i32,
  taps: usize, dilationH: i32, dilationW: i32, out: usize, argmax: usize): void {
  const rowFirst = taps, rowCount = taps + (<usize>outH << 2);
  const colFirst = rowCount + (<usize>outH << 2), colCount = colFirst + (<usize>outW << 2);
  const plane = height * width;
  const dr = dilationH * width;
  if (dilationH == 1 && dilationW == 1 && windowsOfTwo(rowCount, outH) && windowsOfTwo(colCount, outW)) {
    maxPool2x2(x, planes, plane, width, outH, outW, rowFirst, colFirst, out, argmax);
    return;
  }
  let o: usize = 0;
  for (let q = 0; q < planes; q++) {
    const base = x + (<usize>(q * plane) << 2);
    for (let i = 0; i < outH; i++) {
      const rows = load<i32>(rowCount + (<usize>i << 2));
      const top = load<i32>(rowFirst + (<usize>i << 2)) * width;
      for (let j = 0; j < outW; j++, o++) {
        const cols = load<i32>(colCount + (<usize>j << 2));
        let at = top + load<i32>(colFirst + (<usize>j << 2));
        let best = load<f32>(base + (<usize>at << 2));
        let row = at;
        for (let a = 0; a < rows && best == best; a++, row += dr) {
          for (let b = 0, c = row; b < cols; b++, c += dilationW) {
            const v = load<f32>(base + (<usize>c << 2));
            if (!(v <= best)) {
              best = v;
              at = c;
              if (v != v) break;
            }
          }
        }
        store<f32>(out + (o << 2), best);
        store<i32>(argmax + (o << 2), at);
      }
    }
  }
}

/** True when every window has `n` = 2 taps inside along this dimension. */
// @ts-ignore: decorator
@inline
function windowsOfTwo(counts: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (load<i32>(counts + (<usize>i << 2)) != 2) return false;
  return true;
}

/**
 * The common 2×2 windows without dilation (MaxPool2d(2), and any stride or padding that leaves
 * each window two rows and two columns inside): four reads and three comparisons per output in
 * the generic loop's order (a, b on the first row, then c, d), with no inner loops to run.
 */
function maxPool2x2(x: usize, planes: i32, plane: i32, width: i32, outH: i32, outW: i32,
  rowFirst: usize, colFirst: usize, out: usize, argmax: usize): void {
  let o: usize = 0;
  for (let q = 0; q < planes; q++) {
    const base = x + (<usize>(q * plane) << 2);
    for (let i = 0; i < outH; i++) {
      const top = load<i32>(rowFirst + (<usize>i << 2)) * width;
      let j = 0;
      // Four windows at once where they sit side by side two columns apart (stride 2, no
      // padding): 8 floats of each row, split into even and odd columns, compared without branches.
      for (; j + 4 <= outW && colsAdjacent(colFirst, j); j += 4, o += 4) {
        const start = top + load<i32>(colFirst + (<usize>j << 2));
        const p = base + (<usize>start << 2);
        const r = p + (<usize>width << 2);
        const at0 = i32x4.add(i32x4.splat(start), i32x4(0, 2, 4, 6));
        const top0 = v128.load(p), top1 = v128.load(p, 16), bottom0 = v128.load(r), bottom1 = v128.load(r, 16);
        let best = evens(top0, top1);
        let at = at0;
        let m = replaces(odds(top0, top1), best);
        best = v128.bitselect(odds(top0, top1), best, m);
        at = v128.bitselect(i32x4.add(at0, i32x4.splat(1)), at, m);
        m = replaces(evens(bottom0, bottom1), best);
        best = v128.bitselect(evens(bottom0, bottom1), best, m);
        at = v128.bitselect(i32x4.add(at0, i32x4.splat(width)), at, m);
        m = replaces(odds(bottom0, bottom1), best);
        best = v128.bitselect(odds(bottom0, bottom1), best, m);
        at = v128.bitselect(i32x4.add(at0, i32x4.splat(width + 1)), at, m);
        v128.store(out + (o << 2), best);
        v128.store(argmax + (o << 2), at);
      }
      for (; j < outW; j++, o++) {
        let at = top + load<i32>(colFirst + (<usize>j << 2));
        const p = base + (<usize>at << 2);
        let best = load<f32>(p);
        const start = at;
        // Each candidate replaces the best when !(v <= best) while the best is not NaN; a NaN
        // best stops the search (the generic loop's break and its row condition).
        if (best == best) {
          const b = load<f32>(p, 4);
          if (!(b <= best)) { best = b; at = start + 1; }
          if (best == best) {
            const c = load<f32>(p + (<usize>width << 2));
            if (!(c <= best)) { best = c; at = start + width; }
            if (best == best) {
              const d = load<f32>(p + (<usize>width << 2), 4);
              if (!(d <= best)) { best = d; at = start + width + 1; }
            }
          }
        }
        store<f32>(out + (o << 2), best);
        store<i32>(argmax + (o << 2), at);
      }
    }
  }
}

/** Lanes where v takes the best's place: !(v <= best) while the best is not NaN (the scalar rule). */
// @ts-ignore: decorator
@inline
function replaces(v: v128, best: v128): v128 {
  return v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
}

// @ts-ignore: decorator
@inline
function evens(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
}

// @ts-ignore: decorator
@inline
function odds(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
}

/** True when windows j … j+3 start two columns apart. */
// @ts-ignore: decorator
@inline
function colsAdjacent(colFirst: usize, j: i32): bool {
  const first = load<i32>(colFirst + (<usize>j << 2));
  return load<i32>(colFirst + (<usize>j << 2), 12) == first + 6 && load<i32>(colFirst + (<usize>j << 2), 4) == first + 2
    && load<i32>(colFirst + (<usize>j << 2), 8) == first + 4;
}

/**
 * dx = 0, then dx[q, argmax[q, l]] += g[q, l] for `planes` planes of `plane` inputs and L outputs
 * each: the maximum of each window takes its output's whole gradient.
 */
export function maxPoolBackwardF32(g: usize, argmax: usize, planes: i32, L: i32, plane: i32, dx: usize): void {
  memory.fill(dx, 0, <usize>(planes * plane) << 2);
  let o: usize = 0;
  for (let q = 0; q < planes; q++) {
    const base = dx + (<usize>(q * plane) << 2);
    for (let l = 0; l < L; l++, o++) {
      const at = load<i32>(argmax + (o << 2));
      if (at < 0) continue;
      const d = base + (<usize>at << 2);
      store<f32>(d, load<f32>(d) + load<f32>(g + (o << 2)));
    }
  }
}
