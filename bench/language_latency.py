"""Type-check and completion latency: tsgrad next to tslab, one client (jupyter_client), one run.

Run with `npm run build && /usr/bin/python3 bench/language_latency.py` (the peers come from
`npm --prefix bench/peers install`, see bench/kernel_latency.py). Every kernel is started through
jupyter_client's KernelManager from a kernelspec in a temporary JUPYTER_PATH, the same way.

The notebook: 30 earlier cells of plain TypeScript (so that tslab runs them too: a network
from scratch on arrays, with classes, interfaces and functions), then a typical 10-line cell
re-run EXECUTES times, and a completion after a dot in a cell that mentions earlier cells.

Figures per kernel:
  first check  seconds from the first kernel_info_reply to the idle of the first cell
               (the language service may still be warming up); "from start": from start_kernel()
  check        median / p90 round trip of the typical cell after the 30 cells
  added        that median minus the median of the same cell with checking off
               (tsgrad: TSGRAD_TYPECHECK=0; tslab has no such switch: not shown)
  complete     median / p90 complete_request round trip
A second tsgrad notebook uses the engine (tensors, nn, optim): the types a student meets.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time

from jupyter_client.manager import KernelManager

from jupyter_kernels import TSGRAD, TSLAB, await_kernel_info, wait_idle, write_specs

SPECS = {
    "tsgrad": (TSGRAD, {}),
    "tsgrad-nocheck": (TSGRAD, {"TSGRAD_TYPECHECK": "0"}),
    "tslab": (TSLAB, {}),
}
EXECUTES = int(os.environ.get("EXECUTES", "20"))
COMPLETES = int(os.environ.get("COMPLETES", "30"))


def earlier_cell(i):
    return f"""interface Layer{i} {{ weights: number[]; bias: number }}
