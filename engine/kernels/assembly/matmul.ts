// @ts-nocheck — AssemblyScript, not TypeScript: compiled by `npm run build:wasm` (asc), skipped by tsc.
//
// C = A·B in float32 with 128-bit SIMD, the GotoBLAS way: B is packed into k×8 column panels,
// A into 4×k row panels, and a 4×8 register-blocked micro-kernel (8 accumulators, 2 B vectors,
// 1 broadcast A: 11 of x64's 16 vector registers) runs over them. Packing reads A and B through
// (row, k) strides, so AᵀB and ABᵀ cost the same as AB: no transposed copy is ever made.
// All pointers are byte addresses in this module's memory; the JavaScript side lays out the
// operands and scratch panels (see ../simd.ts) and this file never allocates.

// 4 rows: a 6×8 variant (12 accumulators, 15 registers) measured 3–7× slower under V8, which
// spills it; 4×8 leaves room and ran 20–45 GFLOPS on the loaded 2-core Zen 3.
const MR: i32 = 4; // rows of C per micro-kernel
export const NR: i32 = 8; // columns of C per micro-kernel (two f32x4)
export const KC: i32 = 256; // depth of one packed panel: a 4×256 A panel and a 256×8 B panel stay in L1
const MC: i32 = 96; // rows of A packed at once (96 KB: stays in L2)
export const NC: i32 = 1024; // columns of B packed at once (1 MB)

/** Bytes of packed-A scratch the caller must reserve. */
export function packABytes(): i32 {
  return MC * KC * 4;
}

/** Bytes of packed-B scratch the caller must reserve for `n` columns. */
export function packBBytes(n: i32): i32 {
  const nc = min(n, NC);
  return KC * ((nc + NR - 1) / NR) * NR * 4;
}

/** First free byte: the caller's layout starts here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/**
 * C (m×n, row-major at `c`) = A·B where A(i,p) sits at a + 4·(i·aRow + p·aK) and B(p,j) at
 * b + 4·(p·bK + j·bCol): the strides express all four transpose variants.
 */
export function matmul(a: usize, aRow: i32, aK: i32, b: usize, bK: i32, bCol: i32, c: usize,
  m: i32, k: i32, n: i32, packA: usize, packB: usize, tile: usize): void {
  matmulInto(a, aRow, aK, b, bK, bCol, c, n, m, k, n, packA, packB, tile);
}

/** `matmul` with C's rows `ldc` floats apart (a block inside a wider matrix). */
function matmulInto(a: usize, aRow: i32, aK: i32, b: usize, bK: i32, bCol: i32, c: usize, ldc: i32,
  m: i32, k: i32, n: i32, packA: usize, packB: usize, tile: usize): void {
  if (k == 0) {
    for (let i = 0; i < m; i++) memory.fill(c + <usize>(i * ldc) * 4, 0, <usize>n << 2);
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packPanelsB(b, bK, bCol, pc, kc, jc, nc, packB);
      multiplyPanel(a, aRow, aK, packB, c, ldc, m, jc, nc, pc, kc, packA, tile);
    }
  }
}

/**
 * outer × inner products of one shape, each C = A·B with strides as in `matmul` and C's rows `ldc`
 * floats apart; product (o, h) finds its A at a + 4·(o·aOuter + h·aInner), likewise B and C.
 * Attention's per-(batch, head) products read the heads straight out of [batch, time, features]
 * this way, with no gathering copies and one call for all of them.
 */
export function matmulBatch(outer: i32, inner: i32,
  a: usize, aOuter: i32, aInner: i32, aRow: i32, aK: i32,
  b: usize, bOuter: i32, bInner: i32, bK: i32, bCol: i32,
  c: usize, cOuter: i32, cInner: i32, ldc: i32,
  m: i32, k: i32, n: i32, packA: usize, packB: usize, tile: usize): void {
  for (let o = 0; o < outer; o++) {
    for (let h = 0; h < inner; h++) {
      matmulInto(a + <usize>(o * aOuter + h * aInner) * 4, aRow, aK, b + <usize>(o * bOuter + h * bInner) * 4,
        bK, bCol, c + <usize>(o * cOuter + h * cInner) * 4, ldc, m, k, n, packA, packB, tile);
    }
  }
}

/** Bytes of all of a k×n B packed by `packAllB`: whole 8-column panels. */
export function packedBBytes(k: i32, n: i32): i32 {
  return k * ((n + NR - 1) / NR) * NR * 4;
}

