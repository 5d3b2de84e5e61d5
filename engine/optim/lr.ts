// Learning-rate schedules (torch.optim.lr_scheduler): each owns an optimizer and rewrites every
// group's `lr` when `step()` is called, once per epoch (or per batch, for warm-up). Rates come
// from closed forms of the epoch count (PyTorch's `_get_closed_form_lr`), so a schedule restarts
// exactly from its state dict.

import type { BaseOptions, Optimizer } from "./optimizer.js";

/** A rule giving a group's lr at an epoch from the lr it started with. */
export type LRRule = (baseLr: number, epoch: number) => number;

/**
 * The base of every schedule: `step()` advances one epoch and sets each group's lr by `rule`.
 * Example: `new optim.lr.LRScheduler(opt, (base, epoch) => base / (1 + epoch))`
 */
export class LRScheduler {
  /** The lr each group had when the schedule was made. */
  readonly baseLrs: number[];
  /** Epochs stepped so far (0 right after construction). */
  lastEpoch = 0;

  constructor(
    readonly optimizer: Optimizer<BaseOptions>,
    /** The lr of a group at an epoch, from the lr the group started with. */
    readonly rule: LRRule,
  ) {
    // Like PyTorch's `initial_lr`: the first schedule records each group's starting lr, so a
    // second schedule on the same optimizer starts from it, not from the first one's output.
    this.baseLrs = optimizer.paramGroups.map((g) => ((g as { initialLr?: number }).initialLr ??= g.lr));
    this.apply();
  }

  /** Advances one epoch and updates the optimizer's lr. Example: `for (…epochs) { train(); scheduler.step() }` */
  step(): void {
    this.lastEpoch += 1;
    this.apply();
  }

  /** The lr of each group right now. Example: `scheduler.getLastLr() // [0.1]` */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The epoch count and initial rates, for saving. Example: `save(scheduler.stateDict(), "sched.json")` */
  stateDict(): { lastEpoch: number; baseLrs: number[] } {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs] };
  }

  /** Restores the epoch count and rates. Example: `scheduler.loadStateDict(load("sched.json"))` */
  loadStateDict(state: { lastEpoch: number; baseLrs: number[] }): void {
    this.lastEpoch = state.lastEpoch;
    this.baseLrs.splice(0, this.baseLrs.length, ...state.baseLrs);
    this.apply();
  }

  private apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = this.rule(this.baseLrs[i]!, this.lastEpoch);
    });
  }
}

/** lr = base · gamma^⌊epoch / stepSize⌋. Example: `new optim.lr.StepLR(opt, { stepSize: 30, gamma: 0.1 })` */
export class StepLR extends LRScheduler {
  constructor(optimizer: Optimizer<BaseOptions>, { stepSize, gamma = 0.1 }: { stepSize: number; gamma?: number }) {
    checkPositiveInteger("StepLR", "stepSize", stepSize);
    super(optimizer, (base, epoch) => base * gamma ** Math.floor(epoch / stepSize));
  }
}

/** lr = base · gamma^epoch. Example: `new optim.lr.ExponentialLR(opt, { gamma: 0.95 })` */
export class ExponentialLR extends LRScheduler {
  constructor(optimizer: Optimizer<BaseOptions>, { gamma }: { gamma: number }) {
    super(optimizer, (base, epoch) => base * gamma ** epoch);
  }
}

/**
 * Half a cosine from base down to etaMin over tMax epochs:
 * lr = etaMin + (base − etaMin)(1 + cos(π · epoch / tMax)) / 2.
 * Example: `new optim.lr.CosineAnnealingLR(opt, { tMax: 100 })`
 */
export class CosineAnnealingLR extends LRScheduler {
  constructor(optimizer: Optimizer<BaseOptions>, { tMax, etaMin = 0 }: { tMax: number; etaMin?: number }) {
    checkPositiveInteger("CosineAnnealingLR", "tMax", tMax);
    super(optimizer, (base, epoch) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * epoch) / tMax))) / 2);
  }
}

/**
 * Linear warm-up: the factor on base goes from startFactor to endFactor over totalIters steps,
 * then stays. Example: `new optim.lr.LinearLR(opt, { startFactor: 0.1, totalIters: 100 })`
 */
export class LinearLR extends LRScheduler {
  constructor(
    optimizer: Optimizer<BaseOptions>,
    {
      startFactor = 1 / 3,
      endFactor = 1,
      totalIters = 5,
    }: { startFactor?: number; endFactor?: number; totalIters?: number } = {},
  ) {
    if (!(startFactor > 0 && startFactor <= 1))
      throw new RangeError(`LinearLR: startFactor must be in (0, 1], got ${startFactor}`);
    if (!(endFactor >= 0 && endFactor <= 1))
      throw new RangeError(`LinearLR: endFactor must be in [0, 1], got ${endFactor}`);
    checkPositiveInteger("LinearLR", "totalIters", totalIters);
    super(
      optimizer,
      (base, epoch) => base * (startFactor + ((endFactor - startFactor) * Math.min(epoch, totalIters)) / totalIters),
    );
  }
}

/** lr = base · factor(epoch), any rule you write. Example: `new optim.lr.LambdaLR(opt, (e) => Math.min(1, (e + 1) / 10))` */
export class LambdaLR extends LRScheduler {
  constructor(optimizer: Optimizer<BaseOptions>, factor: (epoch: number) => number) {
    super(optimizer, (base, epoch) => base * factor(epoch));
  }
}

/**
 * Runs schedules one after another, switching at each milestone epoch (each restarts its count
 * there): warm-up, then cosine decay. Example:
 * `new optim.lr.SequentialLR(opt, { schedulers: [new optim.lr.LinearLR(opt, { startFactor: 0.1, totalIters: 10 }), new optim.lr.CosineAnnealingLR(opt, { tMax: 90 })], milestones: [10] })`
 */
export class SequentialLR extends LRScheduler {
  constructor(
    optimizer: Optimizer<BaseOptions>,
    { schedulers, milestones }: { schedulers: LRScheduler[]; milestones: number[] },
  ) {
    if (schedulers.length !== milestones.length + 1) {
      throw new RangeError(
        `SequentialLR: ${schedulers.length} schedulers need ${schedulers.length - 1} milestones, got ${milestones.length}`,
      );
    }
    if (schedulers.some((s) => s.optimizer !== optimizer))
      throw new Error("SequentialLR: every schedule must belong to the same optimizer");
    super(optimizer, (base, epoch) => {
      let k = 0;
      while (k < milestones.length && epoch >= milestones[k]!) k++;
      return schedulers[k]!.rule(base, k === 0 ? epoch : epoch - milestones[k - 1]!);
    });
  }
}

function checkPositiveInteger(scheduler: string, name: string, value: number): void {
  if (!(Number.isInteger(value) && value > 0))
    throw new RangeError(`${scheduler}: ${name} must be a positive integer, got ${value}`);
}
