// A notebook with charts, a table, live training and the backprop graph, executed and exported
// to HTML by Debian's nbconvert (as a course site or a grader would), then opened in Chromium:
// every chart shows as its PNG at the 1× size from the metadata.
// Set TSGRAD_SCREENSHOT_NBCONVERT=/path.png to keep a screenshot.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../e2e/client.js";

const CHROMIUM = "/usr/bin/chromium";
const PYTHON = "/usr/bin/python3";

const CELLS = [
  "manualSeed(0)\nconst X = randn([64, 2])\nconst y = tensor(Array.from({ length: 64 }, (_, i) => [X.data[2 * i]! + X.data[2 * i + 1]! > 0 ? 1 : 0]))",
  "plot.line({ train: [1, 0.6, 0.4, 0.3], val: [1.1, 0.8, 0.6, 0.55] }, { title: 'Loss', xLabel: 'epoch' })",
  "const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1))\nconst history = fit(model, [X, y], { epochs: 30, optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }), loss: new nn.BCEWithLogitsLoss(), metrics: ['accuracy'] })",
  "table(history.slice(-3), { precision: 3, caption: 'last epochs' })",
  "plot.decisionBoundary(model, X, y.reshape([64]))",
  "const w = tensor([0.5, -0.3])\nw.requiresGrad = true\nconst loss = tensor([1, 2]).mul(w).tanh().sum()\nloss.backward()\nloss.graph({ names: { w } })",
];

function notebook(cells: string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tsgrad", display_name: "tsgrad", language: "typescript" } },
    cells: cells.map((source, i) => ({
      cell_type: "code",
      id: `cell-${i}`,
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    })),
  });
}

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)("nbconvert HTML export of a notebook with charts", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsgrad-nbconvert-"));
  const kernelName = `tsgrad-nbconvert-${process.pid}`;
  let html = "";
  let executed: {
    cells: { outputs: { output_type: string; data?: Record<string, unknown>; metadata?: Record<string, unknown> }[] }[];
  };

  beforeAll(() => {
    execFileSync(
      process.execPath,
      [join(REPO_ROOT, "bin/tsgrad.js"), "install", "--prefix", join(dir, "prefix"), "--name", kernelName],
      { stdio: "pipe" },
    );
    writeFileSync(join(dir, "charts.ipynb"), notebook(CELLS));
    const env = {
      ...process.env,
      JUPYTER_PATH: join(dir, "prefix/share/jupyter"),
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
    };
    // Executed once; the HTML export is made from the executed notebook, as a course site does.
    execFileSync(
      PYTHON,
      [
        "-m",
        "jupyter",
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        `--ExecutePreprocessor.kernel_name=${kernelName}`,
        "--ExecutePreprocessor.timeout=300",
        "--output-dir",
        join(dir, "out"),
        join(dir, "charts.ipynb"),
      ],
      { env, stdio: "pipe", timeout: 300_000 },
    );
    execFileSync(PYTHON, ["-m", "jupyter", "nbconvert", "--to", "html", join(dir, "out/charts.ipynb")], {
      env,
      stdio: "pipe",
      timeout: 120_000,
    });
    html = join(dir, "out/charts.html");
    executed = JSON.parse(readFileSync(join(dir, "out/charts.ipynb"), "utf8"));
  }, 600_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("saves each chart once, finished: Vega-Lite + PNG + text, no HTML", () => {
    const charts = executed.cells
      .flatMap((c) => c.outputs)
      .filter((o) => o.data && "application/vnd.vegalite.v5+json" in o.data);
    expect(charts).toHaveLength(4); // line, the live chart of fit, decision boundary, graph
    for (const chart of charts)
      expect(Object.keys(chart.data!).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
    const fitOutputs = executed.cells[2]!.outputs;
    expect(fitOutputs.map((o) => o.output_type)).toEqual(["display_data", "display_data"]); // one chart, one progress bar
  });

  it("shows every chart's PNG at its 1× size in Chromium", async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.route(/^https?:/, (route) => route.abort()); // classrooms and CI are offline
      await page.goto(pathToFileURL(html).href, { waitUntil: "load" });
      const images = await page.$$eval("img", (imgs) =>
        imgs.map((img) => ({
          png: img.src.startsWith("data:image/png"),
          loaded: img.complete && img.naturalWidth > 0,
          natural: img.naturalWidth,
          shown: Math.round(img.getBoundingClientRect().width),
          attribute: img.getAttribute("width"),
        })),
      );
      const pngs = images.filter((i) => i.png);
      expect(pngs).toHaveLength(4);
      for (const image of pngs) {
        expect(image.loaded).toBe(true);
        expect(image.natural).toBe(2 * Number(image.attribute)); // 2× pixels shown at 1×
      }
      const tables = await page.$$eval("table caption", (captions) => captions.map((c) => c.textContent));
      expect(tables).toContain("last epochs");
      if (process.env.TSGRAD_SCREENSHOT_NBCONVERT)
        await page.screenshot({ path: process.env.TSGRAD_SCREENSHOT_NBCONVERT, fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
