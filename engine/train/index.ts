// Live training output: a chart that grows in place, progress bars, and Keras-style `fit`.
export { liveChart, LiveChart, type LiveChartOptions } from "./live.js";
export { progress, ProgressBar, type ProgressOptions, type ProgressState } from "./progress.js";
export { fit, accuracy, type FitOptions, type EpochRecord, type LossLike, type Metric, type Batches, type Trainable } from "./fit.js";
