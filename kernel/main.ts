// The composition root: read the connection file, bind the sockets, start the runtime,
// wire them through the server. This process never runs user code (see server.ts).
//
//   node dist/kernel/main.js /path/to/connection.json

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readConnectionFile } from "./protocol/connection.js";
import { startRuntime } from "./runtime/index.js";
import { KernelServer } from "./server.js";
import { KernelSockets } from "./sockets.js";

/** The kernel's own log goes to stderr, which the Jupyter server keeps; never to a cell. */
export function log(line: string): void {
  if (stderrOpen) process.stderr.write(`[tsgrad] ${line}\n`);
}

// Once stderr's reader is gone (a client that crashed, a closed terminal under `jupyter console`),
// the kernel logs nowhere and goes on serving. Unheeded, the failed write was an uncaught error,
// logged to stderr, failing again: a loop at half a core that also starved the parent watcher.
let stderrOpen = true;
process.stderr.on("error", () => {
  stderrOpen = false;
});

// Routine lifecycle lines stay quiet unless TSGRAD_DEBUG is set: nbconvert and CI logs show the
// kernel's stderr, and a kernel that talks there on every start looks like one in trouble.
const debug = process.env.TSGRAD_DEBUG ? log : (): void => {};

/** Runs a kernel on `connectionFile` until a shutdown request, SIGTERM or the parent's death. */
export async function runKernel(connectionFile: string): Promise<void> {
  let server: KernelServer | undefined;
  // Installed first, and explicitly: a process started in the background by a shell inherits an
  // ignored SIGINT, and Node's default would end a kernel interrupted (interrupt_mode "signal")
  // while it binds its sockets; until then there is no cell to stop.
  process.on("SIGINT", () => {
    debug("SIGINT: interrupting the running cell");
    server?.interrupt();
  });
  debug("starting");
  const connection = readConnectionFile(connectionFile);
  const sockets = await KernelSockets.bind(connection, log);
  const interpreter = startRuntime({ log, cwd: process.cwd() });

  let exiting = false;
  const exit = async (code: number, why: string): Promise<void> => {
    if (exiting) return;
    exiting = true;
    // A requested shutdown is routine; any other way out is worth a line in the server's log.
    (why.startsWith("shutdown_request") ? debug : log)(`exiting: ${why}`);
    await sockets.close();
    process.exit(code);
  };

  server = new KernelServer({
    transport: sockets,
    interpreter,
    log,
    implementationVersion: packageVersion(),
    languageVersion: typescriptVersion(),
    onShutdown: (restart) => void exit(0, restart ? "shutdown_request (restart)" : "shutdown_request"),
  });
  sockets.listen((channel, message) => server.receive(channel, message));
  await server.start();

  process.on("SIGTERM", () => {
    void interpreter.shutdown().finally(() => exit(0, "SIGTERM"));
  });
  // The protocol loop must outlive a bug in one handler; the log says what went wrong.
  process.on("uncaughtException", (error) => log(`uncaught: ${error.stack ?? String(error)}`));
  process.on("unhandledRejection", (reason) => log(`unhandled rejection: ${String(reason)}`));
  watchParent(() => void interpreter.shutdown().finally(() => exit(0, "parent process died")));
  debug(
    `listening on ${connection.transport}://${connection.ip} after ${Math.round(process.uptime() * 1000)} ms (session ${server.origin.session})`,
  );
}

/** Exits with the Jupyter server that launched us (it sets JPY_PARENT_PID), like ipykernel's ParentPoller. */
function watchParent(onDeath: () => void): void {
  const pid = Number(process.env.JPY_PARENT_PID);
  if (!Number.isInteger(pid) || pid <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch (error) {
      // EPERM means it exists but belongs to someone else: still alive.
      if ((error as NodeJS.ErrnoException).code === "EPERM") return;
      clearInterval(timer);
      onDeath();
    }
  }, 1000);
  timer.unref();
}

function packageVersion(): string {
  // Walk up to tsgrad's package.json: this file runs from kernel/ (tests) and dist/kernel/.
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "tsgrad") return pkg.version ?? "0.0.0";
    } catch {
      // keep walking up
    }
  }
  return "0.0.0";
}

function typescriptVersion(): string {
  try {
    // Reads package.json only: loading the compiler itself is the runtime's job, not ours.
    return (createRequire(import.meta.url)("typescript/package.json") as { version: string }).version;
  } catch {
    return "";
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const connectionFile = process.argv[2];
  if (!connectionFile) {
    process.stderr.write("usage: node dist/kernel/main.js <connection_file>\n");
    process.exit(2);
  }
  runKernel(connectionFile).catch((error: unknown) => {
    log(`failed to start: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  });
}
