// Loss modules: the functions of loss-functions.ts wrapped as nn.Module classes, PyTorch style:
// `const criterion = new nn.CrossEntropyLoss(); const loss = criterion(logits, labels)`.

import type { Tensor } from "../tensor.js";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type ClassLossOptions,
  type CrossEntropyOptions,
  crossEntropy,
  type LossOptions,
  l1Loss,
  mseLoss,
  nllLoss,
} from "./loss-functions.js";
import { Module } from "./module.js";

abstract class Loss<Options extends LossOptions> extends Module {
  constructor(readonly options: Options) {
    super();
  }

  override extraRepr(): string {
    return this.options.reduction === undefined ? "" : `reduction="${this.options.reduction}"`;
  }
}

/** Mean squared error. Example: `new nn.MSELoss().forward(yHat, y)` */
export class MSELoss extends Loss<LossOptions> {
  constructor(options: LossOptions = {}) {
    super(options);
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.options);
  }
}

/** Mean absolute error. Example: `new nn.L1Loss().forward(yHat, y)` */
export class L1Loss extends Loss<LossOptions> {
  constructor(options: LossOptions = {}) {
    super(options);
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.options);
  }
}

/** Cross-entropy of logits and int32 labels (or class probabilities). Example: `new nn.CrossEntropyLoss().forward(logits, labels)` */
export class CrossEntropyLoss extends Loss<CrossEntropyOptions> {
  constructor(options: CrossEntropyOptions = {}) {
    super(options);
  }

  override forward(logits: Tensor, target: Tensor): Tensor {
    return crossEntropy(logits, target, this.options);
  }
}

/** Negative log-likelihood of log-probabilities and int32 labels. Example: `new nn.NLLLoss().forward(logProbs, labels)` */
export class NLLLoss extends Loss<ClassLossOptions> {
  constructor(options: ClassLossOptions = {}) {
    super(options);
  }

  override forward(logProbs: Tensor, target: Tensor): Tensor {
    return nllLoss(logProbs, target, this.options);
  }
}

/** Binary cross-entropy from logits (sigmoid inside, stable). Example: `new nn.BCEWithLogitsLoss().forward(logits, y)` */
export class BCEWithLogitsLoss extends Loss<LossOptions & { posWeight?: number | Tensor }> {
  constructor(options: LossOptions & { posWeight?: number | Tensor } = {}) {
    super(options);
  }

  override forward(logits: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(logits, target, this.options);
  }
}

/** Binary cross-entropy of probabilities. Example: `new nn.BCELoss().forward(model.forward(x).sigmoid(), y)` */
export class BCELoss extends Loss<LossOptions> {
  constructor(options: LossOptions = {}) {
    super(options);
  }

  override forward(probs: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(probs, target, this.options);
  }
}
