// Runs every benchmark module in this directory (each exports `bench()`) and prints its table.
// Each module measures its own references in the same process as ours, interleaved, so the
// ratios are what matter. Each module runs in a process of its own: run one after another in one
// process, the language benchmark left a heap (the TypeScript compiler's) that made the MLP step
// measured after it ~10% slower, ours more than TF.js's. Helper modules live in support/.
//
//   node dist/bench/run.js            every module
//   node dist/bench/run.js matmul     one module
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchTable } from "./engine.js";

const here = dirname(fileURLToPath(import.meta.url));

function formatNumber(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function printTable(table: BenchTable): void {
  const header = ["benchmark", "unit", "tsgrad", table.referenceName, "ratio (×, >1 = tsgrad faster)"];
  const rows = table.rows.map((r) => [
    r.name,
    r.unit,
    formatNumber(r.tsgrad),
    formatNumber(r.reference),
    formatNumber(r.ratio),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(`\n## ${table.title}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  rows.forEach((r) => console.log(line(r)));
}

const requested = process.argv[2];
if (requested) {
  const mod = (await import(pathToFileURL(`${here}/${requested.replace(/\.js$/, "")}.js`).href)) as {
    bench?: () => Promise<BenchTable>;
  };
  if (typeof mod.bench !== "function")
    throw new Error(`${requested} exports no bench(): a helper module belongs in bench/support/`);
  printTable(await mod.bench());
  process.exit(0); // a module's worker threads and TF.js backends would otherwise keep it alive
} else {
  const modules = readdirSync(here)
    .filter((f) => f.endsWith(".js") && f !== "run.js")
    .sort();
  let failed = 0;
  for (const file of modules) {
    const { status } = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), file], {
      stdio: "inherit",
    });
    if (status !== 0) failed++;
  }
  if (failed > 0) {
    console.error(`\n${failed} benchmark module${failed > 1 ? "s" : ""} failed`);
    process.exitCode = 1;
  }
}
