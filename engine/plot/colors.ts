// One colour per series name for the whole session: a series called "Adam" is drawn in the
// same colour on every chart of a notebook (the optimizer race, then the loss curves), as a
// reader expects after the first legend. Names get colours in the order they first appear;
// a fresh kernel running the notebook top to bottom gives the same colours every time.

/** Vega's "tableau10" scheme, the palette Vega-Lite colours nominal data with by default. */
export const PALETTE = [
  "#4c78a8",
  "#f58518",
  "#e45756",
  "#72b7b2",
  "#54a24b",
  "#eeca3b",
  "#b279a2",
  "#ff9da6",
  "#9d755d",
  "#bab0ac",
] as const;

const assigned = new Map<string, string>();

/** The colour of a series name (given on first use, then kept). Example: `plot.seriesColor("Adam") // "#4c78a8"` */
export function seriesColor(name: string): string {
  let color = assigned.get(name);
  if (color === undefined) {
    const used = new Set(assigned.values());
    // The first palette colour no series holds; past ten names, the palette repeats.
    color = PALETTE.find((c) => !used.has(c)) ?? PALETTE[assigned.size % PALETTE.length]!;
    assigned.set(name, color);
  }
  return color;
}

/**
 * Fixes the colours of some series names (CSS colours), or forgets every assignment with no argument.
 * Example: `plot.seriesColors({ SGD: "grey", Adam: "crimson" })`
 */
export function seriesColors(colors?: Record<string, string>): void {
  if (colors === undefined) assigned.clear();
  else for (const [name, color] of Object.entries(colors)) assigned.set(name, color);
}

/** A Vega-Lite colour scale that gives each name its session colour. Example: `{ field: "series", type: "nominal", scale: colorScale(["train", "val"]) }` */
export function colorScale(names: readonly string[]): { domain: string[]; range: string[] } {
  return { domain: [...names], range: names.map(seriesColor) };
}