const layer{i}: Layer{i} = {{ weights: Array.from({{ length: 8 }}, (_, j) => Math.sin(j + {i})), bias: {i} / 10 }};
function forward{i}(input: number[]): number[] {{
  return input.map((x, j) => Math.tanh(x * layer{i}.weights[j % layer{i}.weights.length] + layer{i}.bias));
}}
class Stats{i} {{
  constructor(readonly values: number[]) {{}}
  get mean(): number {{ return this.values.reduce((a, b) => a + b, 0) / this.values.length; }}
}}
const stats{i} = new Stats{i}(forward{i}([1, 2, 3, 4]));"""


TYPICAL_CELL = """const inputs: number[][] = [[0, 0], [0, 1], [1, 0], [1, 1]];
const targets = [0, 1, 1, 0];
function predict(x: number[]): number {
  const hidden = forward3(x.concat(x));
  return new Stats7(forward12(hidden)).mean;
}
let loss = 0;
for (let i = 0; i < inputs.length; i++) loss += (predict(inputs[i]) - targets[i]) ** 2;
const summary: { loss: number; mean: number } = { loss, mean: stats29.mean };
summary.loss"""

COMPLETION_CELL = "const probe = forward5([1, 2]);\nstats17."

ENGINE_EARLIER = [
    "const xs = randn([64, 4]);",
    "const ys = xs.matmul(randn([4, 1])).add(0.1);",
    "const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 1));",
    "const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });",
    "function mseLoss(p: Tensor, t: Tensor): Tensor { return p.sub(t).pow(2).mean(); }",
] + [f"const scale{i} = tensor([{i}, {i + 1}]).mul({i});" for i in range(25)]

ENGINE_CELL = """const losses: number[] = [];
for (let step = 0; step < 3; step++) {
  optimizer.zeroGrad();
  const prediction = model.forward(xs);
  const loss = mseLoss(prediction, ys);
  loss.backward();
  optimizer.step();
  losses.push(loss.item());
}
losses.at(-1)"""

ENGINE_COMPLETION = "const probe = xs.matmul(randn([4, 2]));\nprobe."


def shell_reply(client, msg_id, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        reply = client.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def run(client, code):
    """Round trip of one execute (request sent → idle); fails loudly if the cell fails."""
    started = time.perf_counter()
    msg_id = client.execute(code)
    reply = shell_reply(client, msg_id)
    wait_idle(client, msg_id, timeout=120)
    elapsed = time.perf_counter() - started
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"cell failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}\n{code}")
    return elapsed


def complete(client, code):
    started = time.perf_counter()
    msg_id = client.complete(code, len(code))
    reply = shell_reply(client, msg_id)
    elapsed = time.perf_counter() - started
    return elapsed, reply["content"]["matches"]


def measure(name, earlier, cell, completion, expect_match):
    km = KernelManager(kernel_name=name)
    started = time.perf_counter()
    km.start_kernel()
    client = km.client()
    client.start_channels()
    try:
        await_kernel_info(client)
        first = run(client, earlier[0])
        from_start = time.perf_counter() - started
        for code in earlier[1:]:
            run(client, code)
        # A different text each time (a comment), as when a student edits and re-runs: the
        # same text twice could be answered from the previous check.
        checks = sorted(run(client, f"{cell} // run {i}") for i in range(EXECUTES))
        completes = []
        for _ in range(COMPLETES):
            elapsed, matches = complete(client, f"// request {len(completes)}\n{completion}")
            if expect_match not in matches:
                raise RuntimeError(f"{name}: completion of {completion!r} lacks {expect_match}: {matches[:10]}")
            completes.append(elapsed)
        completes.sort()
        return {"first": first, "from_start": from_start, "check": statistics.median(checks), "check90": checks[int(len(checks) * 0.9) - 1],
                "complete": statistics.median(completes), "complete90": completes[int(len(completes) * 0.9) - 1]}
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)


def main():
    prefix = tempfile.mkdtemp(prefix="tsgrad-bench-")
    write_specs(prefix, SPECS)
    os.environ["JUPYTER_PATH"] = prefix
    earlier = [earlier_cell(i) for i in range(30)]
    names = [n for n in SPECS if len(sys.argv) < 2 or n in sys.argv[1:]]
    results = {}
    try:
        for name in names:
            print(f"  measuring {name} (plain TypeScript notebook)", file=sys.stderr, flush=True)
            results[name] = measure(name, earlier, TYPICAL_CELL, COMPLETION_CELL, "mean")
        for name in [n for n in names if n.startswith("tsgrad")]:
            print(f"  measuring {name} (engine notebook)", file=sys.stderr, flush=True)
            results[f"{name} engine"] = measure(name, ENGINE_EARLIER, ENGINE_CELL, ENGINE_COMPLETION, "matmul")
    finally:
        shutil.rmtree(prefix)

    print(f"\n{'kernel':22} {'first check':>12} {'from start':>11} {'check median':>13} {'p90':>8} {'added':>8} {'complete median':>16} {'p90':>8}")
    for name, r in results.items():
        baseline = results.get(name.replace("tsgrad", "tsgrad-nocheck")) if name.startswith("tsgrad") and "nocheck" not in name else None
        added = f"{(r['check'] - baseline['check']) * 1000:6.0f}ms" if baseline else "      -"
        print(f"{name:22} {r['first']:11.2f}s {r['from_start']:10.2f}s {r['check'] * 1000:11.0f}ms {r['check90'] * 1000:6.0f}ms {added:>8}"
              f" {r['complete'] * 1000:14.0f}ms {r['complete90'] * 1000:6.0f}ms")
    if "tsgrad" in results and "tslab" in results:
        t, s = results["tsgrad"], results["tslab"]
        print(f"\ntslab / tsgrad: check {s['check'] / t['check']:.2f}×, complete {s['complete'] / t['complete']:.2f}×,"
              f" first check {s['first'] / t['first']:.2f}×")


if __name__ == "__main__":
    main()
