"""Measures Jupyter kernels the same way, in the same run, through jupyter_client:

- launch → first kernel_info_reply (polling kernel_info every 10 ms, as a client waiting for a
  kernel does), median of several launches;
- round trip of a trivial execute (`1+1`: request sent → execute_reply and idle received),
  median and p95 of 100 after 5 warm-up runs;
- idle memory: RSS of the kernel process and all its descendants after the runs.

usage: /usr/bin/python3 test/clients/measure_kernels.py KERNEL_NAME [KERNEL_NAME ...]
       (kernelspecs as `jupyter kernelspec list` shows them; set JUPYTER_PATH for test installs)
"""

import os
import statistics
import sys
import time
from queue import Empty

from jupyter_client.manager import KernelManager

LAUNCHES = 5
EXECUTES = 100
WARMUP = 5
CODE = "1+1"


def descendants(pid):
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            children.append(int(entry))
    found = list(children)
    for child in children:
        found.extend(descendants(child))
    return found


def rss_mb(pid):
    total = 0
    for p in [pid, *descendants(pid)]:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def first_reply_seconds(name):
    km = KernelManager(kernel_name=name)
    started = time.monotonic()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        while True:
            kc.kernel_info()
            try:
                kc.get_shell_msg(timeout=0.01)
                return time.monotonic() - started
            except Empty:
                if time.monotonic() - started > 60:
                    raise RuntimeError(f"{name}: no kernel_info_reply in 60 s")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def execute_round_trip(kc, code):
    """Seconds from sending the request to having both its reply and its idle."""
    started = time.monotonic()
    msg_id = kc.execute(code)
    while kc.get_shell_msg(timeout=30)["parent_header"].get("msg_id") != msg_id:
        pass
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if (
            msg["parent_header"].get("msg_id") == msg_id
            and msg["msg_type"] == "status"
            and msg["content"]["execution_state"] == "idle"
        ):
            return time.monotonic() - started


def measure(name):
    launches = sorted(first_reply_seconds(name) for _ in range(LAUNCHES))
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        for _ in range(WARMUP):
            execute_round_trip(kc, CODE)
        times = sorted(execute_round_trip(kc, CODE) for _ in range(EXECUTES))
        time.sleep(2)
        memory = rss_mb(km.provisioner.pid if hasattr(km, "provisioner") and km.provisioner else km.kernel.pid)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return {
        "first_reply_s": statistics.median(launches),
        "execute_median_ms": statistics.median(times) * 1000,
        "execute_p95_ms": times[int(len(times) * 0.95) - 1] * 1000,
        "idle_rss_mb": memory,
    }


def main(names):
    print(f"| kernel | launch → first kernel_info_reply (median of {LAUNCHES}) | `{CODE}` round trip median | p95 | idle RSS (process tree) |")
    print("| --- | --- | --- | --- | --- |")
    for name in names:
        r = measure(name)
        print(
            f"| {name} | {r['first_reply_s']:.2f} s | {r['execute_median_ms']:.1f} ms | "
            f"{r['execute_p95_ms']:.1f} ms | {r['idle_rss_mb']:.0f} MB |",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:] or ["tsgrad"])
