#!/usr/bin/env node
// `npm start`: the tutorials in a notebook server with this checkout's tsgrad kernel.
// JupyterLab where it is installed, otherwise the classic Notebook (`jupyter-notebook`, which
// scripts/setup installs from Debian). The kernelspec goes into dist/jupyter (not the user's
// Jupyter folders) and JUPYTER_PATH points there, so the kernel is always this build's.
// Extra arguments go to the server: `npm start -- --no-browser --port 8899`.
// TSGRAD_NOTEBOOK_SERVER=lab|notebook picks one instead of the first found.

import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const installJs = join(root, "dist", "kernel", "install.js");
if (!existsSync(installJs)) fail("dist/ is missing: run `bash scripts/setup` (or `npm run build`) first");

const { installKernelSpec } = await import(pathToFileURL(installJs).href);
const jupyterDir = join(root, "dist", "jupyter");
installKernelSpec({ target: { kind: "prefix", dir: jupyterDir } });
const env = {
  ...process.env,
  JUPYTER_PATH: [join(jupyterDir, "share", "jupyter"), process.env.JUPYTER_PATH].filter(Boolean).join(delimiter),
};

const server = pickServer(process.env.TSGRAD_NOTEBOOK_SERVER);
if (!server) {
  fail(
    "no notebook server found: install JupyterLab (`pip install jupyterlab`, or your distribution's package) " +
      "or the classic Notebook (`bash scripts/setup` installs Debian's jupyter-notebook)",
  );
}
const notebooks = join(root, "notebooks");
// Both servers refuse to run as root unless told (a container or a CI machine often is root).
const asRoot = process.getuid?.() === 0 ? ["--allow-root"] : [];
const args = [...server.args, `--notebook-dir=${notebooks}`, ...asRoot, ...process.argv.slice(2)];
process.stderr.write(`tsgrad: starting ${server.name} on ${notebooks} with the tsgrad kernel\n`);
const child = spawn(server.command, args, { env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + 2 : 1)));

/** The first server that runs here: JupyterLab, then the classic Notebook (or the one asked for). */
function pickServer(wanted) {
  const candidates = [
    { name: "JupyterLab", kind: "lab", command: "jupyter-lab", args: [] },
    { name: "JupyterLab", kind: "lab", command: "/usr/bin/python3", args: ["-m", "jupyterlab"] },
    { name: "the classic Notebook", kind: "notebook", command: "jupyter-notebook", args: [] },
    { name: "the classic Notebook", kind: "notebook", command: "/usr/bin/python3", args: ["-m", "notebook"] },
  ];
  if (wanted && wanted !== "lab" && wanted !== "notebook")
    fail(`TSGRAD_NOTEBOOK_SERVER must be lab or notebook, got ${wanted}`);
  return candidates.find((c) => (!wanted || c.kind === wanted) && runs(c.command, [...c.args, "--version"]));
}

function runs(command, args) {
  if (!command.includes("/") && !onPath(command)) return false;
  const result = spawnSync(command, args, { stdio: "ignore", timeout: 30_000 });
  return result.status === 0;
}

function onPath(command) {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

function fail(message) {
  process.stderr.write(`tsgrad: ${message}\n`);
  process.exit(1);
}
