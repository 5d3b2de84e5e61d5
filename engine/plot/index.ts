// The `plot` namespace cells see: chart builders returning `Chart`s (Vega-Lite specs that render
// themselves). Plain JSON specs; nothing here knows about Jupyter.

export type { BarOptions, HistogramOptions, LineOptions, ScatterOptions } from "./basic.js";
export { bar, hconcat, histogram, layer, line, scatter, vconcat } from "./basic.js";
export { type DecisionBoundaryOptions, decisionBoundary } from "./boundary.js";
export { Chart, vegaLite } from "./chart.js";
export { seriesColor, seriesColors } from "./colors.js";
export { type GraphOptions, graph } from "./graph.js";
export { type HeatmapOptions, heatmap } from "./heatmap.js";
export { type FiltersOptions, filters, type ImageGridOptions, images } from "./images.js";
export { type LossOptions, type LrFinderOptions, loss, lrFinder } from "./loss.js";
export { type ChartOptions, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./spec.js";
export { type Path, type SurfaceOptions, surface, type TrajectoryOptions, trajectories } from "./surface.js";
