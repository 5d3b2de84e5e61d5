// nn.Conv1d and nn.Conv2d: learned filters slid over a signal or an image (NCHW), as
// torch.nn.Conv1d/Conv2d with PyTorch's arguments, defaults and initialisation: weight
// [outChannels, inChannels/groups, …kernel] and bias ~ U(−1/√fanIn, 1/√fanIn), fanIn =
// inChannels/groups · ∏kernel (kaiming_uniform with a = √5), weight first, then bias.
// The arithmetic is one primitive with a hand-written backward (engine/ops/conv.ts).

import { type ConvPadding, conv1d, conv2d, spatial } from "../ops/conv.js";
import { formatShape } from "../shape.js";
import { type DType, Tensor } from "../tensor.js";
import { kaimingUniform_, uniform_ } from "./init.js";
import { checkSize } from "./linear.js";
import { Module, parameter } from "./module.js";

/** Options of `Conv1d` and `Conv2d` (sizes: one number, or one per spatial dimension). */
export interface ConvLayerOptions {
  stride?: number | number[];
  /** Zeros added on each side, or "valid" (none) or "same" (output as large as the input; stride 1). */
  padding?: ConvPadding;
  dilation?: number | number[];
  /** Split channels into this many independent groups (inChannels for a depthwise convolution). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** Only "zeros" (PyTorch's default) is supported. */
  paddingMode?: "zeros";
  dtype?: DType;
}

/** What Conv1d and Conv2d share: parameters, initialisation, checks and repr. */
abstract class ConvNd extends Module {
  /** [outChannels, inChannels/groups, …kernelSize]. */
  weight: Tensor;
  /** [outChannels], or null with `{ bias: false }`. */
  bias: Tensor | null;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "valid" | "same";
  readonly dilation: number[];
  readonly groups: number;

  constructor(
    name: string,
    dims: number,
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | number[],
    {
      stride = 1,
      padding = 0,
      dilation = 1,
      groups = 1,
      bias = true,
      paddingMode = "zeros",
      dtype = "float32",
    }: ConvLayerOptions,
  ) {
    super();
    checkSize(name, "inChannels", inChannels);
    checkSize(name, "outChannels", outChannels);
    checkSize(name, "groups", groups);
    if (inChannels % groups !== 0)
      throw new RangeError(`${name}: inChannels (${inChannels}) must be divisible by groups (${groups})`);
    if (outChannels % groups !== 0)
      throw new RangeError(`${name}: outChannels (${outChannels}) must be divisible by groups (${groups})`);
    if (paddingMode !== "zeros")
      throw new Error(`${name}: paddingMode "${paddingMode}" is not supported (only "zeros")`);
    this.kernelSize = spatial(name, "kernelSize", kernelSize, dims, 1);
    this.stride = spatial(name, "stride", stride, dims, 1);
    this.dilation = spatial(name, "dilation", dilation, dims, 1);
    if (padding === "same" && this.stride.some((s) => s !== 1))
      throw new Error(`${name}: padding "same" needs stride 1`);
    this.padding = padding === "valid" || padding === "same" ? padding : spatial(name, "padding", padding, dims, 0);
    this.groups = groups;
    this.weight = Tensor.zeros([outChannels, inChannels / groups, ...this.kernelSize], dtype);
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    parameter(this.weight);
    this.bias = null;
    if (bias) {
      const fanIn = (inChannels / groups) * this.kernelSize.reduce((a, b) => a * b, 1);
      this.bias = uniform_(Tensor.zeros([outChannels], dtype), -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
      parameter(this.bias);
    }
  }

  /** Throws unless x has `dims + 2` (or `dims + 1`, unbatched) dimensions and inChannels channels. */
  protected checkInput(x: Tensor, dims: number): void {
    const channelAxis = x.ndim - dims - 1;
    if (
      !(x instanceof Tensor) ||
      (x.ndim !== dims + 2 && x.ndim !== dims + 1) ||
      x.shape[channelAxis] !== this.inChannels
    ) {
      const layout = dims === 1 ? "[N, C, L]" : "[N, C, H, W]";
      throw new Error(
        `${this.constructor.name}(${this.inChannels}, ${this.outChannels}) got input of shape ${x instanceof Tensor ? formatShape(x.shape) : typeof x}: expected ${layout} with C = ${this.inChannels}`,
      );
    }
  }

  // As PyTorch's: the sizes, then what differs from the defaults.
  override extraRepr(): string {
    const parts = [
      `${this.inChannels}, ${this.outChannels}, kernelSize=${formatShape(this.kernelSize)}, stride=${formatShape(this.stride)}`,
    ];
    if (typeof this.padding === "string") parts.push(`padding="${this.padding}"`);
    else if (this.padding.some((p) => p !== 0)) parts.push(`padding=${formatShape(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=${formatShape(this.dilation)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (this.bias === null) parts.push("bias=false");
    return parts.join(", ");
  }
}

/**
 * A 2-D convolution layer: x [N, inChannels, H, W] → [N, outChannels, Hout, Wout].
 * Example: `const conv = new nn.Conv2d(1, 6, 5, { padding: 2 }); conv.forward(randn([8, 1, 28, 28])).shape // [8, 6, 28, 28]`
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvLayerOptions = {}) {
    super("Conv2d", 2, inChannels, outChannels, kernelSize, options);
  }

  /** Convolves x [N, C, H, W] (or [C, H, W]) with the filters. Example: `conv.forward(images)` */
  override forward(x: Tensor): Tensor {
    this.checkInput(x, 2);
    return conv2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

/**
 * A 1-D convolution layer: x [N, inChannels, L] → [N, outChannels, Lout].
 * Example: `new nn.Conv1d(2, 8, 3).forward(randn([4, 2, 100])).shape // [4, 8, 98]`
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvLayerOptions = {}) {
    super("Conv1d", 1, inChannels, outChannels, kernelSize, options);
  }

  /** Convolves x [N, C, L] (or [C, L]) with the filters. Example: `conv.forward(signals)` */
  override forward(x: Tensor): Tensor {
    this.checkInput(x, 1);
    return conv1d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}
