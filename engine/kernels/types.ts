// The hot-loop interface. Ops do shape checking, dtype choice and autograd; a Kernels object
// only runs loops over flat typed arrays. The plain TypeScript one (js.ts) is the reference; a
// faster one (WebAssembly SIMD) implements the same interface and is tested against it.

export type DType = "float32" | "float64" | "int32";
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** Elementwise functions of one input; `p0`/`p1` carry parameters (slope, bounds, exponent). */
export type UnaryOp =
  | "neg"
  | "abs"
  | "sign"
  | "exp"
  | "log"
  | "sqrt"
  | "square"
  | "reciprocal"
  | "relu"
  | "sigmoid"
  | "tanh"
  | "erf"
  | "gelu"
  | "geluTanh"
  | "geluGrad"
  | "geluTanhGrad"
  | "leakyRelu"
  | "leakyReluGrad"
  | "clamp"
  | "clampMask"
  | "powScalar"
  | "affine";

/** Elementwise functions of two broadcast inputs. Comparisons write 1 or 0. */
export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "maximum"
  | "minimum"
  | "eq"
  | "ne"
  | "lt"
  | "le"
  | "gt"
  | "ge"
  | "reluGrad"; // a * (b > 0): the ReLU backward in one pass

export type ReduceOp = "sum" | "max" | "min";

/**
 * One operand of `Kernels.matmulBatch`: product (o, h)'s element (i, j) sits at
 * data[offset + o·outer + h·inner + i·row + j·col].
 */
export interface BatchMatrix {
  data: TypedArray;
  offset: number;
  outer: number;
  inner: number;
  row: number;
  col: number;
}

/** One Adam step's constants (see engine/optim/adam.ts). */
export interface AdamCoefficients {
  beta1: number;
  beta2: number;
  eps: number;
  /** η / (1 − β₁ᵗ) */
  stepSize: number;
  /** 1 / √(1 − β₂ᵗ) */
  invSqrtBiasCorrection2: number;
  /** AdamW's 1 − ηλ (θ shrinks first); 1 for Adam */
  shrink: number;
  /** Adam's λ (g ← g + λθ); 0 for AdamW */
  l2: number;
}

/** Multi-head attention's sizes: q is [batch, tq, width], k and v [batch, tk, width], width = heads·d. */
export interface AttentionShape {
  batch: number;
  heads: number;
  tq: number;
  tk: number;
  width: number;
  /** 1/√d */
  scale: number;
  /** Query i sees keys up to i + tk − tq only. */
  causal: boolean;
}

