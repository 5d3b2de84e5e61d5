// nn.Dropout (Srivastava et al. 2014): in training, zero each value with probability p and
// scale the rest by 1/(1−p), so the expected activation is unchanged and eval needs no rescale.

import { type RandomGenerator, randomGenerator } from "../random.js";
import { Tensor } from "../tensor.js";
import { Module } from "./module.js";

/**
 * Randomly zeroes values while training (`model.train()`); passes x through in `model.eval()`.
 * Masks come from the global seeded generator, or from `{ generator }`.
 * Example: `const drop = new nn.Dropout(0.5)`, `new nn.Dropout(0.1, { generator: new Generator().manualSeed(1) })`
 */
export class Dropout extends Module {
  readonly #generator: RandomGenerator | undefined;

  constructor(
    readonly p = 0.5,
    { generator }: { generator?: RandomGenerator } = {},
  ) {
    super();
    this.#generator = generator;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: probability must be between 0 and 1, got ${p}`);
  }

  override forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    return x.mul(dropoutMask(x, this.p, this.#generator));
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** A tensor shaped like x holding 0 (probability p) or 1/(1−p), from the seeded generator. */
export function dropoutMask(x: Tensor, p: number, generator?: RandomGenerator): Tensor {
  const mask = Tensor.zeros(x.shape, x.dtype === "float64" ? "float64" : "float32");
  if (p >= 1) return mask;
  const keep = 1 / (1 - p);
  const gen = generator ?? randomGenerator();
  const d = mask.data;
  for (let i = 0; i < d.length; i++) d[i] = gen.random() < p ? 0 : keep;
  return mask;
}
