// Weight initialisation, as torch.nn.init: each helper fills a tensor in place (the trailing _
// says so) from the engine's seeded generator, or the `{ generator }` given (as PyTorch's
// `generator=`), and returns it. Fan-in and fan-out follow
// PyTorch: for a weight of shape [out, in, …k], fanIn = in·∏k and fanOut = out·∏k.

import { type RandomGenerator, randomGenerator } from "../random.js";
import { formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";

/** The nonlinearities `calculateGain` knows. */
export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "selu";

/** Fan modes: keep the forward pass's variance (`fanIn`) or the backward pass's (`fanOut`). */
export type FanMode = "fanIn" | "fanOut";

/**
 * The recommended gain for a nonlinearity (PyTorch's table): tanh 5/3, relu √2,
 * leaky_relu √(2/(1+slope²)), selu 3/4, else 1. Example: `nn.init.calculateGain("relu") // 1.414…`
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      return 1;
  }
}

/** [fanIn, fanOut] of a weight shape. Example: `nn.init.fans([10, 4]) // [4, 10]` */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length < 2)
    throw new Error(`nn.init: fan in and fan out need at least 2 dimensions, got shape ${formatShape(shape)}`);
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i]!;
  return [shape[1]! * receptive, shape[0]! * receptive];
}

/** Which generator an initialiser draws from (default: the global one `manualSeed` seeds). */
export interface InitOptions {
  /** Example: `{ generator: new Generator().manualSeed(0) }` */
  generator?: RandomGenerator;
}

/** Fills with U(low, high). Example: `nn.init.uniform_(w, -0.1, 0.1)`, `nn.init.uniform_(w, 0, 1, { generator: g })` */
export function uniform_(t: Tensor, low = 0, high = 1, { generator }: InitOptions = {}): Tensor {
  const gen = generator ?? randomGenerator();
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = gen.uniform(low, high);
  return t;
}

/** Fills with N(mean, std²). Example: `nn.init.normal_(w, 0, 0.02)` */
export function normal_(t: Tensor, mean = 0, std = 1, { generator }: InitOptions = {}): Tensor {
  const gen = generator ?? randomGenerator();
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = gen.normal(mean, std);
  return t;
}

/** Fills with one value. Example: `nn.init.constant_(b, 0.1)` */
export function constant_(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

/** Fills with zeros. Example: `nn.init.zeros_(layer.bias)` */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills with ones. Example: `nn.init.ones_(norm.weight)` */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Glorot/Xavier uniform: U(−b, b), b = gain·√(6/(fanIn+fanOut)). Example: `nn.init.xavierUniform_(w)` */
export function xavierUniform_(t: Tensor, gain = 1, options: InitOptions = {}): Tensor {
  const [fanIn, fanOut] = fans(t.shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, options);
}

/** Glorot/Xavier normal: N(0, std²), std = gain·√(2/(fanIn+fanOut)). Example: `nn.init.xavierNormal_(w)` */
export function xavierNormal_(t: Tensor, gain = 1, options: InitOptions = {}): Tensor {
  const [fanIn, fanOut] = fans(t.shape);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), options);
}

/** Options of the Kaiming (He) initialisers; defaults as PyTorch (a=0, fanIn, leaky_relu). */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky ReLU that follows (0 for ReLU). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, { a = 0, mode = "fanIn", nonlinearity = "leaky_relu" }: KaimingOptions): number {
  const [fanIn, fanOut] = fans(t.shape);
  const fan = mode === "fanIn" ? fanIn : fanOut;
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/**
 * Kaiming/He uniform: U(−b, b), b = gain·√(3/fan). nn.Linear uses it with a = √5, which gives
 * b = 1/√fanIn. Example: `nn.init.kaimingUniform_(w, { nonlinearity: "relu" })`
 */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform_(t, -bound, bound, options);
}

/** Kaiming/He normal: N(0, std²), std = gain/√fan. Example: `nn.init.kaimingNormal_(w, { nonlinearity: "relu" })` */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, options), options);
}
