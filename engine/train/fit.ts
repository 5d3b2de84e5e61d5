// Keras-style training in one call: epochs of batches, a live loss chart and one progress
// output, validation and metrics after every epoch; returns the history (one record per epoch)
// that `plot.loss()` and `table()` take as they are.
import { noGrad } from "../autograd.js";
import { Tensor } from "../tensor.js";
import { liveChart } from "./live.js";
import { progress } from "./progress.js";

/** The live chart's name for the loss of each batch; `loss` is the epoch's mean, as in the history. */
const BATCH_LOSS = "batch loss";

/** The model: anything with `forward(x)`; `train()`/`eval()` are called when present. */
export interface Trainable {
  forward(x: Tensor): Tensor;
  train?(mode?: boolean): unknown;
  eval?(): unknown;
}

/** A loss: a function `(prediction, target) => scalar` or a loss module such as `new nn.MSELoss()`. */
export type LossLike =
  | ((prediction: Tensor, target: Tensor) => Tensor)
  | { forward(prediction: Tensor, target: Tensor): Tensor };

/** A metric computed on a whole split: `(prediction, target) => number`, or "accuracy". */
export type Metric = ((prediction: Tensor, target: Tensor) => number) | "accuracy";

/** Batches of `[input, target]`, e.g. a `data.DataLoader`, or a whole split as one pair. */
export type Batches = Iterable<readonly Tensor[]> | readonly [Tensor, Tensor];

export interface FitOptions {
  epochs?: number;
  optimizer: { zeroGrad(): void; step(): void };
  loss: LossLike;
  /** Evaluated after every epoch: its loss becomes `valLoss`, its metrics `valAccuracy`, … */
  validation?: Batches;
  metrics?: Record<string, Metric> | "accuracy"[];
  /** Show the live chart and progress bar (default true). */
  live?: boolean;
  /** Called after every epoch with its record. */
  onEpochEnd?(record: EpochRecord): void;
}

/** One epoch of history: `{ epoch: 1, loss: 0.52, valLoss: 0.61, accuracy: 0.8 }`. */
export type EpochRecord = Record<string, number> & { epoch: number; loss: number };

/**
 * Trains `model` on `batches` and returns one record per epoch.
 * Example: `const history = fit(model, loader, { epochs: 20, optimizer: new optim.Adam(model.parameters()), loss: new nn.CrossEntropyLoss(), metrics: ["accuracy"] })`
 */
export function fit(model: Trainable, batches: Batches, options: FitOptions): EpochRecord[] {
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`fit: epochs must be a positive integer, got ${epochs}`);
  const lossOf = lossFunction(options.loss);
  const metrics = metricFunctions(options.metrics);
  const showLive = options.live ?? true;
  // One x axis for both panels, in epochs: batch b of B in epoch e is drawn at e − 1 + b/B, the
  // epoch's own values (its mean loss, validation, metrics) at e, as Keras's history reads. The
  // axis spans the whole run from the first update, so the chart fills in rather than rescaling.
  const live = showLive ? liveChart({ x: "epoch", xDomain: [0, epochs] }) : undefined;
  const perEpoch = batchCount(batches);
  const history: EpochRecord[] = [];
  const epochBar = progress(epochs, { label: "epoch" });
  for (const epochIndex of showLive ? epochBar : range(epochs)) {
    model.train?.(true);
    let lossSum = 0;
    let batchesDone = 0;
    const batchList = asBatches(batches);
    const unplaced: number[] = []; // batch losses of an epoch of unknown length, drawn at its end
    for (const [x, y] of showLive ? progress(batchList, { label: "batch" }) : batchList) {
      options.optimizer.zeroGrad();
      const loss = lossOf(model.forward(x!), y!);
      loss.backward();
      options.optimizer.step();
      const value = loss.item();
      lossSum += value;
      batchesDone++;
      // One batch an epoch (a whole split): its loss is the epoch's, drawn once.
      if (perEpoch === undefined) unplaced.push(value);
      else if (perEpoch > 1)
        live?.push({ epoch: epochIndex + Math.min(1, batchesDone / perEpoch), [BATCH_LOSS]: value });
      // The epoch's mean so far: the number the history (and its table) will hold for it.
      if (showLive) epochBar.set({ loss: lossSum / batchesDone });
    }
    if (unplaced.length > 1)
      unplaced.forEach((value, i) =>
        live?.push({ epoch: epochIndex + (i + 1) / unplaced.length, [BATCH_LOSS]: value }),
      );
    const record = { epoch: epochIndex + 1, loss: batchesDone ? lossSum / batchesDone : NaN } as EpochRecord;
    model.eval?.();
    if (metrics.length > 0) Object.assign(record, evaluate(model, batches, lossOf, metrics, ""));
    if (options.validation) Object.assign(record, evaluate(model, options.validation, lossOf, metrics, "val"));
    history.push(record);
    live?.push({ ...record });
    options.onEpochEnd?.(record);
  }
  model.train?.(true);
  live?.flush();
  return history;
}

