// Live training output: a chart that grows in place, progress bars, and Keras-style `fit`.

export {
  accuracy,
  type Batches,
  type EpochRecord,
  type FitOptions,
  fit,
  type LossLike,
  type Metric,
  type Trainable,
} from "./fit.js";
export { LiveChart, type LiveChartOptions, liveChart } from "./live.js";
export { ProgressBar, type ProgressOptions, type ProgressState, progress } from "./progress.js";