/**
 * Packs all of B (strides as in `matmul`) at `dst`, block by block in the order `matmulPacked`
 * reads them: the block of columns jc.. and depths pc.. starts at dst + 4·(jc·k + pc·ncPadded).
 * Threads sharing one product share this pack: B is packed once, not once per thread.
 */
export function packAllB(b: usize, bK: i32, bCol: i32, k: i32, n: i32, dst: usize): void {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const ncPadded = (nc + NR - 1) / NR * NR;
    for (let pc = 0; pc < k; pc += KC) {
      packPanelsB(b, bK, bCol, pc, min(KC, k - pc), jc, nc, dst + <usize>(jc * k + pc * ncPadded) * 4);
    }
  }
}

/** Like `matmul` (k > 0), with B already packed by `packAllB` at `packedB`: one band of C's rows. */
export function matmulPacked(a: usize, aRow: i32, aK: i32, packedB: usize, c: usize,
  m: i32, k: i32, n: i32, packA: usize, tile: usize): void {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const ncPadded = (nc + NR - 1) / NR * NR;
    for (let pc = 0; pc < k; pc += KC) {
      const panels = packedB + <usize>(jc * k + pc * ncPadded) * 4;
      multiplyPanel(a, aRow, aK, panels, c, n, m, jc, nc, pc, min(KC, k - pc), packA, tile);
    }
  }
}

/**
 * C[0..m][jc..jc+nc] (=, or += after the first depth block) A[0..m][pc..pc+kc] · the packed B
 * panels of that block, packing A MC rows at a time; C's rows are `ldc` floats apart.
 */
// @ts-ignore: decorator
@inline
export function multiplyPanel(a: usize, aRow: i32, aK: i32, panels: usize, c: usize, ldc: i32, m: i32,
  jc: i32, nc: i32, pc: i32, kc: i32, packA: usize, tile: usize): void {
  for (let ic = 0; ic < m; ic += MC) {
    const mc = min(MC, m - ic);
    packPanelsA(a, aRow, aK, ic, mc, pc, kc, packA);
    for (let jr = 0; jr < nc; jr += NR) {
      const nr = min(NR, nc - jr);
      const pb = panels + <usize>(jr * kc) * 4;
      for (let ir = 0; ir < mc; ir += MR) {
        const mr = min(MR, mc - ir);
        const pa = packA + <usize>(ir * kc) * 4;
        const cij = c + (<usize>(ic + ir) * ldc + jc + jr) * 4;
        if (mr == MR && nr == NR) {
          kernel4x8(kc, pa, pb, cij, <usize>ldc * 4, pc > 0);
        } else {
          // Edge tile: compute the full 4×8 into scratch (the packs are zero-padded), keep
          // only the valid corner.
          kernel4x8(kc, pa, pb, tile, NR * 4, false);
          for (let i = 0; i < mr; i++) {
            for (let j = 0; j < nr; j++) {
              const dst = cij + (<usize>i * ldc + j) * 4;
              const v = load<f32>(tile + <usize>(i * NR + j) * 4);
              store<f32>(dst, pc > 0 ? load<f32>(dst) + v : v);
            }
          }
        }
      }
    }
  }
}

/** Packs rows ic..ic+mc of A, depths pc..pc+kc, as 4-row panels: panel[p·4 + r] = A(i+r, p). */
function packPanelsA(a: usize, aRow: i32, aK: i32, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const panel = dst + <usize>(ir * kc) * 4;
    if (rows == MR && aRow == 1) {
      // Aᵀ stored: the 4 rows of one depth are adjacent, one vector load.
      let src = a + (<usize>(ic + ir) + <usize>pc * aK) * 4;
      const step = <usize>aK * 4;
      for (let p = 0; p < kc; p++) {
        v128.store(panel + <usize>p * 16, v128.load(src));
        src += step;
      }
      continue;
    }
    if (rows == MR && aK == 1) {
      // A stored m×k: each row is a contiguous run of depths; 4×4 transposes, four depths at a time.
      const row0 = a + (<usize>(ic + ir) * aRow + <usize>pc) * 4;
      const step = <usize>aRow * 4;
      const vecEnd = kc & ~3;
      for (let p = 0; p < vecEnd; p += 4) {
        const at = <usize>p * 4;
        transpose4Store(v128.load(row0 + at), v128.load(row0 + step + at), v128.load(row0 + 2 * step + at),
          v128.load(row0 + 3 * step + at), panel + <usize>p * 16, 16);
      }
      for (let p = vecEnd; p < kc; p++) {
        for (let r = 0; r < MR; r++) store<f32>(panel + <usize>(p * MR + r) * 4, load<f32>(row0 + <usize>r * step + <usize>p * 4));
      }
      continue;
    }
    for (let r = 0; r < MR; r++) {
      if (r < rows) {
        let src = a + (<usize>(ic + ir + r) * aRow + <usize>pc * aK) * 4;
        const step = <usize>aK * 4;
        for (let p = 0; p < kc; p++) {
          store<f32>(panel + <usize>(p * MR + r) * 4, load<f32>(src));
          src += step;
        }
      } else {
        for (let p = 0; p < kc; p++) store<f32>(panel + <usize>(p * MR + r) * 4, 0);
      }
    }
  }
}

