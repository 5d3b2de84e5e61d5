// `tsgrad run <notebook.ipynb>`: executes a notebook headless, with nothing but Node — no
// Python, no Jupyter — and writes its outputs back, as `jupyter nbconvert --to notebook --execute
// --inplace` would: a fresh kernel in the notebook's folder, code cells in order, execution
// counts from 1, outputs as nbclient records them, `language_info` from the kernel. Progress goes
// to stderr one line per cell; the exit code is what course CI reads: 0 when every cell ran,
// 1 when a cell failed (or the kernel died, or a cell ran past --timeout), 2 for bad usage.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Message } from "../protocol/messages.js";
import { notebookToHtml } from "./html.js";
import { KernelDiedError, KernelSession, TimeoutError } from "./kernel-session.js";
import { type Cell, type Notebook, parseNotebook, serializeNotebook } from "./notebook-file.js";
import { OutputRecorder } from "./outputs.js";

export interface RunOptions {
  notebook: string;
  output?: string;
  html: boolean;
  allowErrors: boolean;
  /** Per cell, in seconds; 0 for none. */
  timeout: number;
}

/** Parses `tsgrad run`'s arguments; throws with the offending argument named. */
export function parseRunArgs(args: string[]): RunOptions {
  const options: Partial<RunOptions> = { html: false, allowErrors: false, timeout: 600 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = (): string => {
      const next = inline ?? args[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === "--html") options.html = true;
    else if (flag === "--allow-errors") options.allowErrors = true;
    else if (flag === "--output" || flag === "-o") options.output = value();
    else if (flag === "--timeout") {
      const seconds = Number(value());
      if (!Number.isFinite(seconds) || seconds < 0)
        throw new Error(`--timeout needs seconds (0 = none), got ${JSON.stringify(args[i])}`);
      options.timeout = seconds;
    } else if (flag.startsWith("-")) throw new Error(`unknown option ${arg}`);
    else if (options.notebook === undefined) options.notebook = arg;
    else throw new Error(`one notebook at a time (got ${options.notebook} and ${arg})`);
  }
  if (options.notebook === undefined) throw new Error("run needs a notebook: tsgrad run <notebook.ipynb>");
  return options as RunOptions;
}

export interface RunSummary {
  executed: number;
  failed: number;
  /** Why the run stopped before the last cell, if it did. */
  stopped?: string;
}

/** Runs `tsgrad run`; resolves with the process's exit code. */
export async function runNotebookCommand(
  args: string[],
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const options = parseRunArgs(args);
  const path = resolve(options.notebook);
  const notebook = parseNotebook(readFileSync(path, "utf8"), options.notebook);
  const kernelMain = join(dirname(fileURLToPath(import.meta.url)), "..", "main.js");
  const session = await KernelSession.start({ kernelMain, cwd: dirname(path) });
  const stop = () => void session.close().finally(() => process.exit(130));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let summary: RunSummary;
  try {
    summary = await executeNotebook(notebook, session, options, log);
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
    await session.close();
  }
  const target = resolve(options.output ?? path);
  writeFileSync(target, serializeNotebook(notebook));
  log(`wrote ${target}`);
  if (options.html) {
    const htmlPath = `${target.replace(/\.ipynb$/i, "")}.html`;
    writeFileSync(htmlPath, notebookToHtml(notebook, target));
    log(`wrote ${htmlPath}`);
  }
  const verdict = summary.stopped ?? (summary.failed ? `${summary.failed} cell(s) raised an error` : "every cell ran");
  log(`${options.notebook}: ${summary.executed} cell(s) executed; ${verdict}`);
  return summary.stopped || (summary.failed && !options.allowErrors) ? 1 : 0;
}

/**
 * Executes the notebook's code cells in order on `session`, recording outputs into the cells
 * (the notebook is changed in place). Stops at the first error unless errors are allowed for
 * the run or the cell (tag `raises-exception`), as nbclient does.
 */
export async function executeNotebook(
  notebook: Notebook,
  session: KernelSession,
  options: Pick<RunOptions, "allowErrors" | "timeout">,
  log: (line: string) => void,
): Promise<RunSummary> {
  const info = await session.kernelInfo();
  if (info.language_info) notebook.metadata.language_info = info.language_info;
  notebook.metadata.kernelspec ??= { name: "tsgrad", display_name: "tsgrad (TypeScript)", language: "typescript" };

  const recorder = new OutputRecorder();
  const runnable = notebook.cells.filter(
    (cell) => cell.cell_type === "code" && cell.source.trim() && !tags(cell).includes("skip-execution"),
  );
  const summary: RunSummary = { executed: 0, failed: 0 };
  for (const [n, cell] of runnable.entries()) {
    const prefix = `[${String(n + 1).padStart(String(runnable.length).length)}/${runnable.length}]`;
    const mayFail = options.allowErrors || tags(cell).includes("raises-exception");
    cell.outputs = recorder.startCell();
    cell.execution_count = null;
    const timing: Record<string, string> = {};
    cell.metadata.execution = timing;
    const started = performance.now();
    let reply: Message | undefined;
    try {
      reply = await session.execute(cell.source, (message) => onMessage(message, recorder, timing), {
        stopOnError: !mayFail,
        timeoutMs: options.timeout > 0 ? options.timeout * 1000 : undefined,
      });
    } catch (error) {
      if (error instanceof TimeoutError) await session.interrupt();
      const why = error instanceof TimeoutError ? `ran past --timeout ${options.timeout} s` : (error as Error).message;
      cell.outputs.push({
        output_type: "error",
        ename: error instanceof TimeoutError ? "CellTimeoutError" : "DeadKernelError",
        evalue: why,
        traceback: [why],
      });
      log(`${prefix} ✗ ${preview(cell)}  (${why})`);
      summary.stopped = error instanceof KernelDiedError ? "the kernel died" : `a cell ${why}`;
      break;
    }
    summary.executed++;
    // nbclient numbers executed cells 1, 2, 3… whatever the kernel's counter says.
    cell.execution_count = summary.executed;
    timing["shell.execute_reply"] = reply.header.date;
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (reply.content.status === "error") {
      summary.failed++;
      log(
        `${prefix} ✗ ${preview(cell)}  ${seconds} s: ${String(reply.content.ename)}: ${firstLine(String(reply.content.evalue))}`,
      );
      if (!mayFail) {
        summary.stopped = `stopped at cell ${notebook.cells.indexOf(cell) + 1} (${String(reply.content.ename)}); --allow-errors runs on`;
        break;
      }
    } else log(`${prefix} ✓ ${preview(cell)}  ${seconds} s`);
  }
  return summary;
}

/** Records an output, and the timestamps nbclient keeps in `metadata.execution` (record_timing). */
function onMessage(message: Message, recorder: OutputRecorder, timing: Record<string, string>): void {
  const type = message.header.msg_type;
  if (type === "status") timing[`iopub.status.${String(message.content.execution_state)}`] = message.header.date;
  else if (type === "execute_input") timing["iopub.execute_input"] = message.header.date;
  recorder.record(message);
}

function tags(cell: Cell): string[] {
  const value = cell.metadata.tags;
  return Array.isArray(value) ? value.map(String) : [];
}

function preview(cell: Cell): string {
  const line = firstLine(cell.source.trim());
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}
