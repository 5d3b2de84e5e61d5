// Cells that never end by themselves, one of each way a cell can keep the runtime busy: a
// synchronous loop, an asynchronous one, a loop of tensor ops, a loop of pooled matrix products,
// a loop after an await, an asynchronous tensor loop, a spinning timer callback, a loop redrawing a
// live chart (it waits on the rasterizer thread, engine/plot/rasterizer.ts). The fault suite
// interrupts each of them (processes.test.ts); bench/interrupts.ts interrupts them at random.
export const RUNAWAY_CELLS = [
  "for (;;) {}",
  "for (;;) await new Promise((r) => setTimeout(r, 1))",
  "let t = randn([100, 100]); for (;;) t = t.matmul(t).tanh()",
  "const a = randn([512, 512]); for (;;) a.matmul(a)",
  "await null; for (;;) {}",
  "let u = randn([100, 100]); for (;;) { await null; u = u.matmul(u).tanh() }",
  "setTimeout(() => { for (;;) {} }, 0); await new Promise((r) => setTimeout(r, 1e6))",
  'const live = liveChart({ title: "loss" }); for (let i = 0; ; i++) live.push({ step: i, loss: 1 / (i + 1) })',
];
