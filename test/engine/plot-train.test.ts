// Live training output without a kernel: the throttle, the sink protocol a notebook runtime
// fills, averaging long histories, progress text, and the plain-Node fallback to text lines.
import { afterEach, describe, expect, it, vi } from "vitest";
import { randn, tensor } from "../../engine/creation.js";
import type { DisplayData } from "../../engine/display.js";
import { Linear } from "../../engine/nn/linear.js";
import { MSELoss } from "../../engine/nn/losses.js";
import { SGD } from "../../engine/optim/sgd.js";
import { manualSeed } from "../../engine/random.js";
import type { Tensor } from "../../engine/tensor.js";
import { fit } from "../../engine/train/fit.js";
import { downsample, liveChart } from "../../engine/train/live.js";
import { progress, progressText } from "../../engine/train/progress.js";
import { connectNotebook, flushPendingOutputs } from "../../engine/train/sink.js";
import { Throttle } from "../../engine/train/throttle.js";

const flushBeforeReply = flushPendingOutputs;

/** A fake notebook: records the bundles the engine displays and updates (what the kernel sends). */
function fakeNotebook() {
  const events: { kind: "display" | "update"; id: number; bundle: Record<string, unknown> }[] = [];
  let next = 0;
  connectNotebook((output: DisplayData) => {
    const id = next++;
    events.push({ kind: "display", id, bundle: output.data });
    return { update: (v: DisplayData) => events.push({ kind: "update", id, bundle: v.data }) };
  });
  return events;
}

/** The data rows of a chart bundle's Vega-Lite spec. */
function chartValues(bundle: Record<string, unknown>): unknown[] {
  return (bundle["application/vnd.vegalite.v5+json"] as { data: { values: unknown[] } }).data.values;
}

afterEach(() => {
  connectNotebook(undefined);
  flushBeforeReply();
  vi.restoreAllMocks();
});

describe("Throttle", () => {
  it("sends at most once per interval, the latest state late, and a final send once", () => {
    let now = 0;
    const sent: boolean[] = [];
    const throttle = new Throttle(
      (final) => sent.push(final),
      250,
      () => now,
    );
    throttle.request(); // sent at once
    now = 100;
    throttle.request(); // too soon: pending
    now = 200;
    throttle.request();
    expect(sent).toEqual([false]);
    now = 300;
    throttle.request(); // interval passed: sends the pending state
    expect(sent).toEqual([false, false]);
    flushBeforeReply();
    expect(sent).toEqual([false, false, true]);
    flushBeforeReply();
    expect(sent).toEqual([false, false, true]);
  });
});

describe("liveChart in a notebook", () => {
  it("creates one output, updates it with Vega-Lite and a PNG each time, and sends the final state before the reply", () => {
    const events = fakeNotebook();
    const live = liveChart();
    for (let step = 1; step <= 1000; step++) live.push({ step, loss: 1 / step });
    flushBeforeReply();
    expect(events.filter((e) => e.kind === "display")).toHaveLength(1);
    expect(new Set(events.map((e) => e.id))).toEqual(new Set([0]));
    expect(events.length).toBeLessThan(10); // a synchronous loop: the first push and the final state
    for (const event of events) {
      expect(Object.keys(event.bundle).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
    }
    const last = events.at(-1)!;
    expect(Object.keys(last.bundle).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
    expect(chartValues(last.bundle)).toHaveLength(500);
    expect(live.history).toHaveLength(1000);
  });

  it("shows the first state at once, then waits 9× a render's time before the next update", () => {
    const events = fakeNotebook();
    const live = liveChart();
    live.push({ step: 1, loss: 1 });
    expect(events).toHaveLength(1);
    expect(live.updates).toBe(1);
    expect(live.lastRenderMs).toBeGreaterThan(0);
    expect(live.updateIntervalMs).toBeGreaterThanOrEqual(9 * live.lastRenderMs);
    expect(live.updateIntervalMs).toBeGreaterThanOrEqual(250);
    live.push({ step: 2, loss: 0.5 }); // too soon, and no training time to spend a tenth of
    expect(events).toHaveLength(1);
    flushBeforeReply();
    expect(events).toHaveLength(2); // the final state always goes out
    expect(liveChart({ intervalMs: 5000 }).updateIntervalMs).toBe(5000);
  });

  it("puts losses and other metrics side by side", () => {
    fakeNotebook();
    const live = liveChart();
    live.push({ epoch: 1, loss: 1, accuracy: 0.5 });
    type Panel = { layer: { mark: { type: string }; encoding: { y: { title: string } } }[] };
    const spec = live.chart().spec as { hconcat: Panel[] };
    expect(spec.hconcat.map((c) => c.layer[0]!.encoding.y.title)).toEqual(["loss", "accuracy"]);
    // One point draws no line: the first state shows a dot.
    expect(spec.hconcat.map((c) => c.layer[1]!.mark.type)).toEqual(["point", "point"]);
  });
});

describe("downsample", () => {
  it("averages buckets so at most maxPoints rows remain, x at each bucket's end", () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ step: i + 1, loss: i }));
    expect(downsample(rows, "step", ["loss"], 5)).toEqual([
      { step: 2, loss: 0.5 },
      { step: 4, loss: 2.5 },
      { step: 6, loss: 4.5 },
      { step: 8, loss: 6.5 },
      { step: 10, loss: 8.5 },
    ]);
  });
});

