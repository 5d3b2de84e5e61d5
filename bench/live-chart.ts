// What a live training chart costs the training it shows. Every update carries a PNG (so the
// chart is live in classic Notebook, VS Code and other front ends without Vega-Lite), rendered
// in the training loop's thread; the chart waits 9× a render's time before the next one, so
// rendering should take at most a tenth of the time. Measured here on a real loop (an MLP on
// 256×16 inputs, Adam) with the chart connected to a notebook sink that keeps the bundles, next
// to the same steps without the chart, interleaved.
//   npm run build && node dist/bench/run.js live-chart
import { manualSeed, nn, optim, randn, type Tensor } from "../engine/index.js";
import { prepareRenderer } from "../engine/plot/render.js";
import { liveChart } from "../engine/train/live.js";
import { connectNotebook, flushPendingOutputs } from "../engine/train/sink.js";
import type { BenchRow, BenchTable } from "./engine.js";

const ROUNDS = 3;
const SECONDS = 8;

function trainer(): () => number {
  manualSeed(0);
  const model = new nn.Sequential(
    new nn.Linear(16, 64),
    new nn.ReLU(),
    new nn.Linear(64, 64),
    new nn.ReLU(),
    new nn.Linear(64, 1),
  );
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([256, 16]);
  const y = x.sum(1, true).tanh() as Tensor;
  const lossFn = new nn.MSELoss();
  return () => {
    optimizer.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
}

/** Milliseconds for `steps` steps, with or without a live chart; the chart's own render time. */
function run(steps: number, live: boolean): { ms: number; renderMs: number; finalMs: number; updates: number } {
  const step = trainer();
  const chart = live ? liveChart() : undefined;
  const started = performance.now();
  for (let i = 1; i <= steps; i++) {
    const loss = step();
    chart?.push({ step: i, loss });
  }
  const trained = performance.now();
  flushPendingOutputs(); // the final update, as the runtime sends it before the cell's reply
  const ms = performance.now() - started;
  return { ms, renderMs: chart?.renderMs ?? 0, finalMs: ms - (trained - started), updates: chart?.updates ?? 0 };
}

export async function bench(): Promise<BenchTable> {
  const bundles: unknown[] = [];
  connectNotebook((first) => {
    bundles.push(first.data);
    return { update: (next) => bundles.push(next.data) };
  });
  prepareRenderer();
  // Steps for about SECONDS of training on this machine (after a warm-up).
  const step = trainer();
  for (let i = 0; i < 50; i++) step();
  const t = performance.now();
  let calibration = 0;
  while (performance.now() - t < 1000) {
    step();
    calibration++;
  }
  const steps = calibration * SECONDS;
  const without: number[] = [];
  const withChart: ReturnType<typeof run>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    without.push(run(steps, false).ms);
    withChart.push(run(steps, true));
  }
  connectNotebook(undefined);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const plain = median(without);
  const live = median(withChart.map((m) => m.ms));
  const share = median(withChart.map((m) => (100 * m.renderMs) / (m.ms - m.finalMs)));
  const total = median(withChart.map((m) => (100 * (m.renderMs + m.finalMs)) / m.ms));
  const updates = median(withChart.map((m) => m.updates));
  const rows: BenchRow[] = [
    {
      name: `${steps} training steps, live chart (${updates} PNG updates)`,
      unit: "s",
      tsgrad: live / 1000,
      reference: plain / 1000,
      ratio: plain / live,
    },
    {
      name: "rendering's share of the training time (updates while it runs)",
      unit: "% (bound 10)",
      tsgrad: share,
      reference: 10,
      ratio: 10 / share,
    },
    { name: "rendering's share with the final update", unit: "%", tsgrad: total, reference: 10, ratio: 10 / total },
  ];
  return {
    title: "live chart updates with a PNG (cost to training)",
    referenceName: "the same steps without a chart",
    rows,
  };
}
