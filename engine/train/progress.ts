// Progress bars: `for (const batch of progress(loader, { label: "batches" }))`. One output per
// outermost bar, updated in place at most 4 times a second; a bar started inside another
// (batches inside epochs) shows as a second line of the same output, so a training cell keeps
// one progress output however many epochs it runs.
import { JUPYTER_DISPLAY, type MimeBundle } from "../display.js";
import { escapeHtml } from "../html.js";
import { type NotebookDisplay, notebookDisplay, type OutputHandle } from "./sink.js";
import { Throttle } from "./throttle.js";

export interface ProgressOptions {
  /** Number of items (default: the iterable's `length` or `size`, if it has one). */
  total?: number;
  /** Shown before the bar, e.g. "epoch". */
  label?: string;
  /** Minimum time between updates of the output (default 250 ms). */
  intervalMs?: number;
}

/** One bar's state, as shown. */
export interface ProgressState {
  label: string;
  count: number;
  total: number | undefined;
  /** Items per second so far. */
  rate: number;
  elapsedSeconds: number;
  /** Estimated seconds to the end (undefined without a total). */
  remainingSeconds: number | undefined;
  /** Extra values shown after the bar (`bar.set({ loss })`). */
  values: Record<string, number | string>;
}

const nesting: ProgressBar<unknown>[] = [];

/** A progress bar over an iterable. Example: `for (const [x, y] of progress(loader, { label: "batch" })) step(x, y)` */
export class ProgressBar<T> implements Iterable<T> {
  count = 0;
  readonly total: number | undefined;
  readonly label: string;
  private readonly values: Record<string, number | string> = {};
  private started = 0;
  private finishedAt: number | undefined;
  private root: ProgressBar<unknown> = this;
  /** Bars shown in this (outermost) bar's output, one line per nesting depth. */
  private lines: ProgressBar<unknown>[] = [];
  private handle: OutputHandle | undefined;
  private throttle: Throttle | undefined;

  constructor(
    private readonly items: Iterable<T>,
    private readonly options: ProgressOptions = {},
  ) {
    this.total = options.total ?? lengthOf(items);
    this.label = options.label ?? "";
  }

  *[Symbol.iterator](): Iterator<T> {
    this.start();
    try {
      for (const item of this.items) {
        yield item;
        this.advance();
      }
    } finally {
      this.finish();
    }
  }

  /** Shows extra values after the bar (latest loss, accuracy). Example: `bar.set({ loss: 0.31 })` */
  set(values: Record<string, number | string>): this {
    Object.assign(this.values, values);
    this.root.throttle?.request();
    return this;
  }

  /** This bar's numbers. Example: `bar.state().rate` */
  state(): ProgressState {
    const end = this.finishedAt ?? performance.now();
    const elapsedSeconds = this.started === 0 ? 0 : (end - this.started) / 1000;
    const rate = elapsedSeconds > 0 ? this.count / elapsedSeconds : 0;
    const remainingSeconds =
      this.total === undefined || rate === 0 ? undefined : Math.max(0, this.total - this.count) / rate;
    return {
      label: this.label,
      count: this.count,
      total: this.total,
      rate,
      elapsedSeconds,
      remainingSeconds,
      values: { ...this.values },
    };
  }

  /** Every line of this bar's output as text. Example: `String(bar)` */
  toString(): string {
    return (this.lines.length ? this.lines : [this]).map((bar) => progressText(bar.state())).join("\n");
  }

  /** HTML for the notebook output: a `<progress>` element and the same numbers per line. */
  toHtml(): string {
    return (this.lines.length ? this.lines : [this]).map((bar) => progressHtml(bar.state())).join("");
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }

  private start(): void {
    this.started = performance.now();
    const parent = nesting.at(-1);
    nesting.push(this);
    if (parent) {
      this.root = parent.root;
      const depth = nesting.length - 1;
      this.root.lines = [...this.root.lines.slice(0, depth), this];
    } else {
      this.lines = [this];
      const display = notebookDisplay();
      this.throttle = new Throttle(
        (final) => this.send(display, final),
        this.options.intervalMs ?? (display ? 250 : 1000),
      );
    }
    this.root.throttle?.request();
  }

  private advance(): void {
    this.count++;
    this.root.throttle?.request();
  }

  private finish(): void {
    this.finishedAt = performance.now();
    const index = nesting.lastIndexOf(this);
    if (index >= 0) nesting.splice(index);
    if (this.root === this) this.throttle?.finish();
    else this.root.throttle?.request();
  }

  private send(display: NotebookDisplay | undefined, final: boolean): void {
    if (!display) {
      // Plain Node: a line now and then, and the last state.
      if (final || this.count > 0) console.log(this.toString());
      return;
    }
    const output = { data: this[JUPYTER_DISPLAY](), metadata: {} };
    if (this.handle) this.handle.update(output);
    else this.handle = display(output);
  }
}

/** Wraps an iterable (or a count) in a progress bar. Example: `for (const epoch of progress(10, { label: "epoch" })) train()` */
export function progress<T>(items: Iterable<T>, options?: ProgressOptions): ProgressBar<T>;
export function progress(count: number, options?: ProgressOptions): ProgressBar<number>;
export function progress<T>(items: Iterable<T> | number, options: ProgressOptions = {}): ProgressBar<T | number> {
  if (typeof items === "number") return new ProgressBar(range(items), { total: items, ...options });
  return new ProgressBar(items, options);
}

/** `epoch  3/10 |███░░░░░░░| 30% 12.5 it/s 0:05<0:11 loss=0.231` */
export function progressText(s: ProgressState): string {
  const fraction = s.total ? Math.min(1, s.count / s.total) : undefined;
  const width = 20;
  const bar =
    fraction === undefined
      ? ""
      : `|${"█".repeat(Math.round(fraction * width)).padEnd(width, "░")}| ${Math.round(fraction * 100)}% `;
  const count = s.total === undefined ? `${s.count}` : `${s.count}/${s.total}`;
  const time =
    s.remainingSeconds === undefined
      ? clock(s.elapsedSeconds)
      : `${clock(s.elapsedSeconds)}<${clock(s.remainingSeconds)}`;
  const values = Object.entries(s.values)
    .map(([k, v]) => ` ${k}=${typeof v === "number" ? v.toPrecision(4) : v}`)
    .join("");
  return `${s.label ? `${s.label} ` : ""}${count} ${bar}${rateText(s.rate)} ${time}${values}`;
}

function progressHtml(s: ProgressState): string {
  const max = s.total ?? 0;
  const bar =
    s.total === undefined
      ? ""
      : `<progress value="${Math.min(s.count, max)}" max="${max}" style="width:16em;vertical-align:middle"></progress> `;
  const label = s.label ? `<span style="display:inline-block;min-width:5em">${escapeHtml(s.label)}</span>` : "";
  const text = escapeHtml(progressText({ ...s, label: "", total: s.total }).replace(/\|[█░]*\| /, ""));
  return `<div style="font-family:monospace;white-space:pre">${label}${bar}${text}</div>`;
}

/** Three significant digits, never an exponent (toPrecision wrote 37154 as "3.72e+4"), as tqdm shows rates. */
function rateText(rate: number): string {
  if (rate === 0) return "? it/s";
  const [value, unit] = rate >= 1 ? [rate, "it/s"] : [1 / rate, "s/it"];
  const decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(decimals)} ${unit}`;
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

function lengthOf(items: unknown): number | undefined {
  const { length, size } = items as { length?: unknown; size?: unknown };
  if (typeof length === "number") return length;
  if (typeof size === "number") return size;
  return undefined;
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}
