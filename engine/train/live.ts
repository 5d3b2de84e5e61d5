// A chart that grows while a model trains: one output, replaced in place. Every update is the
// whole bundle — Vega-Lite for JupyterLab and a PNG for the front ends that cannot draw
// Vega-Lite (classic Notebook, VS Code without the renderer, nbconvert) — so the chart is live
// everywhere. Rendering the PNG runs in the training loop's thread, so updates come at most 4
// times a second, never sooner than 9× the last render's time after it, and only while all
// rendering so far stays within a tenth of the time since the first push: rendering takes at
// most a tenth of the training's time (bench/live-chart.ts measures it). A run shorter than a
// second may show its chart only at the end. The last update, sent
// before the cell replies, always goes out, so a saved notebook holds the finished chart. Long
// runs are averaged into at most `maxPoints` points per series.
import { type DisplayData, JUPYTER_DISPLAY } from "../display.js";
import { hconcat, line, numericFields } from "../plot/basic.js";
import type { Chart } from "../plot/chart.js";
import { prepareRenderer } from "../plot/render.js";
import type { Row, VegaLiteSpec } from "../plot/spec.js";
import { notebookDisplay, type OutputHandle } from "./sink.js";
import { Throttle } from "./throttle.js";

export interface LiveChartOptions {
  title?: string;
  /** The field plotted along x (default: `step` if records have it, else `epoch`, else the push count). */
  x?: string;
  /** Logarithmic y axis. */
  logY?: boolean;
  /** The x axis's range from the first update on, when the run's length is known (`fit` gives [0, epochs]). */
  xDomain?: readonly [number, number];
  /** Points per series drawn at most; longer histories are averaged in buckets (default 500). */
  maxPoints?: number;
  /** Minimum time between updates of the output (default 250 ms: 4 per second). */
  intervalMs?: number;
  width?: number;
  height?: number;
}

/** After rendering for t ms, wait 9t: rendering is at most 1/(1 + 9) of the time. */
const RENDER_SHARE_WAIT = 9;
/** Rendering while training runs takes at most this share of its time. */
const RENDER_SHARE = 0.1;
/** What the last live chart's PNG took in this process (a guess before any: a 500-point line chart takes ~50–300 ms). */
let recentRenderMs = 250;

/** A training curve that updates in place. Example: `const live = liveChart(); live.push({ step, loss })` */
export class LiveChart {
  /** Every record pushed, in order (not averaged). */
  readonly history: Record<string, number>[] = [];
  private handle: OutputHandle | undefined;
  private readonly throttle: Throttle;
  private readonly display = notebookDisplay();
  private printedUpTo = 0;
  private readonly minIntervalMs: number;
  /** Milliseconds spent rendering updates while training ran (the final update aside). Example: `live.renderMs / trainingMs // ≤ 0.1` */
  renderMs = 0;
  private startedAt: number | undefined;
  /** The last update's rendering time in milliseconds. */
  lastRenderMs = 0;
  /** Updates sent so far (the first display included). */
  updates = 0;

  constructor(readonly options: LiveChartOptions = {}) {
    this.minIntervalMs = options.intervalMs ?? (this.display ? 250 : 1000);
    this.throttle = new Throttle((final) => this.send(final), this.minIntervalMs);
  }

  /** Adds a record of numbers (`{ epoch, loss, valLoss }`); every field but x becomes a series. */
  push(record: Record<string, number>): void {
    this.startedAt ??= performance.now();
    this.history.push({ ...record });
    this.throttle.request();
  }

  /** Sends the finished chart now (done for you before the cell's reply). */
  flush(): void {
    this.throttle.finish();
  }

  /** The least time until the next update: 250 ms, or 9× the last render's time if longer. */
  get updateIntervalMs(): number {
    return this.throttle.intervalMs;
  }

