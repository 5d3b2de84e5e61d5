// The elementwise fast paths (both operands laid out like the output, or one a single value) and
// the row sum's split accumulators, against per-element formulas, on odd sizes on both sides of
// the WebAssembly threshold. Float32 outputs must match the formula rounded once to float32.
import { describe, expect, test } from "vitest";
import { type BinaryOp, jsKernels, simdKernels } from "../../engine/kernels/index.js";
import { RandomGenerator } from "../../engine/random.js";

const gen = new RandomGenerator(7);
const randomF32 = (n: number): Float32Array => Float32Array.from({ length: n }, () => gen.uniform(-2, 2));

const FORMULAS: Partial<Record<BinaryOp, (x: number, y: number) => number>> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  reluGrad: (x, y) => (y > 0 ? x : 0),
  maximum: (x, y) => Math.max(x, y),
  lt: (x, y) => (x < y ? 1 : 0),
};

const SIZES = [1, 3, 7, 1001, 5003];

/** Strides reading `shape` broadcast to `target` (0 on repeated dims), as the ops compute them. */
function broadcastStridesOf(shape: number[], target: number[]): number[] {
  const strides = new Array<number>(target.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i + target.length - shape.length] = shape[i] === 1 ? 0 : s;
    s *= shape[i]!;
  }
  return strides;
}

describe.each(
  [jsKernels, simdKernels].map((k) => [k.name, k] as const),
)("kernels %s: elementwise layouts", (_name, K) => {
  // A bias row repeated over a batch takes a row loop; other broadcasts the general walker.
  test.each([
    [[3, 4]],
    [[1, 3, 4]],
    [[4]],
    [[1, 4]],
    [[3, 1]],
    [[5, 1, 4]],
    [[1]],
  ])("sub and maximum with one side %j broadcast to [5,3,4], either side", (small) => {
    const full = [5, 3, 4];
    const big = randomF32(60);
    const part = randomF32(small.reduce((x, y) => x * y, 1));
    const bigStrides = broadcastStridesOf(full, full);
    const partStrides = broadcastStridesOf(small, full);
    const partAt = (i: number): number => {
      let rest = i;
      let at = 0;
      for (let d = full.length - 1; d >= 0; d--) {
        at += (rest % full[d]!) * partStrides[d]!;
        rest = Math.floor(rest / full[d]!);
      }
      return at;
    };
    // sub has its own block loops; maximum takes the generic row loop per block.
    for (const op of ["sub", "maximum"] as const) {
      const f = FORMULAS[op]!;
      const right = new Float32Array(60).fill(NaN);
      const left = new Float32Array(60).fill(NaN);
      K.binary(op, big, bigStrides, part, partStrides, right, full);
      K.binary(op, part, partStrides, big, bigStrides, left, full);
      for (let i = 0; i < 60; i++) {
        expect(right[i], `${op} right [${i}]`).toBe(Math.fround(f(big[i]!, part[partAt(i)]!)));
        expect(left[i], `${op} left [${i}]`).toBe(Math.fround(f(part[partAt(i)]!, big[i]!)));
      }
    }
  });
  for (const [op, f] of Object.entries(FORMULAS) as [BinaryOp, (x: number, y: number) => number][]) {
    test.each(SIZES)(`${op}: same layout, scalar right, scalar left (n = %i)`, (n) => {
      const a = randomF32(n);
      const b = randomF32(n);
      const s = Float32Array.of(gen.uniform(0.5, 2));
      const cases: [Float32Array, Float32Array, (i: number) => number][] = [
        [a, b, (i) => f(a[i]!, b[i]!)],
        [a, s, (i) => f(a[i]!, s[0]!)],
        [s, b, (i) => f(s[0]!, b[i]!)],
      ];
      for (const [x, y, expected] of cases) {
        const out = new Float32Array(n).fill(NaN);
        K.binary(op, x, x.length === 1 ? [0] : [1], y, y.length === 1 ? [0] : [1], out, [n]);
        for (let i = 0; i < n; i++) expect(out[i], `${op} [${i}]`).toBe(Math.fround(expected(i)));
      }
    });
  }

  test("relu, its backward and comparisons give the branching forms' exact results on ±0, ±∞ and NaN", () => {
    const special = [-Infinity, -2, -0, 0, 3, Infinity, NaN];
    const same = (x: number, y: number): boolean => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
    for (const n of [special.length, special.length * 10]) {
      // below and above the bit-level loops' length
      const x = Float32Array.from({ length: n }, (_, i) => special[i % special.length]!);
      const out = new Float32Array(n);
      K.unary("relu", x, out, 0, 0);
      for (let i = 0; i < n; i++) expect(same(out[i]!, x[i]! < 0 ? 0 : x[i]!), `relu(${x[i]})`).toBe(true);
      for (const g of special) {
        const grads = new Float32Array(n).fill(g);
        K.binary("reluGrad", grads, [1], x, [1], out, [n]);
        for (let i = 0; i < n; i++) expect(same(out[i]!, x[i]! > 0 ? g : 0), `reluGrad(${g}, ${x[i]})`).toBe(true);
        K.binary("lt", grads, [1], x, [1], out, [n]);
        for (let i = 0; i < n; i++) expect(out[i], `${g} < ${x[i]}`).toBe(g < x[i]! ? 1 : 0);
      }
    }
  });

  test.each([0, 1, 3, 5, 1001, 5003])("row sums of [3, %i] equal a float64 sum rounded once", (len) => {
    const x = randomF32(3 * len);
    const out = new Float32Array(3);
    K.reduce("sum", x, 3, len, 1, out);
    for (let o = 0; o < 3; o++) {
      let exact = 0;
      for (let r = 0; r < len; r++) exact += x[o * len + r]!;
      expect(Math.abs(out[o]! - exact)).toBeLessThanOrEqual(Math.abs(Math.fround(exact) - exact) + 1e-12 * len);
    }
  });
});
