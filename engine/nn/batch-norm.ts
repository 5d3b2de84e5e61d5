// nn.BatchNorm1d and nn.BatchNorm2d (Ioffe & Szegedy 2015), as torch.nn's: per channel, learned
// weight (init 1) and bias (init 0) when affine, and running mean and variance kept as buffers
// (in stateDict, with numBatchesTracked) when trackRunningStats. In training mode a batch is
// normalised by its own statistics and the running ones move towards them by `momentum` (null:
// a cumulative average); in evaluation mode the running statistics are used. The arithmetic is
// one primitive with a hand-written backward (engine/ops/batch-norm.ts).

import { batchNorm } from "../ops/batch-norm.js";
import { formatShape } from "../shape.js";
import { type DType, Tensor } from "../tensor.js";
import { checkSize } from "./linear.js";
import { Module, parameter } from "./module.js";

/** Options of `BatchNorm1d` and `BatchNorm2d` (PyTorch's defaults). */
export interface BatchNormLayerOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running statistics (default 0.1); null for a plain average over batches. */
  momentum?: number | null;
  /** Learn a weight and a bias per channel (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true); without them evaluation uses the batch's. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

abstract class BatchNormNd extends Module {
  weight: Tensor | null = null;
  bias: Tensor | null = null;
  /** [numFeatures]: the running mean (a buffer: saved, not trained). */
  runningMean: Tensor | null = null;
  /** [numFeatures]: the running (unbiased) variance. */
  runningVar: Tensor | null = null;
  /** How many training batches updated the running statistics (int32 scalar). */
  numBatchesTracked: Tensor | null = null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(
    name: string,
    readonly numFeatures: number,
    { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, dtype = "float32" }: BatchNormLayerOptions,
  ) {
    super();
    checkSize(name, "numFeatures", numFeatures);
    if (!(eps >= 0)) throw new RangeError(`${name}: eps must be a number ≥ 0, got ${eps}`);
    if (momentum !== null && !(momentum >= 0 && momentum <= 1))
      throw new RangeError(`${name}: momentum must be in [0, 1] or null, got ${momentum}`);
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    if (affine) {
      this.weight = parameter(Tensor.full([numFeatures], 1, dtype));
      this.bias = parameter(Tensor.zeros([numFeatures], dtype));
    }
    if (trackRunningStats) {
      this.registerBuffer("runningMean", Tensor.zeros([numFeatures], dtype));
      this.registerBuffer("runningVar", Tensor.full([numFeatures], 1, dtype));
      this.registerBuffer("numBatchesTracked", Tensor.zeros([], "int32"));
    }
  }

  /** Sets the running statistics back to mean 0, variance 1, no batches. Example: `bn.resetRunningStats()` */
  resetRunningStats(): void {
    this.runningMean?.data.fill(0);
    this.runningVar?.data.fill(1);
    this.numBatchesTracked?.data.fill(0);
  }

  protected normalize(x: Tensor, dims: readonly number[], layout: string): Tensor {
    if (!(x instanceof Tensor) || !dims.includes(x.ndim) || x.shape[1] !== this.numFeatures) {
      throw new Error(
        `${this.constructor.name}(${this.numFeatures}) got input of shape ${x instanceof Tensor ? formatShape(x.shape) : typeof x}: expected ${layout} with C = ${this.numFeatures}`,
      );
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked) {
      this.numBatchesTracked.data[0] = this.numBatchesTracked.data[0]! + 1;
      if (this.momentum === null) factor = 1 / this.numBatchesTracked.data[0]!; // cumulative moving average
    }
    // Batch statistics in training, and always when no running ones are kept.
    const useBatch = this.training || this.runningMean === null;
    return batchNorm(x, this.runningMean, this.runningVar, {
      weight: this.weight,
      bias: this.bias,
      training: useBatch,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/**
 * Batch normalisation of features x [N, C] or sequences x [N, C, L], per channel C.
 * Example: `new nn.BatchNorm1d(64).forward(randn([32, 64])).shape // [32, 64]`
 */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super("BatchNorm1d", numFeatures, options);
  }

  /** Normalises each channel (batch statistics in training, running ones in eval). Example: `bn.forward(x)` */
  override forward(x: Tensor): Tensor {
    return this.normalize(x, [2, 3], "[N, C] or [N, C, L]");
  }
}

/**
 * Batch normalisation of images x [N, C, H, W], per channel C.
 * Example: `new nn.BatchNorm2d(16).forward(randn([8, 16, 14, 14])).shape // [8, 16, 14, 14]`
 */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super("BatchNorm2d", numFeatures, options);
  }

  /** Normalises each channel (batch statistics in training, running ones in eval). Example: `bn.forward(images)` */
  override forward(x: Tensor): Tensor {
    return this.normalize(x, [4], "[N, C, H, W]");
  }
}
