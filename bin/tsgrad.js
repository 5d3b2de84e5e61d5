#!/usr/bin/env node
// tsgrad's command line: install the Jupyter kernelspec, run a notebook headless, or run the
// kernel itself.
//
//   tsgrad install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]
//   tsgrad run <notebook.ipynb> [--html] [--allow-errors] [--timeout SECONDS] [--output FILE]
//   tsgrad kernel <connection_file>

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const USAGE = `usage:
  tsgrad install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]
      Write the kernelspec without Python, like \`jupyter kernelspec install\`:
        --user        the Jupyter data dir (default; JUPYTER_DATA_DIR or ~/.local/share/jupyter/kernels/NAME)
        --sys-prefix  the environment of the \`jupyter\` on PATH (its bin/.. prefix, e.g. a venv)
        --prefix DIR  DIR/share/jupyter/kernels/NAME
      The kernelspec runs this package's kernel with the Node running this command.
  tsgrad run <notebook.ipynb> [--html] [--allow-errors] [--timeout SECONDS] [--output FILE]
      Execute a notebook without Python or Jupyter and write its outputs into it (or into
      --output FILE); --html also writes FILE.html with charts as PNG. Progress per cell on
      stderr. Exits 1 if a cell fails (--allow-errors runs on and exits 0; a cell tagged
      raises-exception may fail), skips cells tagged skip-execution; --timeout bounds each cell
      (default 600 s, 0 = none).
  tsgrad --version
  tsgrad student <notebook.ipynb>... [-o <file or folder>]
      Write the student version of a teacher's notebook (solutions cleared, as nbgrader does).
  tsgrad kernel <connection_file>
      Run the kernel on a connection file (what Jupyter does through kernel.json).
`;

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "kernel");

async function load(module) {
  const path = join(dist, module);
  if (!existsSync(path)) {
    process.stderr.write(`tsgrad: ${path} is missing; run \`npm run build\` first\n`);
    process.exit(1);
  }
  return import(pathToFileURL(path).href);
}

function parseInstallArgs(args) {
  const options = { target: { kind: "user" } };
  const value = (flag, i) => {
    const next = args[i + 1];
    if (next === undefined || next.startsWith("--")) throw new Error(`${flag} needs a value`);
    return next;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const take = () => (inline !== undefined ? inline : value(flag, i++));
    if (flag === "--user") options.target = { kind: "user" };
    else if (flag === "--sys-prefix") options.target = { kind: "sys-prefix" };
    else if (flag === "--prefix") options.target = { kind: "prefix", dir: take() };
    else if (flag === "--name") options.name = take();
    else if (flag === "--display-name") options.displayName = take();
    else throw new Error(`unknown option ${arg}`);
  }
  return options;
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === "install") {
    const { installKernelSpec } = await load("install.js");
    const folder = installKernelSpec(parseInstallArgs(rest));
    process.stdout.write(`Installed kernelspec in ${folder}\n`);
  } else if (command === "run") {
    const { runNotebookCommand } = await load("notebook-runner/run.js");
    process.exitCode = await runNotebookCommand(rest).catch((error) => {
      // Bad input (no such file, not a notebook, a bad flag) is the user's to fix: say what, exit 2.
      process.stderr.write(`tsgrad run: ${error instanceof Error ? error.message : String(error)}\n`);
      return error?.name === "KernelDiedError" ? 1 : 2;
    });
  } else if (command === "--version" || command === "-V") {
    const { version } = JSON.parse(readFileSync(join(dist, "..", "..", "package.json"), "utf8"));
    process.stdout.write(`tsgrad ${version} (Node ${process.version})\n`);
  } else if (command === "student") {
    (await load("notebook/student-command.js")).studentCommand(rest);
  } else if (command === "kernel") {
    if (rest.length !== 1) throw new Error("kernel needs exactly one argument: the connection file");
    const { runKernel } = await load("main.js");
    await runKernel(rest[0]);
  } else if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE);
  } else {
    throw new Error(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`tsgrad: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
});
