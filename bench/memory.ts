// Peak memory of training: the MLP 784→256→10 step of bench/mlp.ts (batch 128, softmax CE, Adam)
// run for a number of steps in a fresh Node process per contestant — ours on the WebAssembly and
// on the TypeScript kernels, TF.js on its WebAssembly and CPU backends — each reporting its peak
// resident set size (`process.resourceUsage().maxRSS`). A process of its own, because peak RSS
// never comes down: contestants sharing one would see each other's peaks. Each child also
// reports its RSS once the step is built, before the first step, so the table separates what
// training adds from what loading the library costs (TF.js loads far more code than we do).
import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchRow, BenchTable } from "./engine.js";

const CONTESTANTS = ["wasm", "js", "tf-wasm", "tf-cpu"] as const;
type Contestant = (typeof CONTESTANTS)[number];

/** Steps per child (TF.js CPU takes ~0.5 s a step); `MEMORY_BENCH_STEPS` overrides. */
const STEPS = Number(process.env.MEMORY_BENCH_STEPS ?? 30);

interface ChildReport {
  /** Resident set size after building the model and its step, before the first step (MB). */
  beforeMb: number;
  /** Peak resident set size over the whole process (MB). */
  peakMb: number;
}

/** In the child: builds `who`'s step, runs it `steps` times, prints a ChildReport as JSON. */
async function runChild(who: Contestant, steps: number): Promise<void> {
  const { mlpBatch, ourStep, loadTensorFlow, tfStep } = await import("./mlp.js");
  const { X, labels } = mlpBatch();
  let step: () => void;
  if (who === "wasm" || who === "js") {
    const { jsKernels, setKernels, simdKernels } = await import("../engine/kernels/index.js");
    setKernels(who === "js" ? jsKernels : simdKernels);
    step = ourStep(X, labels);
  } else {
    step = await tfStep(await loadTensorFlow(), who === "tf-wasm" ? "wasm" : "cpu", X, labels);
  }
  const beforeMb = process.memoryUsage().rss / 2 ** 20;
  for (let i = 0; i < steps; i++) step();
  const report: ChildReport = { beforeMb, peakMb: process.resourceUsage().maxRSS / 1024 }; // maxRSS is in KB
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** Runs one contestant's child process and parses the last line it prints. */
function measure(who: Contestant): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), who, String(STEPS)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !last.startsWith("{"))
        reject(new Error(`memory bench child ${who} exited with ${code}: ${out}`));
      else resolve(JSON.parse(last) as ChildReport);
    });
  });
}

/** Runs the memory benchmark (one child at a time: they would compete for the two cores). */
export async function bench(): Promise<BenchTable> {
  const reports = new Map<Contestant, ChildReport>();
  for (const who of CONTESTANTS) reports.set(who, await measure(who));
  const rows: BenchRow[] = [];
  for (const ours of ["wasm", "js"] as const) {
    for (const theirs of ["tf-wasm", "tf-cpu"] as const) {
      const a = reports.get(ours)!;
      const b = reports.get(theirs)!;
      const vs = `${ours} kernels vs ${theirs.replace("tf-", "tfjs-")}`;
      rows.push({
        name: `peak RSS, MLP 784→256→10, ${STEPS} steps, ${vs}`,
        unit: "MB",
        tsgrad: a.peakMb,
        reference: b.peakMb,
        ratio: b.peakMb / a.peakMb,
      });
      const grewA = a.peakMb - a.beforeMb;
      const grewB = b.peakMb - b.beforeMb;
      rows.push({
        name: `  of which training (peak − RSS before step 1), ${vs}`,
        unit: "MB",
        tsgrad: grewA,
        reference: grewB,
        ratio: grewB / grewA,
      });
    }
  }
  return { title: "memory: peak RSS of an MLP training run, one process per contestant", referenceName: "TF.js", rows };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const who = process.argv[2] as Contestant;
  if (!CONTESTANTS.includes(who))
    throw new Error(`bench/memory: child needs one of ${CONTESTANTS.join(", ")}, got ${who}`);
  await runChild(who, Number(process.argv[3] ?? STEPS));
}
