// DataLoader: walks a dataset in mini-batches. Each `for…of` over the loader is one epoch:
// a fresh permutation (from the engine's seeded generator, so runs repeat) when shuffling,
// every sample exactly once, the last batch smaller unless dropLast.

import { type RandomGenerator, randomGenerator } from "../random.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Dataset, TensorDataset } from "./dataset.js";

/** Options of `DataLoader`. */
export interface DataLoaderOptions {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Visit samples in a new random order every epoch (default false). */
  shuffle?: boolean;
  /** Skip the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** A generator of your own for the shuffling (default: the engine's, seeded by manualSeed). */
  generator?: RandomGenerator;
}

/**
 * Mini-batches of a dataset, one epoch per `for…of`.
 * Example: `for (const [features, labels] of new data.DataLoader(ds, { batchSize: 32, shuffle: true })) { … }`
 */
export class DataLoader<Sample extends Tensor[] = Tensor[]> implements Iterable<Sample> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: RandomGenerator | undefined;

  constructor(
    readonly dataset: Dataset<Sample>,
    { batchSize = 1, shuffle = false, dropLast = false, generator }: DataLoaderOptions = {},
  ) {
    if (!(Number.isInteger(batchSize) && batchSize > 0))
      throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = generator;
  }

  /** Batches per epoch. Example: `new data.DataLoader(ds256, { batchSize: 32 }).length // 8` */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample indices of each batch of one epoch (draws a permutation when shuffling). */
  batchIndices(): number[][] {
    const n = this.dataset.length;
    const order = this.shuffle
      ? (this.generator ?? randomGenerator()).permutation(n)
      : Array.from({ length: n }, (_, i) => i);
    const batches: number[][] = [];
    for (let start = 0; start < n; start += this.batchSize) {
      const batch = order.slice(start, start + this.batchSize);
      if (this.dropLast && batch.length < this.batchSize) break;
      batches.push(batch);
    }
    return batches;
  }

  /** A one-line description. Example: `String(loader) // "DataLoader(256 samples in 8 batches of 32, shuffled)"` */
  toString(): string {
    const flags = [this.shuffle ? "shuffled" : "in order", ...(this.dropLast ? ["dropLast"] : [])].join(", ");
    return `DataLoader(${this.dataset.length} samples in ${this.length} batches of ${this.batchSize}, ${flags})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  *[Symbol.iterator](): Iterator<Sample> {
    for (const indices of this.batchIndices()) yield this.collate(indices);
  }

  private collate(indices: number[]): Sample {
    if (this.dataset instanceof TensorDataset) return this.dataset.getRows(indices) as Sample;
    const samples = indices.map((i) => this.dataset.get(i));
    return samples[0]!.map((_, field) =>
      stackRows(
        samples.map((s) => s[field]!),
        field,
      ),
    ) as Sample;
  }
}

/** Stacks same-shaped sample tensors into a batch [n, …shape] (copies; batches need no graph). */
function stackRows(items: Tensor[], field: number): Tensor {
  const first = items[0]!;
  const out = Tensor.zeros([items.length, ...first.shape], first.dtype);
  items.forEach((t, r) => {
    if (formatShape(t.shape) !== formatShape(first.shape)) {
      throw new Error(
        `DataLoader: item ${field} of the samples has shapes ${formatShape(first.shape)} and ${formatShape(t.shape)}; samples in a batch must match`,
      );
    }
    out.raw.set(t.raw, r * first.numel());
  });
  return out;
}
