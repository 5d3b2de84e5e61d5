// Activation layers: modules wrapping one elementwise op, so they can sit in a Sequential.

import type { Tensor } from "../tensor.js";
import { Module } from "./module.js";

/** max(0, x). Example: `new nn.ReLU().forward(tensor([-1, 2])) // [0, 2]` */
export class ReLU extends Module {
  override forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** x for x > 0, slope·x otherwise. Example: `new nn.LeakyReLU(0.1).forward(tensor([-1])) // [-0.1]` */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return x.leakyRelu(this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** Hyperbolic tangent. Example: `new nn.Tanh().forward(zeros([2])) // [0, 0]` */
export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** 1/(1 + e⁻ˣ). Example: `new nn.Sigmoid().forward(zeros([1])) // [0.5]` */
export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** x·Φ(x), exact or with the tanh approximation (GPT-2's). Example: `new nn.GELU().forward(x)` */
export class GELU extends Module {
  constructor(readonly approximate: "none" | "tanh" = "none") {
    super();
  }

  override forward(x: Tensor): Tensor {
    return x.gelu(this.approximate);
  }

  override extraRepr(): string {
    return this.approximate === "none" ? "" : `approximate="${this.approximate}"`;
  }
}

/** Softmax along an axis (probabilities summing to 1). Example: `new nn.Softmax(-1).forward(logits)` */
export class Softmax extends Module {
  constructor(readonly axis = -1) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return x.softmax(this.axis);
  }

  override extraRepr(): string {
    return `axis=${this.axis}`;
  }
}

/** log(softmax(x)) along an axis, computed stably. Example: `new nn.LogSoftmax(-1).forward(logits)` */
export class LogSoftmax extends Module {
  constructor(readonly axis = -1) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return x.logSoftmax(this.axis);
  }

  override extraRepr(): string {
    return `axis=${this.axis}`;
  }
}

/** Merges dimensions startDim..endDim (default: all but the batch). Example: `new nn.Flatten().forward(images)` */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/** Returns its input unchanged (a placeholder layer). Example: `new nn.Identity().forward(x) === x` */
export class Identity extends Module {
  override forward(x: Tensor): Tensor {
    return x;
  }
}
