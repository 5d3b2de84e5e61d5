// A long session's memory: cells run back to back, each text different (as every student's
// cells differ), and the resident memory of the protocol process and of the runtime process is
// sampled after a warm-up and at the end, each time after a few seconds without requests (what
// a session keeps, not the garbage of the last cells: the runtime collects it once idle, as a
// student's pauses between cells allow). The figure is MiB of growth per 1,000 cells in each
// process; the reference is the target (3 MiB per 1,000 cells), so a ratio above 1 is within it.
//
//   node dist/bench/run.js soak        SOAK_CELLS (default 10,000) after SOAK_WARMUP (500)
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startKernel } from "../test/e2e/client.js";
import type { BenchTable } from "./engine.js";

const CELLS = Number(process.env.SOAK_CELLS ?? 10_000);
const WARMUP = Number(process.env.SOAK_WARMUP ?? 500);
const TARGET_MIB_PER_1000 = 3;
/** Longer than the runtime's idle collections wait (kernel/runtime/child/idle-gc.ts). */
const SETTLE_MS = Number(process.env.SOAK_SETTLE_MS ?? 3000);
/** This file runs as dist/bench/soak.js: the repository is two folders up. */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Resident set size of `pid` in MiB (Linux /proc). */
export function rssMib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

/** The first child process of `pid`: for a kernel, its runtime. */
export function childPid(pid: number): number {
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
    if (children) return Number(children.split(/\s+/)[0]);
  }
  throw new Error(`process ${pid} has no child`);
}

/** Cell `i`: a declaration, an expression and a printed line, different text every time. */
export function soakCell(i: number): string {
  return `const v${i}: number = ${i} * 2\nconsole.log("cell", v${i})\nv${i} + 1`;
}

function settle(): Promise<void> {
  return new Promise((done) => setTimeout(done, SETTLE_MS));
}

export async function bench(): Promise<BenchTable> {
  const kernel = await startKernel({ cwd: REPO, command: [join(REPO, "dist/kernel/main.js")] });
  try {
    const run = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const { reply } = await kernel.execute(soakCell(i), { timeoutMs: 120_000 });
        if (reply.content.status !== "ok") throw new Error(`cell ${i} failed: ${JSON.stringify(reply.content)}`);
      }
    };
    await run(0, WARMUP);
    const kernelPid = kernel.process.pid!;
    const runtimePid = childPid(kernelPid);
    await settle();
    const before = { kernel: rssMib(kernelPid), runtime: rssMib(runtimePid) };
    const started = performance.now();
    await run(WARMUP, WARMUP + CELLS);
    const seconds = (performance.now() - started) / 1000;
    await settle();
    const after = { kernel: rssMib(kernelPid), runtime: rssMib(runtimePid) };
    const per1000 = (key: "kernel" | "runtime") => ((after[key] - before[key]) / CELLS) * 1000;
    console.log(
      `${CELLS} cells after ${WARMUP} in ${seconds.toFixed(0)} s; RSS kernel ${before.kernel.toFixed(0)} → ${after.kernel.toFixed(0)} MiB, runtime ${before.runtime.toFixed(0)} → ${after.runtime.toFixed(0)} MiB`,
    );
    const row = (name: string, growth: number) => ({
      name,
      unit: "MiB / 1,000 cells",
      tsgrad: growth,
      reference: TARGET_MIB_PER_1000,
      ratio: TARGET_MIB_PER_1000 / Math.max(growth, 0.01),
    });
    return {
      title: `Memory growth over ${CELLS} cells`,
      referenceName: "target",
      rows: [row("protocol process", per1000("kernel")), row("runtime process", per1000("runtime"))],
    };
  } finally {
    await kernel.close();
  }
}
