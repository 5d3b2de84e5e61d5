"""What the Python benchmarks share: the kernels to compare, their kernelspecs in a throwaway
JUPYTER_PATH, and waiting for a request's idle, so every kernel is driven by the same code."""

import json
import os
import shutil
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(ROOT, "bench", "peers", "node_modules", ".bin")
TSGRAD = [shutil.which("node"), os.path.join(ROOT, "dist", "kernel", "main.js"), "{connection_file}"]
TSLAB = [os.path.join(PEERS, "tslab"), "kernel", "--config-path", "{connection_file}"]
DENO = [os.path.join(PEERS, "deno"), "jupyter", "--kernel", "--conn", "{connection_file}"]


def write_specs(prefix, specs):
    """specs: name → (argv, extra env). Writes PREFIX/kernels/NAME/kernel.json for each."""
    for name, (argv, env) in specs.items():
        folder = os.path.join(prefix, "kernels", name)
        os.makedirs(folder)
        with open(os.path.join(folder, "kernel.json"), "w") as f:
            json.dump({"argv": argv, "display_name": name, "language": "typescript",
                       "env": {"NODE_NO_WARNINGS": "1", **env}}, f)


def wait_idle(client, msg_id, timeout=60):
    """Reads IOPub until the idle status of the request msg_id (other messages are skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        msg = client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            return


def await_kernel_info(client):
    """Like jupyter_server: ask for kernel_info every 0.5 s until one of the asks is answered."""
    asked, next_ask = set(), 0.0
    while True:
        if time.perf_counter() >= next_ask:
            asked.add(client.kernel_info())
            next_ask = time.perf_counter() + 0.5
        try:
            reply = client.get_shell_msg(timeout=0.01)
        except Exception:
            continue
        if reply["parent_header"].get("msg_id") in asked:
            return reply