describe("fit's live chart", () => {
  // biome-ignore lint/suspicious/noExplicitAny: the spec is read field by field
  type Spec = Record<string, any>;
  const train = (batches: Iterable<Tensor[]>) => {
    const events = fakeNotebook();
    manualSeed(0);
    const model = new Linear(2, 1);
    const history = fit(model, batches, {
      epochs: 3,
      optimizer: new SGD(model.parameters(), { lr: 0.05 }),
      loss: new MSELoss(),
      validation: [X, Y],
      metrics: { "mean output": (p) => p.mean().item() },
    });
    flushBeforeReply();
    const spec = events.filter((e) => "image/png" in e.bundle).at(-1)!.bundle[
      "application/vnd.vegalite.v5+json"
    ] as Spec;
    return { history, spec };
  };
  manualSeed(1);
  const X = randn([8, 2]);
  const Y = X.matmul(tensor([[1], [-2]]));
  const quarters = [0, 2, 4, 6].map((i) => [X.slice(0, i, i + 2), Y.slice(0, i, i + 2)]);

  it("puts batches at fractional epochs and the epoch's values at whole ones, one axis and legend per panel", () => {
    const { history, spec } = train(quarters);
    const [lossPanel, metricsPanel] = spec.hconcat as Spec[];
    const [lines, dots] = lossPanel.layer as Spec[];
    expect(lines.encoding.x).toMatchObject({ field: "epoch", title: "epoch" });
    expect(metricsPanel.layer[0].encoding.x).toMatchObject({ field: "epoch", title: "epoch" });
    expect(spec.resolve.legend).toEqual({ color: "independent" });
    const xsOf = (rows: Spec[], series: string) => rows.filter((r) => r.series === series).map((r) => r.epoch);
    expect(xsOf(lines.data.values, "batch loss")).toEqual([0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3]);
    // The epoch's loss is the history's (the mean of its batches), drawn with a dot.
    expect(lines.data.values.filter((r: Spec) => r.series === "loss").map((r: Spec) => [r.epoch, r.value])).toEqual(
      history.map((h) => [h.epoch, h.loss]),
    );
    expect(new Set(dots.data.values.map((r: Spec) => r.series))).toEqual(new Set(["loss", "valLoss"]));
    expect(xsOf(metricsPanel.layer[0].data.values, "mean output")).toEqual([1, 2, 3]);
  });

  it("spans the whole run on x from its first update, in both panels", () => {
    const events = fakeNotebook();
    manualSeed(0);
    const model = new Linear(2, 1);
    fit(model, quarters, { epochs: 5, optimizer: new SGD(model.parameters(), { lr: 0.05 }), loss: new MSELoss() });
    flushBeforeReply();
    const charts = events.filter((e) => "image/png" in e.bundle);
    for (const { bundle } of [charts[0]!, charts.at(-1)!]) {
      const spec = bundle["application/vnd.vegalite.v5+json"] as Spec;
      const panels = (spec.hconcat ?? [spec]) as Spec[];
      for (const panel of panels) expect(panel.layer[0].encoding.x.scale).toEqual({ domain: [0, 5] });
    }
  });

  it("places the batches of an iterable of unknown length at the end of each epoch", () => {
    const generated = {
      *[Symbol.iterator]() {
        yield* quarters;
      },
    };
    const { spec } = train(generated);
    const rows = spec.hconcat[0].layer[0].data.values as Spec[];
    expect(rows.filter((r) => r.series === "batch loss").map((r) => r.epoch)).toEqual([
      0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3,
    ]);
  });
});

