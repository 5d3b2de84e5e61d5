// `npm start`: the tutorials in a notebook server whose tsgrad kernel is this checkout's build.
// Driven as a browser would, through the server's REST API: the kernelspec is listed, the
// tutorials are the server's files, and a tsgrad kernel starts there and answers.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePorts, REPO_ROOT } from "./client.js";

// Debian's classic Notebook (scripts/setup installs it); JupyterLab, where installed, is picked first.
const server = existsSync("/usr/bin/jupyter-notebook") ? "notebook" : undefined;
const TOKEN = "tsgrad-start-test";
let child: ChildProcess | undefined;
let log = "";

afterAll(async () => {
  const pid = child?.pid;
  if (pid === undefined) return;
  // npm, the start script and the server share the process group npm leads: stop them all.
  // SIGTERM stops a server at once (SIGINT makes the classic Notebook ask for confirmation).
  const signalGroup = (signal: NodeJS.Signals | 0) => {
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false;
    }
  };
  signalGroup("SIGTERM");
  for (let i = 0; i < 300 && signalGroup(0); i++) await new Promise((done) => setTimeout(done, 100));
  signalGroup("SIGKILL");
}, 60_000);

/** Sends kernel_info_request on the channels WebSocket (argv[1]) and prints the reply's content. */
const KERNEL_INFO_OVER_WS = `
const ws = new WebSocket(process.argv[1]);
const msg_id = crypto.randomUUID();
ws.onopen = () => ws.send(JSON.stringify({ channel: "shell", header: { msg_id, msg_type: "kernel_info_request", session: "s", username: "u", date: new Date().toISOString(), version: "5.4" }, parent_header: {}, metadata: {}, content: {}, buffers: [] }));
ws.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.parent_header.msg_id === msg_id && message.msg_type === "kernel_info_reply") { console.log(JSON.stringify(message.content)); process.exit(0); }
};
setTimeout(() => process.exit(1), 80000);
`;

async function api(port: number, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    ...init,
    headers: { Authorization: `token ${TOKEN}`, ...init.headers },
  });
}

describe.skipIf(!server)("npm start", () => {
  it("opens the tutorials in a notebook server with this checkout's tsgrad kernel", async () => {
    const [port] = (await freePorts(1)) as [number];
    child = spawn(
      "npm",
      ["start", "--", "--no-browser", `--port=${port}`, "--ip=127.0.0.1", `--NotebookApp.token=${TOKEN}`],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, TSGRAD_NOTEBOOK_SERVER: server },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    for (const stream of [child.stdout, child.stderr]) stream?.on("data", (chunk: Buffer) => (log += chunk.toString()));

    const deadline = Date.now() + 60_000;
    type Specs = { kernelspecs: Record<string, { spec: { argv: string[] } }> };
    let specs: Specs | undefined;
    while (!specs && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 500));
      specs = await api(port, "/api/kernelspecs")
        .then((r) => (r.ok ? (r.json() as Promise<Specs>) : undefined))
        .catch(() => undefined);
    }
    expect(specs, log).toBeDefined();
    expect(log).toContain("tsgrad: starting the classic Notebook");
    const argv = specs?.kernelspecs.tsgrad?.spec.argv ?? [];
    expect(argv[1]).toBe(join(REPO_ROOT, "dist", "kernel", "main.js"));

    const contents = (await (await api(port, "/api/contents")).json()) as { content: { name: string }[] };
    expect(contents.content.map((entry) => entry.name)).toContain("01-forward-pass-and-loss.ipynb");

    const started = (await (
      await api(port, "/api/kernels", { method: "POST", body: JSON.stringify({ name: "tsgrad" }) })
    ).json()) as { id: string };
    // kernel_info over the server's WebSocket, as the notebook page asks it (Node 20's WebSocket
    // is behind a flag, hence a child process).
    const reply = spawnSync(
      process.execPath,
      [
        "--experimental-websocket",
        "--no-warnings",
        "-e",
        KERNEL_INFO_OVER_WS,
        `ws://127.0.0.1:${port}/api/kernels/${started.id}/channels?token=${TOKEN}`,
      ],
      {
        encoding: "utf8",
        timeout: 90_000,
      },
    );
    expect(reply.stdout, reply.stderr + log).toContain('"implementation":"tsgrad"');
    await api(port, `/api/kernels/${started.id}`, { method: "DELETE" });
  }, 180_000);
});
