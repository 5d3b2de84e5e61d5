#!/usr/bin/env node
// A class, simulated on one machine: Debian's JupyterHub (3.0; dummy authenticator, local
// process spawner, configurable-http-proxy from npm since Debian's fails on Node 20) and N
// students who each open a tsgrad kernel through their single-user server's REST/WebSocket API
// with @jupyterlab/services — what JupyterLab does — and run a tutorial's code cells, all at once.
//
//   npm --prefix bench/classroom install        (once: the proxy and the client library)
//   node bench/classroom/run.mjs [N=5] [notebook=notebooks/04-training-a-network.ipynb]
//
// Reports the wall time until every student finished, failed cells, each tsgrad kernel's process
// tree RSS and PSS idle (after `1+1`), at its peak during the tutorial (sampled every 200 ms), and
// two minutes after it (CLASSROOM_RELEASE_WAIT_S, 125; 0 skips), once the language worker is
// released; and the same idle figures for ipykernel kernels started beside them. Loopback only;
// every process it starts is stopped at the end.

import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { KernelManager, ServerConnection } from "@jupyterlab/services";
import WebSocket from "ws";

/**
 * @jupyterlab/services asks for the v1 kernel WebSocket subprotocol; Debian's classic Notebook
 * (what jupyterhub-singleuser runs here) answers none, which a browser accepts (falling back to
 * JSON messages) and `ws` treats as an error. Asking for none gives the browser's behaviour.
 */
class BrowserLikeWebSocket extends WebSocket {
  // biome-ignore lint/complexity/noUselessConstructor: it drops the subprotocols argument
  constructor(url) {
    super(url);
  }
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const STUDENTS = Number(process.argv[2] ?? 5);
const NOTEBOOK = resolve(process.argv[3] ?? join(ROOT, "notebooks/04-training-a-network.ipynb"));
const IPYKERNELS = Math.min(STUDENTS, 3);
/** Opening a kernel (session, WebSocket, kernel_info) gets this long, twice, before the student is counted out. */
const OPEN_TIMEOUT_MS = 120_000;
/** A cell with no reply in this long counts as failed (the student moves on, as nbclient would). */
const CELL_TIMEOUT_MS = 600_000;

const work = mkdtempSync(join(tmpdir(), "tsgrad-classroom-"));
const token = randomBytes(24).toString("hex");
const [port, hubPort, proxyApiPort] = [await freePort(), await freePort(), await freePort()];
const hubUrl = `http://127.0.0.1:${port}`;
let hub;

try {
  // tsgrad's kernelspec from this checkout, seen by every single-user server through JUPYTER_PATH.
  log("installing the kernelspec");
  spawnSync(process.execPath, [join(ROOT, "bin/tsgrad.js"), "install", "--prefix", join(work, "jupyter")], {
    stdio: "ignore",
  });
  writeFileSync(join(work, "jupyterhub_config.py"), hubConfig());
  log(`starting the hub on ${hubUrl}`);
  hub = spawn("jupyterhub", ["-f", join(work, "jupyterhub_config.py")], {
    cwd: work,
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let hubLog = "";
  hub.stderr.on("data", (chunk) => (hubLog = (hubLog + chunk).slice(-20_000)));
  await waitFor(
    async () => (await hubApi("GET", "/hub/api/")).ok,
    60_000,
    () => `the hub did not start:\n${hubLog}`,
  );

  const names = Array.from({ length: STUDENTS }, (_, i) => `student${i + 1}`);
  await hubApi("POST", "/hub/api/users", { usernames: names });
  const spawnStart = performance.now();
  await Promise.all(names.map((name) => hubApi("POST", `/hub/api/users/${name}/server`)));
  await waitFor(
    async () => {
      const users = await (await hubApi("GET", "/hub/api/users")).json();
      return users.filter((u) => u.servers?.[""]?.ready).length === STUDENTS;
    },
    300_000,
    () => `servers not ready:\n${hubLog}`,
  );
  const spawnSeconds = (performance.now() - spawnStart) / 1000;
  log(`${STUDENTS} servers ready in ${spawnSeconds.toFixed(1)} s`);

  const cells = codeCells(NOTEBOOK);
  const opened = await Promise.allSettled(names.map((name) => openKernel(name, "tsgrad")));
  const students = opened.filter((o) => o.status === "fulfilled").map((o) => o.value);
  const neverOpened = STUDENTS - students.length;
  for (const o of opened) if (o.status === "rejected") log(`${o.reason.message}; that student's cells count as failed`);
  for (const student of students) await execute(student.kernel, "1+1");
  await sleep(1500);
  const idle = students.map((s) => treeMemory(kernelPid(s)));
  log(`idle tsgrad kernels: RSS ${summary(idle.map((m) => m.rss))}, PSS ${summary(idle.map((m) => m.pss))} MiB`);

  const peaks = students.map(() => ({ rss: 0, pss: 0 }));
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      students.forEach((s, i) => {
        const m = treeMemory(kernelPid(s));
        peaks[i] = { rss: Math.max(peaks[i].rss, m.rss), pss: Math.max(peaks[i].pss, m.pss) };
      });
      await sleep(200);
    }
  })();
  const runStart = performance.now();
  const results = await Promise.all(
    students.map(async (student) => {
      let failed = 0;
      for (const code of cells) {
        const reply = await execute(student.kernel, code).catch((error) => ({ status: "error", ename: String(error) }));
        if (reply.status !== "ok") failed++;
      }
      return { failed, seconds: (performance.now() - runStart) / 1000 };
    }),
  );
  const wall = (performance.now() - runStart) / 1000;
  sampling = false;
  await sampler;

