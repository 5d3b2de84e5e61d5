// Interrupts of random running cells (a synchronous loop, an asynchronous one, a loop of tensor
// ops, a loop of pooled matrix products, a loop after an await, a spinning timer callback), each
// after a random delay: how many ended with KeyboardInterrupt and kept every variable, how many
// cost the runtime (a restart), and how long an interrupt took to answer. The reference is the
// number of interrupts: every one should keep the variables (ratio 1).
//
//   node dist/bench/run.js interrupts     INTERRUPTS (default 1,000)
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startKernel } from "../test/e2e/client.js";
import { RUNAWAY_CELLS } from "../test/fault/runaway-cells.js";
import type { BenchTable } from "./engine.js";

const INTERRUPTS = Number(process.env.INTERRUPTS ?? 1000);
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const CANARY = "const canary: number = 12345";

export async function bench(): Promise<BenchTable> {
  const kernel = await startKernel({ cwd: dirname(DIST), command: [join(DIST, "kernel/main.js")] });
  let kept = 0;
  let restarts = 0;
  const latencies: number[] = [];
  const started = performance.now();
  try {
    await kernel.execute(CANARY, { timeoutMs: 120_000 });
    for (let i = 0; i < INTERRUPTS; i++) {
      const code = RUNAWAY_CELLS[Math.floor(Math.random() * RUNAWAY_CELLS.length)]!;
      const running = kernel.startExecute(code, { stop_on_error: false });
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 250));
      const sent = performance.now();
      await kernel.request("control", "interrupt_request");
      const { reply } = await kernel.collect(running, 60_000);
      latencies.push(performance.now() - sent);
      // A cell may end on its own before the interrupt (the timer one does): then it is "ok".
      const stopped = reply.content.ename === "KeyboardInterrupt" || reply.content.status === "ok";
      if (!stopped || /restarted/.test(String(reply.content.evalue))) {
        restarts++;
        console.log(`interrupt ${i} of ${JSON.stringify(code)}: ${reply.content.ename}: ${reply.content.evalue}`);
        await kernel.execute(CANARY, { timeoutMs: 120_000 });
        continue;
      }
      const { outputs } = await kernel.execute("canary", { timeoutMs: 60_000 });
      if (JSON.stringify(outputs.map((m) => m.content)).includes("12345")) kept++;
      else console.log(`interrupt ${i} of ${JSON.stringify(code)}: canary lost: ${JSON.stringify(outputs)}`);
      if ((i + 1) % 100 === 0) console.log(`${i + 1} interrupts: ${kept} kept, ${restarts} restarts`);
    }
  } finally {
    await kernel.close();
  }
  const restartLines = kernel.log
    .split("\n")
    .filter((line) => /restarting the runtime|runtime process died/.test(line));
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const minutes = (performance.now() - started) / 60_000;
  console.log(
    `${INTERRUPTS} interrupts in ${minutes.toFixed(1)} min: ${kept} kept every variable, ${restarts} restarts ` +
      `(${restartLines.length} in the kernel log); answer median ${quantile(0.5).toFixed(0)} ms, 99th ${quantile(0.99).toFixed(0)} ms`,
  );
  return {
    title: `${INTERRUPTS} interrupts of running cells`,
    referenceName: "interrupts",
    rows: [
      { name: "variables kept", unit: "interrupts", tsgrad: kept, reference: INTERRUPTS, ratio: kept / INTERRUPTS },
      { name: "runtime restarts", unit: "interrupts", tsgrad: restarts, reference: 0, ratio: restarts === 0 ? 1 : 0 },
    ],
  };
}