describe("progress", () => {
  it("describes count, percentage, rate, elapsed and time left", () => {
    expect(
      progressText({
        label: "epoch",
        count: 3,
        total: 10,
        rate: 2,
        elapsedSeconds: 1.5,
        remainingSeconds: 3.5,
        values: { loss: 0.25 },
      }),
    ).toBe("epoch 3/10 |██████░░░░░░░░░░░░░░| 30% 2.00 it/s 0:02<0:04 loss=0.2500");
  });

  it("writes fast and slow rates without an exponent", () => {
    const rate = (r: number) =>
      progressText({ label: "", count: 1, total: 2, rate: r, elapsedSeconds: 1, remainingSeconds: 1, values: {} });
    expect(rate(37154.2)).toContain(" 37154 it/s ");
    expect(rate(12.34)).toContain(" 12.3 it/s ");
    expect(rate(0.004)).toContain(" 250 s/it ");
    expect(rate(0.5)).toContain(" 2.00 s/it ");
  });

  it("shows nested bars as lines of one output, finished at 100%", () => {
    const events = fakeNotebook();
    for (const _epoch of progress(3, { label: "epoch" }))
      for (const _batch of progress([1, 2, 3, 4], { label: "batch" })) {
        /* work */
      }
    expect(events.filter((e) => e.kind === "display")).toHaveLength(1);
    const text = events.at(-1)!.bundle["text/plain"] as string;
    expect(text).toMatch(/^epoch 3\/3 \|█{20}\| 100% .*\nbatch 4\/4 \|█{20}\| 100% /);
    expect(events.at(-1)!.bundle["text/html"]).toContain('<progress value="3" max="3"');
  });
});

describe("without a notebook", () => {
  it("fit prints progress as text lines and returns one record per epoch", () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    manualSeed(0);
    const X = randn([16, 2]);
    const Y = X.matmul(tensor([[1], [-2]]));
    const model = new Linear(2, 1);
    const history = fit(model, [X, Y], {
      epochs: 3,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      loss: new MSELoss(),
      validation: [X, Y],
    });
    expect(history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(history[2]!.loss).toBeLessThan(history[0]!.loss);
    expect(Object.keys(history[0]!).sort()).toEqual(["epoch", "loss", "valLoss"]);
    expect(lines.some((l) => /^epoch \d+ {2}loss \S+ {2}valLoss /.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith("epoch "))).toBe(true);
  });
});

describe("liveChart in an async training loop", () => {
  it("sends the latest state after the interval even when no push follows", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    try {
      const events = fakeNotebook();
      const live = liveChart();
      live.push({ step: 1, loss: 1 }); // shown at once
      expect(events).toHaveLength(1);
      vi.advanceTimersByTime(100_000);
      live.push({ step: 2, loss: 0.5 }); // 100 s of training: well within the rendering budget
      expect(events).toHaveLength(2);
      live.push({ step: 3, loss: 0.25 }); // too soon: waits for the timer
      expect(events).toHaveLength(2);
      vi.advanceTimersByTime(live.updateIntervalMs + 50);
      expect(events).toHaveLength(3);
      expect(chartValues(events[2]!.bundle)).toHaveLength(3);
      expect("image/png" in events[2]!.bundle).toBe(true); // a live PNG for front ends without Vega-Lite
    } finally {
      vi.useRealTimers();
    }
  });
});
