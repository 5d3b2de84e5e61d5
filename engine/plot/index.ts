// The `plot` namespace cells see: chart builders returning `Chart`s (Vega-Lite specs that render
// themselves). Plain JSON specs; nothing here knows about Jupyter.
export { line, scatter, bar, histogram, heatmap, layer, hconcat, vconcat } from "./basic.js";
export type { LineOptions, ScatterOptions, BarOptions, HistogramOptions, HeatmapOptions } from "./basic.js";
export { loss, lrFinder, type LossOptions, type LrFinderOptions } from "./loss.js";
export { decisionBoundary, type DecisionBoundaryOptions } from "./boundary.js";
export { surface, trajectories, type SurfaceOptions, type TrajectoryOptions, type Path } from "./surface.js";
export { Chart, vegaLite } from "./chart.js";
export { VEGA_LITE_SCHEMA, type VegaLiteSpec, type ChartOptions } from "./spec.js";
export { graph, type GraphOptions } from "./graph.js";