  /** The chart of everything pushed so far. Example: `live.chart().png()` */
  chart(): Chart {
    const rows = this.history as Row[];
    const xField = this.xField();
    const fields = numericFields(rows).filter((f) => f !== xField && !(xField === "step" && f === "epoch"));
    const losses = fields.filter((f) => /loss/i.test(f));
    const others = fields.filter((f) => !/loss/i.test(f));
    const maxPoints = this.options.maxPoints ?? 500;
    const size = { width: this.options.width, height: this.options.height };
    // Series given in under half the records (once per epoch, beside one per batch) get a dot
    // per value and are never averaged; the dense ones are averaged into at most maxPoints.
    const count = (f: string) => rows.reduce((n, r) => n + (typeof r[f] === "number" ? 1 : 0), 0);
    const sparse = xField === "index" ? [] : fields.filter((f) => 2 * count(f) < rows.length);
    const make = (ys: string[], title: string | undefined, logY: boolean | undefined, yLabel: string) => {
      const dense = ys.filter((f) => !sparse.includes(f));
      const dotted = ys.filter((f) => sparse.includes(f));
      const drawn =
        dotted.length === 0
          ? downsample(rows, xField, ys, maxPoints)
          : [...downsample(only(rows, xField, dense), xField, dense, maxPoints), ...only(rows, xField, dotted)];
      return line(drawn, {
        x: xField,
        y: ys,
        title,
        logY,
        ...size,
        yLabel: ys.length === 1 ? ys[0] : yLabel,
        points: dotted,
        xDomain: this.options.xDomain,
      });
    };
    if (losses.length === 0 || others.length === 0)
      return make(fields, this.options.title, this.options.logY, losses.length > 0 ? "loss" : "value");
    return hconcat(
      make(losses, this.options.title ?? "loss", this.options.logY, "loss"),
      make(others, "metrics", false, "value"),
    );
  }

  /** The Vega-Lite spec of everything pushed so far; as a cell's value, the live chart shows as that chart. */
  get spec(): VegaLiteSpec {
    return this.chart().spec;
  }

  /** As a cell's value, the live chart shows as the chart of everything pushed so far. */
  [JUPYTER_DISPLAY](): DisplayData {
    return this.chart().displayData();
  }

  private xField(): string {
    if (this.options.x) return this.options.x;
    const first = this.history[0] ?? {};
    return "step" in first ? "step" : "epoch" in first ? "epoch" : "index";
  }

  private send(final: boolean): void {
    if (!this.display) {
      this.printProgress();
      return;
    }
    // The first state shows at once and the final one always; in between, an update goes out
    // only while what was rendered so far plus one more render is at most a tenth of the time
    // since training began (the next push after the interval asks again).
    const elapsed = performance.now() - (this.startedAt ?? performance.now());
    const due =
      final || !this.handle || this.renderMs + (this.lastRenderMs || recentRenderMs) <= RENDER_SHARE * elapsed;
    if (!due) return;
    prepareRenderer(); // loading Vega once is not a cost of this chart's updates
    const started = performance.now();
    const output = this.chart().displayData();
    const took = performance.now() - started;
    if (!final) this.renderMs += took;
    this.lastRenderMs = took;
    recentRenderMs = took;
    this.updates++;
    this.throttle.intervalMs = Math.max(this.minIntervalMs, RENDER_SHARE_WAIT * took);
    if (this.handle) this.handle.update(output);
    else this.handle = this.display(output);
  }

  private printProgress(): void {
    const record = this.history.at(-1);
    if (!record || this.printedUpTo === this.history.length) return;
    this.printedUpTo = this.history.length;
    console.log(
      Object.entries(record)
        .map(([k, v]) => `${k} ${formatNumber(v)}`)
        .join("  "),
    );
  }
}

/** A live training chart (one output, updated in place). Example: `const live = liveChart({ logY: true })` */
export function liveChart(options: LiveChartOptions = {}): LiveChart {
  return new LiveChart(options);
}

/** The rows holding any of `fields`, with x and those fields only. */
function only(rows: readonly Row[], xField: string, fields: readonly string[]): Row[] {
  const kept: Row[] = [];
  for (const row of rows) {
    if (!fields.some((f) => typeof row[f] === "number")) continue;
    const picked: Row = { [xField]: row[xField] ?? null };
    for (const f of fields) if (typeof row[f] === "number") picked[f] = row[f]!;
    kept.push(picked);
  }
  return kept;
}

/** Averages each series over equal buckets of rows so at most `maxPoints` remain. Example: `downsample(rows, "step", ["loss"], 500)` */
export function downsample(rows: readonly Row[], xField: string, fields: readonly string[], maxPoints: number): Row[] {
  if (rows.length <= maxPoints) return rows as Row[];
  const bucket = Math.ceil(rows.length / maxPoints);
  const out: Row[] = [];
  for (let start = 0; start < rows.length; start += bucket) {
    const end = Math.min(rows.length, start + bucket);
    const last = rows[end - 1]!;
    const row: Row = { [xField]: xField === "index" ? end - 1 : (last[xField] ?? end - 1) };
    for (const f of fields) {
      let sum = 0;
      let n = 0;
      for (let i = start; i < end; i++) {
        const v = rows[i]![f];
        if (typeof v === "number" && Number.isFinite(v)) {
          sum += v;
          n++;
        }
      }
      if (n > 0) row[f] = sum / n;
    }
    out.push(row);
  }
  return out;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