  const ipy = await Promise.all(names.slice(0, IPYKERNELS).map((name) => openKernel(name, "python3")));
  for (const student of ipy) await execute(student.kernel, "1+1");
  await sleep(1500);
  const ipyIdle = ipy.map((s) => treeMemory(kernelPid(s)));
  const servers = names.map((name) => treeMemory(serverPid(name), false));
  // Under JupyterHub a kernel ends its language worker after two minutes without a request
  // (TSGRAD_LANGUAGE_IDLE_S): what a student who stopped to read costs.
  const releaseWaitMs = Number(process.env.CLASSROOM_RELEASE_WAIT_S ?? 125) * 1000;
  let released;
  if (releaseWaitMs > 0) {
    await sleep(Math.max(0, releaseWaitMs - (performance.now() - runStart - wall * 1000)));
    released = students.map((s) => treeMemory(kernelPid(s)));
  }

  const failed = results.reduce((sum, r) => sum + r.failed, 0) + neverOpened * cells.length;
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(
    `students ${STUDENTS}, notebook ${NOTEBOOK.split("/").pop()} (${cells.length} code cells each), load average now ${load}`,
  );
  console.log(
    `wall time, all students: ${wall.toFixed(1)} s (each: ${summary(results.map((r) => r.seconds))} s); failed cells: ${failed}/${cells.length * STUDENTS}`,
  );
  console.log(
    `tsgrad kernel idle (after 1+1)  RSS ${summary(idle.map((m) => m.rss))}  PSS ${summary(idle.map((m) => m.pss))} MiB`,
  );
  console.log(
    `tsgrad kernel peak (tutorial)   RSS ${summary(peaks.map((m) => m.rss))}  PSS ${summary(peaks.map((m) => m.pss))} MiB`,
  );
  if (released)
    console.log(
      `tsgrad kernel idle ${Math.round(releaseWaitMs / 1000)} s later  RSS ${summary(released.map((m) => m.rss))}  PSS ${summary(released.map((m) => m.pss))} MiB (language worker released)`,
    );
  console.log(
    `ipykernel idle (after 1+1)      RSS ${summary(ipyIdle.map((m) => m.rss))}  PSS ${summary(ipyIdle.map((m) => m.pss))} MiB (${IPYKERNELS} kernels)`,
  );
  console.log(
    `single-user server (no kernels) RSS ${summary(servers.map((m) => m.rss))}  PSS ${summary(servers.map((m) => m.pss))} MiB`,
  );
  console.log(`servers spawned in ${spawnSeconds.toFixed(1)} s`);
  for (const s of [...students, ...ipy]) await s.kernel.shutdown().catch(() => undefined);
  await Promise.all(names.map((name) => hubApi("DELETE", `/hub/api/users/${name}/server`).catch(() => undefined)));
  await sleep(2000);
} finally {
  if (hub?.pid) {
    try {
      process.kill(-hub.pid, "SIGTERM");
    } catch {}
    await sleep(3000);
    try {
      process.kill(-hub.pid, "SIGKILL");
    } catch {}
  }
  rmSync(work, { recursive: true, force: true });
}
// The client library keeps reconnect timers for kernels it has seen: the run is over.
process.exit(0);