function evaluate(
  model: Trainable,
  batches: Batches,
  lossOf: (p: Tensor, t: Tensor) => Tensor,
  metrics: [string, (p: Tensor, t: Tensor) => number][],
  prefix: string,
): Record<string, number> {
  return noGrad(() => {
    const totals: Record<string, number> = {};
    let count = 0;
    for (const [x, y] of asBatches(batches)) {
      const prediction = model.forward(x!);
      const n = prediction.shape[0] ?? 1;
      const named: [string, number][] = [
        ...(prefix ? [["loss", lossOf(prediction, y!).item()] as [string, number]] : []),
        ...metrics.map(([name, metric]) => [name, metric(prediction, y!)] as [string, number]),
      ];
      for (const [name, value] of named) totals[name] = (totals[name] ?? 0) + value * n;
      count += n;
    }
    const record: Record<string, number> = {};
    for (const [name, total] of Object.entries(totals))
      record[prefix ? `${prefix}${name[0]!.toUpperCase()}${name.slice(1)}` : name] = total / count;
    return record;
  });
}

function lossFunction(loss: LossLike): (p: Tensor, t: Tensor) => Tensor {
  if (typeof loss === "function") return loss;
  if (loss && typeof loss.forward === "function") return (p, t) => loss.forward(p, t);
  throw new TypeError(
    "fit: loss must be a function (prediction, target) => Tensor or a loss module such as new nn.MSELoss()",
  );
}

function metricFunctions(metrics: FitOptions["metrics"]): [string, (p: Tensor, t: Tensor) => number][] {
  if (!metrics) return [];
  const entries: [string, Metric][] = Array.isArray(metrics) ? metrics.map((m) => [m, m]) : Object.entries(metrics);
  return entries.map(([name, metric]) => [name, metric === "accuracy" ? accuracy : metric]);
}

/** Fraction of rows whose arg-max matches the target class (one output: logit > 0 or probability > 0.5). Example: `accuracy(model.forward(X), y)` */
export function accuracy(prediction: Tensor, target: Tensor): number {
  const rows = prediction.shape[0] ?? 1;
  const classes = prediction.numel() / rows;
  // One output: probabilities split at 0.5, logits at 0.
  let probabilities = true;
  for (const v of prediction.data) if (v < 0 || v > 1) probabilities = false;
  const threshold = probabilities ? 0.5 : 0;
  let correct = 0;
  for (let i = 0; i < rows; i++) {
    let predicted: number;
    if (classes === 1) predicted = prediction.data[i]! > threshold ? 1 : 0;
    else {
      predicted = 0;
      for (let c = 1; c < classes; c++)
        if (prediction.data[i * classes + c]! > prediction.data[i * classes + predicted]!) predicted = c;
    }
    const actual = target.numel() === rows ? target.data[i]! : argmaxRow(target, i, target.numel() / rows);
    if (predicted === Math.round(actual)) correct++;
  }
  return correct / rows;
}

function argmaxRow(t: Tensor, row: number, width: number): number {
  let best = 0;
  for (let c = 1; c < width; c++) if (t.data[row * width + c]! > t.data[row * width + best]!) best = c;
  return best;
}

/** Batches per epoch when known before iterating (a DataLoader's or an array's length, one for a pair). */
function batchCount(batches: Batches): number | undefined {
  const pair = batches as readonly unknown[];
  if (Array.isArray(pair) && pair.length === 2 && pair[0] instanceof Tensor && pair[1] instanceof Tensor) return 1;
  const length = (batches as { length?: unknown }).length;
  return typeof length === "number" && length > 0 ? length : undefined;
}

function asBatches(batches: Batches): Iterable<readonly Tensor[]> {
  const pair = batches as readonly unknown[];
  if (Array.isArray(pair) && pair.length === 2 && pair[0] instanceof Tensor && pair[1] instanceof Tensor)
    return [pair as readonly Tensor[]];
  return batches as Iterable<readonly Tensor[]>;
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}
