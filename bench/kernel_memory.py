"""Where a kernel's memory goes: tsgrad next to ipykernel, one client, one run.

Run with `npm run bench:memory` (after `npm run build`). Each kernel is started by jupyter_client
from a kernelspec in a temporary JUPYTER_PATH; the figures are of the kernel's whole process tree
(RSS, and PSS, which splits shared pages between processes, so a class's total is the sum of
PSS), per process for tsgrad (the protocol process, the runtime child), sampled every 50 ms:

  started   after kernel_info
  idle      1.5 s after the first cell (`1+1`, type-checked)
  peak      the highest sample while notebook 04's cells run (tsgrad only)
  after 04  idle again after notebook 04
  released  once the language worker has been released for idleness (TSGRAD_LANGUAGE_IDLE_S,
            120 s by default, RELEASE_S here so the run stays short), after notebook 04

and tsgrad's first type check: seconds from the first execute_request to its reply (the
compiler, the program and the declarations load then). ROUNDS rounds, interleaved; medians.
"""

import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

from jupyter_client.manager import KernelManager

from jupyter_kernels import TSGRAD, wait_idle, write_specs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOK = os.path.join(ROOT, "notebooks", "04-training-a-network.ipynb")
ROUNDS = int(os.environ.get("ROUNDS", "3"))
RELEASE_S = 5
IPYKERNEL = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


def tree(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(children.get(p, []))
    return out


def rollup(pid):
    """(RSS, PSS) of one process in MiB, from smaps_rollup."""
    rss = pss = 0.0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) / 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, pss


def tree_memory(pid):
    """Per process of the tree: [(RSS, PSS)], the kernel's own process first."""
    return [rollup(p) for p in tree(pid)]


class Sampler(threading.Thread):
    """The highest tree RSS and PSS seen while it runs."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.peak_pss, self.running = pid, 0.0, 0.0, True

    def run(self):
        while self.running:
            per = tree_memory(self.pid)
            self.peak_rss = max(self.peak_rss, sum(r for r, _ in per))
            self.peak_pss = max(self.peak_pss, sum(p for _, p in per))
            time.sleep(0.05)


def code_cells(path):
    with open(path) as f:
        cells = json.load(f)["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def measure(name, with_notebook):
    km = KernelManager(kernel_name=name)
    km.start_kernel(cwd=tempfile.mkdtemp(prefix="tsgrad-mem-"))
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        pid = km.provisioner.pid
        time.sleep(0.5)
        result = {"started": tree_memory(pid)}
        t = time.perf_counter()
        wait_idle(client, client.execute("1+1"), timeout=120)
        result["first_cell_s"] = time.perf_counter() - t
        time.sleep(1.5)
        result["idle"] = tree_memory(pid)
        if with_notebook:
            sampler = Sampler(pid)
            sampler.start()
            for code in code_cells(NOTEBOOK):
                wait_idle(client, client.execute(code), timeout=600)
            sampler.running = False
            sampler.join()
            result["peak"] = (sampler.peak_rss, sampler.peak_pss)
            time.sleep(1.5)
            result["after"] = tree_memory(pid)
            time.sleep(RELEASE_S + 3)
            result["released"] = tree_memory(pid)
        return result
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)


def total(per, i):
    return sum(p[i] for p in per)


def main():
    prefix = tempfile.mkdtemp(prefix="tsgrad-bench-")
    write_specs(prefix, {"tsgrad": (TSGRAD, {"TSGRAD_LANGUAGE_IDLE_S": str(RELEASE_S)}), "ipykernel": (IPYKERNEL, {})})
    os.environ["JUPYTER_PATH"] = prefix
    runs = {"tsgrad": [], "ipykernel": []}
    for _ in range(ROUNDS):
        for name in runs:
            try:
                runs[name].append(measure(name, with_notebook=name == "tsgrad"))
                r = runs[name][-1]
                print(f"  {name}: idle {total(r['idle'], 0):.0f} MiB RSS, first cell {r['first_cell_s']:.2f} s", file=sys.stderr, flush=True)
            except Exception as error:  # a round that fails is reported, not fatal
                print(f"  {name}: round failed ({type(error).__name__}: {error})", file=sys.stderr, flush=True)
    shutil.rmtree(prefix)

    def med(name, f):
        return statistics.median(f(r) for r in runs[name])

    print(f"{'kernel':10} {'rounds':>6} {'started RSS':>12} {'idle RSS':>9} {'idle PSS':>9} {'peak RSS (04)':>14}"
          f" {'peak PSS (04)':>14} {'after 04 RSS':>13} {'released RSS / PSS':>19} {'first cell':>11}")
    for name in runs:
        if not runs[name]:
            continue
        nb = name == "tsgrad"
        print(f"{name:10} {len(runs[name]):6} {med(name, lambda r: total(r['started'], 0)):10.0f}Mi"
              f" {med(name, lambda r: total(r['idle'], 0)):7.0f}Mi {med(name, lambda r: total(r['idle'], 1)):7.0f}Mi"
              + (f" {med(name, lambda r: r['peak'][0]):12.0f}Mi {med(name, lambda r: r['peak'][1]):12.0f}Mi"
                 f" {med(name, lambda r: total(r['after'], 0)):11.0f}Mi"
                 f" {med(name, lambda r: total(r['released'], 0)):9.0f} / {med(name, lambda r: total(r['released'], 1)):4.0f}Mi"
                 if nb else f" {'':>14} {'':>14} {'':>13} {'':>19}")
              + f" {med(name, lambda r: r['first_cell_s']):10.2f}s")
    if runs["tsgrad"]:
        for moment, title in [("idle", "idle after the first cell"), ("released", "language worker released")]:
            print(f"tsgrad per process, {title} (RSS / PSS, MiB):")
            for i, label in enumerate(["protocol process", "runtime child"]):
                if all(len(r[moment]) > i for r in runs["tsgrad"]):
                    print(f"  {label:18} {med('tsgrad', lambda r: r[moment][i][0]):6.0f} / {med('tsgrad', lambda r: r[moment][i][1]):.0f}")


if __name__ == "__main__":
    main()
