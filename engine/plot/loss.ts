// Training curves: loss (and metrics) by epoch or step, with an optional slider to scrub
// through training in the browser; and the learning-rate finder's loss against a log lr axis.
import { line, numericFields } from "./basic.js";
import { Chart } from "./chart.js";
import { extent, isNumbers, type Numbers, toNumbers } from "./data.js";
import { type LrRule, suggestLr } from "./lr-suggestion.js";
import { type ChartOptions, type Row, topLevel, type VegaLiteSpec } from "./spec.js";

export interface LossOptions extends ChartOptions {
  /** Fields to plot (default: the fields named like "loss", else every numeric field but x). */
  y?: string[];
  logY?: boolean;
  /** A slider under the chart that shows training up to the chosen epoch/step (browser only; no kernel round-trip). */
  slider?: boolean;
}

/**
 * Train/validation curves from `fit()`'s history, records `{ epoch, loss, valLoss }`, or series `{ loss: [...] }`.
 * Example: `plot.loss(history, { logY: true, slider: true })`
 */
export function loss(history: readonly Row[] | Record<string, Numbers>, options: LossOptions = {}): Chart {
  const rows = Array.isArray(history) ? (history as readonly Row[]) : seriesToRows(history as Record<string, Numbers>);
  const fields = numericFields(rows);
  const xField = ["epoch", "step"].find((f) => fields.includes(f)) ?? "epoch";
  const indexed: readonly Row[] = fields.includes(xField) ? rows : rows.map((r, i) => ({ ...r, epoch: i + 1 }));
  // Losses share an axis; accuracies and other metrics (0..1, or other units) would flatten them.
  const losses = fields.filter((f) => /loss/i.test(f));
  const y = options.y ?? (losses.length > 0 ? losses : undefined);
  const chart = line(indexed, {
    x: xField,
    y,
    title: options.title ?? ((y ?? []).every((f) => /loss/i.test(f)) && y ? "Loss" : "Training history"),
    logY: options.logY,
    width: options.width,
    height: options.height,
    xLabel: xField,
    yLabel: yTitle(y ?? fields.filter((f) => f !== xField)),
  });
  if (options.slider)
    addSlider(
      chart.spec,
      xField,
      indexed.map((r) => Number(r[xField])),
    );
  return chart;
}

// "accuracy" for an accuracy curve, "loss" only when every curve is a loss.
function yTitle(fields: readonly string[]): string {
  if (fields.length === 1) return fields[0]!;
  return fields.length > 0 && fields.every((f) => /loss/i.test(f)) ? "loss" : "value";
}

/** A range input bound to a param; the marks keep only rows up to its value (Vega-Lite 5 `bind`). */
export function addSlider(spec: VegaLiteSpec, field: string, values: number[]): void {
  const finite = values.filter(Number.isFinite);
  const [min, max] = finite.length ? extent(finite) : [0, 1];
  const name = `${field}Shown`;
  spec.params = [
    ...((spec.params as unknown[]) ?? []),
    { name, value: max, bind: { input: "range", min, max, step: 1, name: `${field} ` } },
  ];
  // A layered chart (dots, diverged marks) holds data in each layer: each layer is filtered.
  const filter = { filter: `datum[${JSON.stringify(field)}] <= ${name}` };
  for (const target of (spec.layer as VegaLiteSpec[] | undefined) ?? [spec])
    target.transform = [...((target.transform as unknown[]) ?? []), filter];
}

export interface LrFinderOptions extends ChartOptions {
  /** Mark the suggested learning rate; default true. */
  suggest?: boolean;
  /**
   * How the lr is suggested (lr-suggestion.ts): "steepest" (default: where the smoothed loss falls
   * fastest, fastai's `steep` and pytorch-lr-finder's rule), "valley" (fastai's default) or
   * "minimum" (a tenth of the lr with the lowest loss).
   */
  rule?: LrRule;
}

const RULE_NAMES: Record<LrRule, string> = { steepest: "steepest descent", valley: "valley", minimum: "minimum ÷ 10" };

/**
 * Loss against learning rate on a log axis, from an lr range test, with the steepest-descent lr marked.
 * Example: `plot.lrFinder({ lr: lrs, loss: losses })`
 */
export function lrFinder(
  result: { lr: Numbers; loss: Numbers } | readonly Row[],
  options: LrFinderOptions = {},
): Chart {
  const { lr, loss: losses } = Array.isArray(result)
    ? {
        lr: (result as readonly Row[]).map((r) => Number(r.lr)),
        loss: (result as readonly Row[]).map((r) => Number(r.loss)),
      }
    : {
        lr: toNumbers((result as { lr: Numbers }).lr, "lr"),
        loss: toNumbers((result as { loss: Numbers }).loss, "loss"),
      };
  const title = options.title ?? "Learning rate finder";
  const curve = line(
    { loss: losses },
    { x: lr, logX: true, title, xLabel: "learning rate", yLabel: "loss", width: options.width, height: options.height },
  );
  const rule = options.rule ?? "steepest";
  const suggested = options.suggest === false ? undefined : suggestLr(lr, losses, rule);
  if (suggested === undefined) return curve;
  const { $schema: _schema, title: _title, width: _width, height: _height, ...curveLayer } = curve.spec;
  const marker = {
    data: { values: [{ x: suggested, label: `suggested lr ${suggested.toPrecision(2)} (${RULE_NAMES[rule]})` }] },
    layer: [
      {
        mark: { type: "rule", color: "firebrick", strokeDash: [4, 3] },
        encoding: { x: { field: "x", type: "quantitative" } },
      },
      {
        mark: { type: "text", align: "left", dx: 4, baseline: "top", color: "firebrick" },
        encoding: { x: { field: "x", type: "quantitative" }, y: { value: 4 }, text: { field: "label" } },
      },
    ],
  };
  return new Chart(topLevel({ layer: [curveLayer, marker] }, { title, width: options.width, height: options.height }));
}

/** The lr where the smoothed loss falls fastest per decade of lr, before it diverges. Example: `steepestDescent(lrs, losses) // 0.003` */
export function steepestDescent(lr: readonly number[], losses: readonly number[]): number | undefined {
  return suggestLr(lr, losses, "steepest");
}

function seriesToRows(series: Record<string, Numbers>): Row[] {
  const columns = Object.entries(series)
    .filter(([, v]) => isNumbers(v))
    .map(([k, v]) => [k, toNumbers(v, k)] as const);
  const length = Math.max(0, ...columns.map(([, v]) => v.length));
  return Array.from({ length }, (_, i) => Object.fromEntries(columns.map(([k, v]) => [k, v[i] ?? null])) as Row);
}