/** Packs depths pc..pc+kc of B, columns jc..jc+nc, as 8-column panels: panel[p·8 + j] = B(p, j0+j). */
function packPanelsB(b: usize, bK: i32, bCol: i32, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const panel = dst + <usize>(jr * kc) * 4;
    if (cols == NR && bCol == 1) {
      // B stored k×n: 8 adjacent columns, two vector loads per depth.
      let src = b + (<usize>pc * bK + jc + jr) * 4;
      const step = <usize>bK * 4;
      for (let p = 0; p < kc; p++) {
        const out = panel + <usize>p * 32;
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
        src += step;
      }
      continue;
    }
    if (cols == NR && bK == 1) {
      // Bᵀ stored: each column of B is a contiguous run of depths; two 4×4 transposes per four depths.
      const col0 = b + (<usize>pc + <usize>(jc + jr) * bCol) * 4;
      const step = <usize>bCol * 4;
      const vecEnd = kc & ~3;
      for (let p = 0; p < vecEnd; p += 4) {
        const at = <usize>p * 4;
        const out = panel + <usize>p * 32;
        transpose4Store(v128.load(col0 + at), v128.load(col0 + step + at), v128.load(col0 + 2 * step + at),
          v128.load(col0 + 3 * step + at), out, 32);
        transpose4Store(v128.load(col0 + 4 * step + at), v128.load(col0 + 5 * step + at),
          v128.load(col0 + 6 * step + at), v128.load(col0 + 7 * step + at), out + 16, 32);
      }
      for (let p = vecEnd; p < kc; p++) {
        for (let j = 0; j < NR; j++) store<f32>(panel + <usize>(p * NR + j) * 4, load<f32>(col0 + <usize>j * step + <usize>p * 4));
      }
      continue;
    }
    for (let j = 0; j < NR; j++) {
      if (j < cols) {
        // Bᵀ stored: one column of B is a contiguous run of depths.
        let src = b + (<usize>pc * bK + <usize>(jc + jr + j) * bCol) * 4;
        const step = <usize>bK * 4;
        for (let p = 0; p < kc; p++) {
          store<f32>(panel + <usize>(p * NR + j) * 4, load<f32>(src));
          src += step;
        }
      } else {
        for (let p = 0; p < kc; p++) store<f32>(panel + <usize>(p * NR + j) * 4, 0);
      }
    }
  }
}

/**
 * Stores the transpose of the 4×4 block whose rows are r0..r3: column q goes to dst + q·stride
 * (so four runs that were rows of A, or columns of Bᵀ, become four depths of a packed panel).
 */
// @ts-ignore: decorator
@inline
export function transpose4Store(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
  const t1 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7); // r0[2] r1[2] r0[3] r1[3]
  const t2 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<i64>(t0, t2, 0, 2));
  v128.store(dst + stride, v128.shuffle<i64>(t0, t2, 1, 3));
  v128.store(dst + 2 * stride, v128.shuffle<i64>(t1, t3, 0, 2));
  v128.store(dst + 3 * stride, v128.shuffle<i64>(t1, t3, 1, 3));
}

/**
 * a·b + c, lane by lane: one fused multiply-add where the build has relaxed SIMD (x64 and arm64
 * engines emit vfmadd/fmla; a 4×8 tile then reaches the two FMA ports' 16 flops a cycle),
 * otherwise a multiply and an add, which share those ports and run ~25% slower.
 */
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** C[0..4][0..8] (row stride `ldc` bytes) = (or +=) packed A panel · packed B panel over `kc`. */
// @ts-ignore: decorator
@inline
function kernel4x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ldc)); c11 = f32x4.add(c11, v128.load(c + ldc, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ldc)); c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ldc)); c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}
