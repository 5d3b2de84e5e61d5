// The console and process.stdout/stderr a cell sees: text goes to the running cell's stream
// output (log/info/debug → stdout, warn/error → stderr, formatted as Node's console does).
// The runtime's own log uses fd 2 directly and never passes through here.
import { Console } from "node:console";
import { EventEmitter } from "node:events";
import { currentRun } from "./cell-context.js";
import type { OutputChannel } from "./output.js";

type StreamName = "stdout" | "stderr";

/** Replaces the global console and the process streams' `write` for cell code. */
export function installCellConsole(output: OutputChannel, log: (line: string) => void): void {
  // Console listens for 'error' on its streams, so they must be emitters.
  const sink = (name: StreamName) =>
    Object.assign(new EventEmitter(), {
      write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
        const text =
          typeof chunk === "string"
            ? chunk
            : Buffer.from(chunk as Uint8Array).toString(
                typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8",
              );
        const run = currentRun();
        if (run) output.stream(run.execId, name, text);
        else log(`${name} outside a cell: ${text.trimEnd()}`);
        const done = typeof encoding === "function" ? encoding : callback;
        // null, not undefined: Console's write-error handler treats anything else as an error.
        if (typeof done === "function") queueMicrotask(() => (done as (error: null) => void)(null));
        return true;
      },
    });
  const stdout = sink("stdout");
  const stderr = sink("stderr");
  const cellConsole = new Console({
    stdout: stdout as unknown as NodeJS.WritableStream,
    stderr: stderr as unknown as NodeJS.WritableStream,
    colorMode: false,
  });
  Object.defineProperty(globalThis, "console", {
    value: cellConsole,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  process.stdout.write = stdout.write as typeof process.stdout.write;
  process.stderr.write = stderr.write as typeof process.stderr.write;
}