export interface Kernels {
  readonly name: string;
  /**
   * Multiply-adds one `matmul` call should get when a caller splits a big product to check for
   * interrupts between calls (~10 ms of work): every split re-reads the whole of B.
   */
  readonly matmulBlockWork: number;
  /**
   * Exact GELU: out[i] = x[i]·Φ(x[i]) and, when given, derivative[i] = Φ(x[i]) + x[i]·φ(x[i]),
   * in one pass (both need one exp). `out` may be `x`.
   */
  gelu(x: TypedArray, out: Float32Array | Float64Array, derivative: Float32Array | Float64Array | null): void;
  /** out[i] = f(x[i]); `out` may be `x`. */
  unary(op: UnaryOp, x: TypedArray, out: TypedArray, p0: number, p1: number): void;
  /**
   * out = f(a, b) over `shape` (out is contiguous with that shape); a and b are read with the
   * given strides, 0 on broadcast dimensions.
   */
  binary(
    op: BinaryOp,
    a: TypedArray,
    aStrides: readonly number[],
    b: TypedArray,
    bStrides: readonly number[],
    out: TypedArray,
    shape: readonly number[],
  ): void;
  /** out = cond != 0 ? a : b, all three read with broadcast strides over `shape`. */
  select(
    cond: TypedArray,
    cStrides: readonly number[],
    a: TypedArray,
    aStrides: readonly number[],
    b: TypedArray,
    bStrides: readonly number[],
    out: TypedArray,
    shape: readonly number[],
  ): void;
  /**
   * out[outOffset..] = A @ B with A m×k and B k×n. `transA`: A is stored k×m (use its transpose);
   * `transB`: B is stored n×k. Overwrites the m×n block.
   */
  matmul(
    a: TypedArray,
    aOffset: number,
    b: TypedArray,
    bOffset: number,
    out: TypedArray,
    outOffset: number,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
  ): void;
  /**
   * outer × inner products of one shape, C(o,h) = A(o,h)·B(o,h) with A m×k, B k×n, each read through
   * its strides (transposes and slices of heads included); C's `col` must be 1. Writes only the
   * m×n blocks of C. Example: attention's scores, one product per (batch, head).
   */
  matmulBatch(
    a: BatchMatrix,
    b: BatchMatrix,
    c: BatchMatrix,
    outer: number,
    inner: number,
    m: number,
    k: number,
    n: number,
  ): void;
  /**
   * One Adam step in place: θ ← θ·shrink, g ← grad + l2·θ, m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
   * θ ← θ − stepSize·m / (√v·invSqrtBiasCorrection2 + ε), m and v read back as stored.
   */
  adam(
    p: Float32Array | Float64Array,
    grad: TypedArray,
    m: Float32Array | Float64Array,
    v: Float32Array | Float64Array,
    c: AdamCoefficients,
  ): void;
  /**
   * Layer normalisation of `rows` rows of `width`: mean[r], rstd[r] = 1/√(variance + eps) (float64)
   * and out = (x − mean)·rstd·weight + bias (a null weight acts as ones, a null bias as zeros).
   */
  layerNorm(
    x: TypedArray,
    weight: TypedArray | null,
    bias: TypedArray | null,
    out: TypedArray,
    mean: Float64Array,
    rstd: Float64Array,
    rows: number,
    width: number,
    eps: number,
  ): void;
  /**
   * Its backward: dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·weight, x̂ = (x − mean)·rstd;
   * dw += Σ_rows g·x̂ and db += Σ_rows g, in float64.
   */
  layerNormBackward(
    x: TypedArray,
    g: TypedArray,
    weight: TypedArray | null,
    mean: Float64Array,
    rstd: Float64Array,
    dx: TypedArray,
    dw: Float64Array,
    db: Float64Array,
    rows: number,
    width: number,
  ): void;
  /**
   * out = softmax(Q_h K_hᵀ·scale + mask) V_h per (batch, head), heads side by side in the last
   * dimension; weights ([batch, heads, tq, tk]) = the softmax, kept for backward.
   */
  attention(
    q: TypedArray,
    k: TypedArray,
    v: TypedArray,
    out: TypedArray,
    weights: TypedArray,
    shape: AttentionShape,
  ): void;
  /** Its gradients given dOut = g; null outputs are skipped. */
  attentionBackward(
    q: TypedArray,
    k: TypedArray,
    v: TypedArray,
    g: TypedArray,
    weights: TypedArray,
    dq: TypedArray | null,
    dk: TypedArray | null,
    dv: TypedArray | null,
    shape: AttentionShape,
  ): void;
  /** Reduces x viewed as [outer, len, inner] over the middle axis into out [outer, inner]. */
  reduce(op: ReduceOp, x: TypedArray, outer: number, len: number, inner: number, out: TypedArray): void;
  /** Index (0..len-1) of the first max/min along the middle axis of [outer, len, inner]. */
  argReduce(op: "max" | "min", x: TypedArray, outer: number, len: number, inner: number, out: Int32Array): void;
  /** out (contiguous, `shape`) = x read from `xOffset` with `xStrides` (views: permute, slice, expand). */
  copyStrided(
    x: TypedArray,
    xOffset: number,
    xStrides: readonly number[],
    shape: readonly number[],
    out: TypedArray,
  ): void;
  /**
   * out[outOffset + Σ idx·outStrides] += x[idx] for x contiguous of `shape`. Strides of 0 sum
   * over that dimension (broadcast gradients); others scatter into a region (slice backward).
   */
  addStrided(
    x: TypedArray,
    shape: readonly number[],
    out: TypedArray,
    outOffset: number,
    outStrides: readonly number[],
  ): void;
}
