// Every chart kind as a user sees it in JupyterLab: rendered in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) by the Vega, Vega-Lite and vega-embed versions
// JupyterLab 4.6 bundles, with no console errors or warnings and the marks expected.
// Set TSGRAD_SCREENSHOT=/path.png to keep a screenshot of the page.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { type Browser, type Page as BrowserPage, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randn, tensor } from "../../engine/creation.js";
import type { Chart } from "../../engine/plot/chart.js";
import * as plot from "../../engine/plot/index.js";
import { manualSeed } from "../../engine/random.js";
import type { Tensor } from "../../engine/tensor.js";
import { liveChart } from "../../engine/train/live.js";

const CHROMIUM = "/usr/bin/chromium";

/** What page.js defines in the browser. */
interface Page {
  renderChart(name: string, spec: unknown): Promise<{ marks: string[]; svg: boolean }>;
  moveSlider(name: string, value: number): Promise<{ before: number; after: number }>;
}
const require = createRequire(import.meta.url);

/** Each chart kind with the Vega mark types (scenegraph `marktype`) that must hold items. */
function examples(): Record<string, { chart: Chart; marks: string[] }> {
  manualSeed(0);
  const X = randn([40, 2]);
  const labels = Array.from({ length: 40 }, (_, i) => (X.data[2 * i]! + X.data[2 * i + 1]! > 0 ? 1 : 0));
  const model = { forward: (x: Tensor) => x.matmul(tensor([[1], [1]])) };
  const rosenbrock = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
  const w = tensor([0.5, -0.3]);
  w.requiresGrad = true;
  const loss = tensor([1, 2]).mul(w).tanh().sum();
  loss.backward();
  const live = liveChart();
  for (let step = 1; step <= 50; step++) live.push({ step, loss: 1 / step, accuracy: 1 - 1 / step });
  return {
    line: { chart: plot.line({ train: [3, 2, 1.5, 1.2], val: [3.2, 2.6, 2.2, 2.1] }, { logY: true }), marks: ["line"] },
    scatter: { chart: plot.scatter(X, labels), marks: ["symbol"] },
    bar: { chart: plot.bar({ SGD: 0.31, Momentum: 0.12, Adam: 0.05 }), marks: ["rect"] },
    histogram: { chart: plot.histogram(randn([500])), marks: ["rect"] },
    heatmap: {
      chart: plot.heatmap(
        [
          [50, 2],
          [3, 45],
        ],
        { rowLabels: ["cat", "dog"], colLabels: ["cat", "dog"] },
      ),
      marks: ["rect", "text"],
    },
    layer: {
      chart: plot.layer(plot.line([1, 2, 3]), plot.scatter({ x: [0, 1, 2], y: [1, 2, 3] })),
      marks: ["line", "symbol"],
    },
    hconcat: { chart: plot.hconcat(plot.bar([1, 2]), plot.line([2, 1])), marks: ["rect", "line"] },
    vconcat: { chart: plot.vconcat(plot.bar([1, 2]), plot.line([2, 1])), marks: ["rect", "line"] },
    loss: {
      chart: plot.loss(
        [
          { epoch: 1, loss: 1, valLoss: 1.2 },
          { epoch: 2, loss: 0.6, valLoss: 0.8 },
          { epoch: 3, loss: 0.4, valLoss: 0.7 },
        ],
        { slider: true },
      ),
      marks: ["line"],
    },
    decisionBoundary: {
      chart: plot.decisionBoundary(model, X, labels, { resolution: 20 }),
      marks: ["rect", "shape", "symbol"],
    },
    surface: {
      chart: plot.layer(
        plot.surface(rosenbrock, { x: [-2, 2], y: [-1, 3], resolution: 20 }),
        plot.trajectories(
          {
            SGD: [
              [-1.5, 2],
              [-1, 1],
              [0, 0.5],
              [1, 1],
            ],
          },
          { slider: true },
        ),
      ),
      marks: ["rect", "shape", "line", "symbol"],
    },
    lrFinder: {
      chart: plot.lrFinder({
        lr: Array.from({ length: 30 }, (_, i) => 10 ** (-5 + i / 6)),
        loss: Array.from({ length: 30 }, (_, i) => 2.3 - 2 / (1 + Math.exp(-(i / 6 - 2.5) * 3))),
      }),
      marks: ["line", "rule", "text"],
    },
    graph: { chart: loss.graph({ names: { w } }), marks: ["rule", "symbol", "rect", "text"] },
    liveChart: { chart: live.chart(), marks: ["line"] },
  };
}

// Skipped on a developer machine without Chromium; CI (CI=true) installs it and must run this.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)("charts in Chromium with JupyterLab 4.6's Vega stack", () => {
  let browser: Browser;
  let page: BrowserPage;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning")
        problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    await page.setContent("<!doctype html><html><body></body></html>");
    for (const file of [
      "vega/build/vega.min.js",
      "vega-lite/build/vega-lite.min.js",
      "vega-embed/build/vega-embed.min.js",
    ]) {
      await page.addScriptTag({ path: require.resolve(file) });
    }
    await page.addScriptTag({ path: fileURLToPath(new URL("./page.js", import.meta.url)) });
  }, 60_000);

  afterAll(async () => {
    if (process.env.TSGRAD_SCREENSHOT && page)
      await page.screenshot({ path: process.env.TSGRAD_SCREENSHOT, fullPage: true });
    await browser?.close();
  });

  it("loads the versions JupyterLab 4.6 bundles", async () => {
    const versions = await page.evaluate("window.versions()");
    expect(versions).toEqual(["5.33.0", "5.6.1", "6.21.3"]);
  });

  for (const [name, { chart, marks }] of Object.entries(examples())) {
    it(`${name}: renders with no errors or warnings and draws ${marks.join(", ")}`, async () => {
      problems.length = 0;
      const drawn = await page.evaluate(([name, spec]) => (globalThis as unknown as Page).renderChart(name, spec), [
        name,
        chart.spec,
      ] as const);
      expect(problems).toEqual([]);
      expect(drawn.svg).toBe(true);
      for (const mark of marks) expect(drawn.marks).toContain(mark);
    });
  }

  it("slider charts bind an input range that filters the marks in the browser", async () => {
    const points = await page.evaluate(() => (globalThis as unknown as Page).moveSlider("loss", 2));
    expect(points).toEqual({ before: 6, after: 4 }); // 2 series × 3 epochs, then × 2
    expect(problems).toEqual([]);
  });
});
