"""Kernel start-up and round-trip latency: tsgrad next to tslab and Deno, one client, one run.

Run with `npm run bench:kernel` (it installs the peers into bench/peers first). Every kernel is
started through jupyter_client's KernelManager from a kernelspec written to a temporary
JUPYTER_PATH, so all of them are measured by the same client code in the same process, and
interleaved round by round so machine noise hits them alike.

Figures per kernel:
  first reply  seconds from start_kernel() to the first kernel_info_reply (median of rounds)
  1+1          execute_request round trip (request sent → idle received), median and p95
  idle RSS     resident memory of the kernel's process tree after the warm-up, MiB
"""

import os
import shutil
import statistics
import sys
import tempfile
import time

from jupyter_client.manager import KernelManager

from jupyter_kernels import DENO, TSGRAD, TSLAB, await_kernel_info, wait_idle, write_specs

SPECS = {"tsgrad": (TSGRAD, {}), "tslab": (TSLAB, {}), "deno": (DENO, {})}
ROUNDS = int(os.environ.get("ROUNDS", "3"))
EXECUTES = int(os.environ.get("EXECUTES", "100"))


def tree_rss_mib(pid):
    """Resident memory of pid and all its descendants (a kernel may run child processes)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        stack.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def measure(name):
    km = KernelManager(kernel_name=name)
    t0 = time.perf_counter()
    km.start_kernel()
    client = km.client()
    client.start_channels()
    try:
        await_kernel_info(client)
        first_reply = time.perf_counter() - t0
        print(f"  {name}: first reply after {first_reply:.2f}s", file=sys.stderr, flush=True)
        # Warm-up: the first execute may load compilers lazily; it is not what a student waits
        # for on every cell.
        for _ in range(3):
            wait_idle(client, client.execute("1+1"))
        times = []
        for _ in range(EXECUTES):
            t = time.perf_counter()
            wait_idle(client, client.execute("1+1"))
            times.append(time.perf_counter() - t)
        time.sleep(0.5)
        rss = tree_rss_mib(km.provisioner.pid)
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)
    times.sort()
    return first_reply, statistics.median(times), times[int(len(times) * 0.95) - 1], rss


def main():
    prefix = tempfile.mkdtemp(prefix="tsgrad-bench-")
    write_specs(prefix, SPECS)
    os.environ["JUPYTER_PATH"] = prefix
    names = [n for n in SPECS if len(sys.argv) < 2 or n in sys.argv[1:]]
    results = {n: [] for n in names}
    for _ in range(ROUNDS):
        for name in names:
            try:
                results[name].append(measure(name))
            except Exception as error:  # a kernel that hangs once is reported, not fatal
                print(f"  {name}: round failed ({type(error).__name__}: {error})", file=sys.stderr, flush=True)
    shutil.rmtree(prefix)

    names = [n for n in names if results[n]]

    def med(name, i):
        return statistics.median(r[i] for r in results[name])

    print(f"{'kernel':8} {'rounds':>6} {'first reply':>12} {'1+1 median':>11} {'1+1 p95':>9} {'idle RSS':>9}"
          f" {'first reply vs tsgrad':>22} {'1+1 vs tsgrad':>14}")
    for name in names:
        fr, m, p95, rss = (med(name, i) for i in range(4))
        base_fr, base_m = med(names[0], 0), med(names[0], 1)
        print(f"{name:8} {len(results[name]):6} {fr:11.2f}s {m * 1000:9.2f}ms {p95 * 1000:7.2f}ms {rss:7.0f}MiB"
              f" {fr / base_fr:21.2f}× {m / base_m:13.2f}×")


if __name__ == "__main__":
    main()
