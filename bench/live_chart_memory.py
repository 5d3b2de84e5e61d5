"""Resident memory of the runtime while a synchronous training loop pushes to a live chart.

A cell's synchronous loop never lets its thread's event loop turn, so whatever a render leaves
for the loop to free stays until the cell ends. One kernel through jupyter_client runs, for
SECONDS each (default 20), the same busy loop twice: once pushing a point per step to a
`liveChart` (which redraws its PNG up to 4 times a second), once without a chart (the
reference). The runtime child's resident memory is sampled every 20 ms.

    /usr/bin/python3 bench/live_chart_memory.py [SECONDS]
"""

import os
import sys
import tempfile
import threading
import time

from jupyter_client.manager import KernelManager

from jupyter_kernels import TSGRAD, wait_idle, write_specs

LOOP = """{setup}
const started = Date.now();
let step = 0;
while (Date.now() - started < {seconds} * 1000) {{
  const stepStarted = Date.now();
  while (Date.now() - stepStarted < 20); // a training step
  step++;
  {push}
}}
console.log(step, "steps")"""


def runtime_pid(kernel_pid):
    children = []
    for task in os.listdir(f"/proc/{kernel_pid}/task"):
        with open(f"/proc/{kernel_pid}/task/{task}/children") as f:
            children += [int(pid) for pid in f.read().split()]
    return children[0]


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(f.read().split("VmRSS:")[1].split()[0]) / 1024


def measure(client, pid, code):
    """(before, peak, 3 s after) resident MiB of `pid` around one execute of `code`."""
    peak, done = [0.0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mib(pid))
            time.sleep(0.02)

    before = rss_mib(pid)
    sampler = threading.Thread(target=sample)
    sampler.start()
    wait_idle(client, client.execute(code), timeout=600)
    done.set()
    sampler.join()
    time.sleep(3)
    return before, peak[0], rss_mib(pid)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20
    os.environ["JUPYTER_PATH"] = tempfile.mkdtemp()
    write_specs(os.environ["JUPYTER_PATH"], {"tsgrad": (TSGRAD, {})})
    manager = KernelManager(kernel_name="tsgrad")
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(60)
        # Load the chart libraries first, so the first chart's one-time cost is not counted.
        wait_idle(client, client.execute('display(plot.line([1, 2, 3])); 1'), timeout=120)
        pid = runtime_pid(manager.provisioner.process.pid)
        runs = {
            "without a chart (reference)": LOOP.format(setup="", seconds=seconds, push=""),
            "pushing to a live chart": LOOP.format(
                setup='const live = liveChart({ title: "loss" });', seconds=seconds,
                push="live.push({ step, loss: Math.exp(-step / 100) });"),
        }
        print(f"A {seconds:g} s synchronous loop, runtime child resident memory (MiB):\n")
        print("| loop | before | peak | 3 s after | peak − before |")
        print("| --- | --- | --- | --- | --- |")
        for name, code in runs.items():
            before, peak, after = measure(client, pid, code)
            print(f"| {name} | {before:.0f} | {peak:.0f} | {after:.0f} | {peak - before:+.0f} |")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
