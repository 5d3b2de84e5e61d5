// What the in-place safety costs: the same training steps with the version bookkeeping on and
// off (recording the inputs' versions, checking them in backward, counting in-place changes,
// fingerprinting storage a live graph saved when user code reads `data`). The engine has an
// internal switch for this benchmark only (saved-values.ts, `setVersionChecks`); everything else
// runs the same code, in the same process, on the same model.
//
// Blocks of ~20 ms alternate between on and off (the order flipping each round), 101 rounds;
// each round gives the ratio of its two blocks, and the median ratio is reported. Timed in CPU
// time: on a shared machine the time this process waits for a core is not the engine's. As a
// noise floor, each case also runs "on" against "on" the same way. (Two copies of the engine in
// one process, or one per process, measured up to ±15% apart when identical: too coarse for 5%.)
import { manualSeed, nn, optim, randint, randn, type Tensor, tensor } from "../engine/index.js";
import { setVersionChecks } from "../engine/saved-values.js";
import type { BenchRow, BenchTable } from "./engine.js";
import { median } from "./support/timing.js";

const ROUNDS = 101;

/** Where the "logged" loss goes (a value the step must keep, so its graph stays alive). */
export let logged: Tensor | null = null;

/** The seed model (4→10→1, batch 32, MSE, Adam) as a student writes it. */
function seedStep(evaluateWithoutNoGrad: boolean): () => void {
  manualSeed(0);
  const X = randn(32, 4);
  const y = X.matmul(tensor([[1], [-2], [3], [0.5]])).add(0.1);
  const model = new nn.Sequential(new nn.Linear(4, 10), new nn.ReLU(), new nn.Linear(10, 1));
  const criterion = new nn.MSELoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  return () => {
    const loss = criterion(model(X), y);
    optimizer.zeroGrad();
    loss.backward();
    // A loss computed for a log line outside noGrad keeps a graph alive over the step, so the
    // optimizer's writes to the parameters have to be noticed (a fingerprint of each).
    if (evaluateWithoutNoGrad) logged = criterion(model(X), y);
    optimizer.step();
  };
}

/** The MNIST-sized MLP 784→256→10 (batch 128, cross-entropy, Adam). */
function mnistStep(): () => void {
  manualSeed(0);
  const X = randn(128, 784);
  const labels = randint(0, 10, [128], { dtype: "int32" });
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  return () => {
    const loss = criterion(model(X), labels);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
  };
}

/** Twenty recorded ops on 4-element tensors and their backward: the per-op share at its largest. */
function smallOps(): () => void {
  const w = randn(4).requiresGrad_();
  const x = randn(4);
  return () => {
    let h = w;
    for (let i = 0; i < 10; i++) h = h.mul(x).add(1);
    h.sum().backward();
    w.grad = null;
  };
}

/** CPU seconds per call of `run` over `reps` calls, with the bookkeeping `on` or off. */
function block(run: () => void, reps: number, on: boolean): number {
  setVersionChecks(on);
  try {
    const start = process.cpuUsage();
    for (let i = 0; i < reps; i++) run();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6 / reps;
  } finally {
    setVersionChecks(true);
  }
}

/** Median over rounds of (b's time / a's time), a and b alternating first; and each one's median time. */
function paired(run: () => void, a: boolean, b: boolean): { ratio: number; a: number; b: number } {
  const start = performance.now();
  let calls = 0;
  for (; calls < 50 || performance.now() - start < 1500; calls++) run(); // V8's optimised tiers
  const reps = Math.max(3, Math.round((0.02 * calls) / ((performance.now() - start) / 1e3)));
  for (let i = 0; i < 3; i++) block(run, reps, !a); // both paths optimised before timing
  const ratios: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const first = r % 2 === 0;
    const tb = first ? 0 : block(run, reps, b);
    const ta = block(run, reps, a);
    const tb2 = first ? block(run, reps, b) : tb;
    as.push(ta);
    bs.push(tb2);
    ratios.push(tb2 / ta);
  }
  return { ratio: median(ratios), a: median(as), b: median(bs) };
}

/** Runs the comparison. */
export async function bench(): Promise<BenchTable> {
  const cases: [string, string, () => () => void][] = [
    ["MLP 4→10→1 step (batch 32, MSE, Adam)", "µs/step", () => seedStep(false)],
    ["  same, plus a loss kept outside noGrad", "µs/step", () => seedStep(true)],
    ["MLP 784→256→10 step (batch 128, CE, Adam)", "ms/step", mnistStep],
    ["20 recorded ops on [4] + backward", "µs/pass", smallOps],
  ];
  const rows: BenchRow[] = [];
  for (const [name, unit, make] of cases) {
    const run = make();
    const cost = paired(run, false, true);
    const floor = paired(run, true, true);
    const scale = unit.startsWith("ms") ? 1e3 : 1e6;
    console.log(
      `${name}: checks cost ${((cost.ratio - 1) * 100).toFixed(1)}% (on against on: ${((floor.ratio - 1) * 100).toFixed(1)}%)`,
    );
    rows.push({ name, unit, tsgrad: cost.b * scale, reference: cost.a * scale, ratio: 1 / cost.ratio });
  }
  return { title: "In-place safety (version counters): on, and switched off", referenceName: "off", rows };
}