function hubConfig() {
  return `
c = get_config()
c.JupyterHub.bind_url = "${hubUrl}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:${hubPort}"
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "${work}/home/{username}"
c.Spawner.default_url = "/tree"
c.Spawner.cmd = ["jupyterhub-singleuser"]
c.Spawner.args = ["--allow-root"]
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.Spawner.environment = {"JUPYTER_PATH": "${work}/jupyter/share/jupyter", "NODE_NO_WARNINGS": "1"}
c.JupyterHub.db_url = "sqlite:///${work}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "${work}/cookie_secret"
c.ConfigurableHTTPProxy.command = ["${join(HERE, "node_modules/.bin/configurable-http-proxy")}"]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:${proxyApiPort}"
c.JupyterHub.services = [{"name": "classroom", "api_token": "${token}"}]
c.JupyterHub.load_roles = [{"name": "classroom", "scopes": ["admin:users", "admin:servers", "access:servers"], "services": ["classroom"]}]
`;
}

/** A student's kernel, opened as JupyterLab does; a second try after a first that never answers. */
async function openKernel(name, kernelName) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTimeout(
        openKernelOnce(name, kernelName),
        OPEN_TIMEOUT_MS,
        `${name}: opening a ${kernelName} kernel`,
      );
    } catch (error) {
      if (attempt >= 2) throw error;
      log(`${error.message}; trying again`);
    }
  }
}

async function openKernelOnce(name, kernelName) {
  const settings = ServerConnection.makeSettings({
    baseUrl: `${hubUrl}/user/${name}/`,
    wsUrl: `ws://127.0.0.1:${port}/user/${name}/`,
    token,
    appendToken: true,
    WebSocket: BrowserLikeWebSocket,
  });
  const manager = new KernelManager({ serverSettings: settings });
  await manager.ready;
  const kernel = await manager.startNew({ name: kernelName });
  await kernel.info;
  return { name, kernel, manager };
}

async function execute(kernel, code) {
  const future = kernel.requestExecute({ code, stop_on_error: false });
  const reply = await withTimeout(future.done, CELL_TIMEOUT_MS, "a cell");
  return reply.content;
}

/** `promise`, or an error naming `what` after `ms`. */
function withTimeout(promise, ms, what) {
  let timer;
  const late = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The kernel's own process: a child of the student's server whose cmdline names the kernel's id. */
function kernelPid(student) {
  const id = student.kernel.id;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmd.includes(`kernel-${id}.json`)) return Number(entry);
    } catch {}
  }
  return undefined;
}

function serverPid(name) {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "utf8");
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmd.includes("jupyterhub-singleuser") && environ.includes(`JUPYTERHUB_USER=${name}\0`)) return Number(entry);
    } catch {}
  }
  return undefined;
}

/** RSS and PSS (MiB) of a process and, if `withChildren`, all its descendants. */
function treeMemory(pid, withChildren = true) {
  if (pid === undefined) return { rss: Number.NaN, pss: Number.NaN };
  const children = new Map();
  if (withChildren) {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1].split(" ")[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      } catch {}
    }
  }
  let rss = 0;
  let pss = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    stack.push(...(children.get(p) ?? []));
    try {
      for (const line of readFileSync(`/proc/${p}/smaps_rollup`, "utf8").split("\n")) {
        if (line.startsWith("Rss:")) rss += Number(line.split(/\s+/)[1]) / 1024;
        if (line.startsWith("Pss:")) pss += Number(line.split(/\s+/)[1]) / 1024;
      }
    } catch {}
  }
  return { rss, pss };
}

function codeCells(path) {
  const notebook = JSON.parse(readFileSync(path, "utf8"));
  return notebook.cells
    .filter((c) => c.cell_type === "code")
    .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source))
    .filter((code) => code.trim());
}

async function hubApi(method, path, body) {
  return fetch(`${hubUrl}${path}`, {
    method,
    headers: { Authorization: `token ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch(() => ({ ok: false, json: async () => [] }));
}

async function waitFor(predicate, timeoutMs, why) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate().catch(() => false)) return;
    await sleep(500);
  }
  throw new Error(why());
}

function summary(values) {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!finite.length) return "n/a";
  const median = finite[Math.floor(finite.length / 2)];
  return `median ${median.toFixed(0)} (${finite[0].toFixed(0)}–${finite[finite.length - 1].toFixed(0)})`;
}

function log(line) {
  process.stderr.write(`classroom: ${line}\n`);
}

function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}
