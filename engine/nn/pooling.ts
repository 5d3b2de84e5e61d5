// nn.MaxPool2d, nn.AvgPool2d and nn.AdaptiveAvgPool2d: the pooling layers of torch.nn with
// PyTorch's arguments and defaults (stride = kernelSize); no parameters. The arithmetic is in
// engine/ops/pooling.ts.

import {
  type AvgPoolOptions,
  adaptiveAvgPool2d,
  avgPool2d,
  type MaxPoolOptions,
  maxPool2d,
  windowOptions,
} from "../ops/pooling.js";
import { formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { Module } from "./module.js";

const show = (v: number | (number | null)[] | null | undefined): string =>
  Array.isArray(v) ? formatShape(v.map((x) => x ?? -1)).replace(/-1/g, "null") : String(v);

/**
 * The maximum of each window. Example: `new nn.MaxPool2d(2).forward(randn([8, 6, 28, 28])).shape // [8, 6, 14, 14]`
 */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: number | number[],
    readonly options: MaxPoolOptions = {},
  ) {
    super();
    windowOptions("MaxPool2d", kernelSize, options.stride, options.padding ?? 0, options.dilation ?? 1); // checked now, not at the first forward
  }

  override forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }

  override extraRepr(): string {
    const { stride, padding = 0, dilation = 1, ceilMode = false } = this.options;
    return `kernelSize=${show(this.kernelSize)}, stride=${show(stride ?? this.kernelSize)}, padding=${show(padding)}, dilation=${show(dilation)}, ceilMode=${ceilMode}`;
  }
}

/**
 * The mean of each window. Example: `new nn.AvgPool2d(2).forward(randn([8, 6, 28, 28])).shape // [8, 6, 14, 14]`
 */
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: number | number[],
    readonly options: AvgPoolOptions = {},
  ) {
    super();
    windowOptions("AvgPool2d", kernelSize, options.stride, options.padding ?? 0, 1);
  }

  override forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }

  override extraRepr(): string {
    const { stride, padding = 0 } = this.options;
    return `kernelSize=${show(this.kernelSize)}, stride=${show(stride ?? this.kernelSize)}, padding=${show(padding)}`;
  }
}

/**
 * Average pooling to a fixed output size (null keeps that dimension). Example:
 * `new nn.AdaptiveAvgPool2d(1).forward(randn([8, 64, 7, 7])).shape // [8, 64, 1, 1]`
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | (number | null)[]) {
    super();
    const sizes = typeof outputSize === "number" ? [outputSize, outputSize] : outputSize;
    if (sizes.length !== 2 || !sizes.every((v) => v === null || (Number.isInteger(v) && v > 0))) {
      throw new RangeError(
        `AdaptiveAvgPool2d: outputSize must be a positive integer or 2 of them, got ${JSON.stringify(outputSize)}`,
      );
    }
  }

  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${show(this.outputSize)}`;
  }
}
