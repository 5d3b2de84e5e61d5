"""Pathological cell text against one tsgrad kernel: how long each analysis takes to answer.

Run with `npm run build && /usr/bin/python3 bench/pathological_analyses.py [case ...]`. One
kernel, started by jupyter_client from a kernelspec in a temporary JUPYTER_PATH. For each case:
execute it (its type check may be given up: the note on stderr says why), then is_complete,
complete at its end and inspect near its start, then a cell with a type error (later cells are
checked again) and one reading a variable from before (the kernel kept it).

Each line gives the wall time, the CPU time of the kernel's whole process tree (all threads:
close to what a quiet machine's wall time would be, whatever the load), and the ratio to the
same request on a trivial cell measured in the same run.
"""

import os
import shutil
import sys
import tempfile
import time

from jupyter_client.manager import KernelManager

from jupyter_kernels import TSGRAD, wait_idle, write_specs

TICK = os.sysconf("SC_CLK_TCK")
CASES = {
    "recursive-type": 'type Rec<T, N extends number, A extends unknown[] = []> = A["length"] extends N ? T'
    ' : Rec<T[], N, [...A, 0]>; const r: Rec<number, 999> = null as any; 1',
    "sum-9000": " + ".join(str(i) for i in range(9000)),
    "sum-20000": " + ".join(str(i) for i in range(20000)),
    "sum-40000": " + ".join(str(i) for i in range(40000)),
    "nested-3000": "const d = " + "[" * 3000 + "]" * 3000 + "; 1",
    "parens-1000": "(" * 1000,
    "cell-1MB": "\n".join(f"const v{i} = {i} * 2 + 1;" for i in range(40000)),
    # The same with type annotations (blanked: child/blank-types.ts).
    "cell-1MB-typed": "\n".join(f"const t{i}: number = {i} * 2 + 1;" for i in range(40000)),
    "excessively-deep": "type Inf<T> = { [K in keyof T]: Inf<[T, T]> }; declare const inf: Inf<[1]>;"
    " const xx = inf[0][0][0][0][0][0][0][0][0][0][0][0]; 3",
    "union-5000": "type U = " + " | ".join(f'"member{i}"' for i in range(5000)) + ';\nconst u: U = "member1";\nu.',
}


def tree_cpu(pid):
    """CPU seconds used so far by process pid and its descendants (every thread)."""
    total, pids = 0, [pid]
    while pids:
        pid = pids.pop()
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    pids += [int(child) for child in f.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / TICK


def timed(km, send, reply_of):
    """Wall and CPU seconds of one request, and its reply."""
    cpu, start = tree_cpu(km.provisioner.process.pid), time.perf_counter()
    msg_id = send()
    reply = reply_of(msg_id)
    return time.perf_counter() - start, tree_cpu(km.provisioner.process.pid) - cpu, reply


def main():
    names = sys.argv[1:] or list(CASES)
    prefix = tempfile.mkdtemp(prefix="tsgrad-pathological-")
    write_specs(prefix, {"tsgrad": (TSGRAD, {})})
    os.environ["JUPYTER_PATH"] = prefix
    km = KernelManager(kernel_name="tsgrad")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)

    def shell_reply(msg_id, timeout=300):
        while True:
            reply = kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def execute(code):
        def reply_of(msg_id):
            outputs = []
            deadline = time.monotonic() + 300
            while True:
                msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "stream" and msg["content"]["name"] == "stderr":
                    outputs.append(msg["content"]["text"].strip())
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
            content = shell_reply(msg_id)["content"]
            return content.get("evalue") or " ".join(outputs) or content["status"]

        return timed(km, lambda: kc.execute(code), reply_of)

    def analyse(kind, code):
        send = {
            "is_complete": lambda: kc.is_complete(code),
            "complete": lambda: kc.complete(code, len(code)),
            "inspect": lambda: kc.inspect(code, min(12, len(code))),
        }[kind]
        wall, cpu, reply = timed(km, send, shell_reply)
        content = reply["content"]
        if kind == "is_complete":
            return wall, cpu, content.get("status")
        return wall, cpu, f"{len(content['matches'])} matches" if kind == "complete" else f"found: {content.get('found')}"

    def load():
        with open("/proc/loadavg") as f:
            return f.read().split()[0]

    execute("const kept: number = 41")
    reference = {"execute": execute("kept")[0]}
    for kind in ("is_complete", "complete", "inspect"):
        reference[kind] = analyse(kind, "kept")[0]
    print(f"trivial cell: execute {reference['execute']:.3f} s, is_complete {reference['is_complete']:.3f} s, "
          f"complete {reference['complete']:.3f} s, inspect {reference['inspect']:.3f} s (load {load()})")
    for name in names:
        code = CASES[name]
        print(f"{name} ({len(code):,} characters, load {load()})", flush=True)
        wall, cpu, what = execute(code)
        print(f"  execute      {wall:6.2f} s  cpu {cpu:5.2f} s  ×{wall / reference['execute']:7.0f}  {what[:110]}")
        for kind in ("is_complete", "complete", "inspect"):
            wall, cpu, what = analyse(kind, code)
            print(f"  {kind:12} {wall:6.2f} s  cpu {cpu:5.2f} s  ×{wall / reference[kind]:7.0f}  {what}")
        wall, cpu, what = execute("const later: string = kept")
        print(f"  later cell   {wall:6.2f} s  cpu {cpu:5.2f} s  {what[:60]}")
        assert execute("kept")[2] == "ok", "the kernel lost a variable"
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    shutil.rmtree(prefix, ignore_errors=True)


if __name__ == "__main__":
    main()
