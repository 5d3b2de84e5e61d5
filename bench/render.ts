// Chart rendering in the kernel: tsgrad's synchronous Vega → SVG → PNG path (shipped subset
// font, no system font scan) next to the straightforward pipeline measured in the same run —
// Vega's own async `view.toSVG()` and resvg with the machine's fonts, as a first version would
// do it. Runs are interleaved so machine load hits both alike. Median milliseconds per chart.
//   npm run build && node dist/bench/render.js
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type * as ResvgModule from "@resvg/resvg-js";
import type * as VegaModule from "vega";
import type * as VegaLiteModule from "vega-lite";
import { randn, tensor } from "../engine/creation.js";
import * as nn from "../engine/nn/index.js";
import * as plot from "../engine/plot/index.js";
import { renderPng } from "../engine/plot/render.js";
import type { VegaLiteSpec } from "../engine/plot/spec.js";
import { manualSeed } from "../engine/random.js";
import type { Tensor } from "../engine/tensor.js";
import type { BenchRow, BenchTable } from "./engine.js";

const require = createRequire(import.meta.url);
const vega = require("vega") as typeof VegaModule;
const vegaLite = require("vega-lite") as typeof VegaLiteModule;
const { Resvg } = require("@resvg/resvg-js") as typeof ResvgModule;

const ROUNDS = 15;

async function referencePng(spec: VegaLiteSpec): Promise<Uint8Array> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec as unknown as VegaLiteModule.TopLevelSpec).spec), {
    renderer: "none",
  });
  const svg = await view.toSVG();
  view.finalize();
  return new Resvg(svg, { fitTo: { mode: "zoom", value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Wall-clock and CPU milliseconds of one call (CPU time is what a busy shared machine cannot inflate). */
async function timed(fn: () => unknown): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - t, cpu: (used.user + used.system) / 1000 };
}

async function rows(name: string, spec: VegaLiteSpec): Promise<BenchRow[]> {
  for (let i = 0; i < 3; i++) {
    renderPng(spec);
    await referencePng(spec);
  } // warm both JITs
  const ours: { wall: number; cpu: number }[] = [];
  const theirs: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    ours.push(await timed(() => renderPng(spec)));
    theirs.push(await timed(() => referencePng(spec)));
  }
  return (["wall", "cpu"] as const).map((kind) => {
    const tsgrad = median(ours.map((m) => m[kind]));
    const reference = median(theirs.map((m) => m[kind]));
    return { name, unit: `ms ${kind} (median)`, tsgrad, reference, ratio: reference / tsgrad };
  });
}

function charts(): [string, VegaLiteSpec][] {
  manualSeed(0);
  const steps = Array.from({ length: 1000 }, (_, i) => Math.exp(-i / 200) + 0.05 * Math.sin(i / 7));
  const X = randn([100, 2]);
  const labels = Array.from({ length: 100 }, (_, i) => (X.data[2 * i]! > 0 ? 1 : 0));
  const model = { forward: (x: Tensor) => x.matmul(tensor([[1], [0.5]])) };
  const mlp = new nn.Sequential(
    new nn.Linear(4, 16),
    new nn.ReLU(),
    new nn.Linear(16, 16),
    new nn.ReLU(),
    new nn.Linear(16, 3),
  );
  const loss = new nn.CrossEntropyLoss().forward(
    mlp.forward(randn([8, 4])),
    tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: "int32" }),
  );
  loss.backward();
  return [
    ["1,000-point line chart → PNG (2×)", plot.line(steps, { title: "Loss", xLabel: "step", yLabel: "loss" }).spec],
    ["decision boundary (60×60 grid + 100 points) → PNG", plot.decisionBoundary(model, X, labels).spec],
    ["autograd graph of an MLP's loss (30 tensors) → PNG", loss.graph({ names: mlp }).spec],
  ];
}

export async function bench(): Promise<BenchTable> {
  const table: BenchRow[] = [];
  for (const [name, spec] of charts()) table.push(...(await rows(name, spec)));
  return { title: "chart rendering (Vega-Lite → PNG)", referenceName: "vega toSVG + resvg, system fonts", rows: table };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const table = await bench();
  console.log(`${table.title}: tsgrad vs ${table.referenceName}`);
  for (const r of table.rows)
    console.log(`${r.name}, ${r.unit}: ${r.tsgrad.toFixed(1)} vs ${r.reference.toFixed(1)} (×${r.ratio.toFixed(2)})`);
}
