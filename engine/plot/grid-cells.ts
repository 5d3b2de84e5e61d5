// The x/y encoding of a chart drawn as filled grid cells (a loss surface, a decision boundary):
// each cell spans x..x2 and y..y2, on exactly the given ranges, without grid lines.

/** Encodes `x`/`x2`/`y`/`y2` of grid cells. Example: `gridCellAxes([-2, 2], [-1, 1], { xLabel: "θ₁" })` */
export function gridCellAxes(
  [x0, x1]: [number, number],
  [y0, y1]: [number, number],
  labels: { xLabel?: string; yLabel?: string },
) {
  const axis = (field: "x" | "y", domain: [number, number], title: string) => ({
    field,
    type: "quantitative" as const,
    scale: { domain, nice: false, zero: false },
    axis: { grid: false },
    title,
  });
  return {
    x: axis("x", [x0, x1], labels.xLabel ?? "x"),
    x2: { field: "x2" },
    y: axis("y", [y0, y1], labels.yLabel ?? "y"),
    y2: { field: "y2" },
  };
}
