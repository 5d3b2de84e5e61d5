// Runs every benchmark module in this directory (each exports `bench()`) and prints its table.
// Each module measures its own reference in the same run, so the ratios are what matter.
// Helper modules live in support/, which is not scanned: importing one costs time and may load a
// reference library. timing.js and tfjs-wasm.js are helpers too but stay here for now, because
// matmul.ts imports them from here; they are skipped by name.
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
  const rows = table.rows.map((r) => [r.name, r.unit, formatNumber(r.tsgrad), formatNumber(r.reference), formatNumber(r.ratio)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(`\n## ${table.title}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  rows.forEach((r) => console.log(line(r)));
}

const files = readdirSync(here).filter((f) => f.endsWith(".js") && f !== "run.js").sort();
for (const file of files) {
  const mod = (await import(pathToFileURL(`${here}/${file}`).href)) as { bench?: () => Promise<BenchTable> };
  if (typeof mod.bench === "function") printTable(await mod.bench());
  else console.log(`\n(${file} exports no bench(): a helper module belongs in bench/support/)`);
}
