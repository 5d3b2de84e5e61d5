// `await input("Name? ")` and `prompt("Name? ")`: an input_request to the client when the
// execute allowed stdin (spec: stdin channel), a clear error otherwise. `input` resolves a
// promise; `prompt` returns the string, as in browsers and Deno: the cell's thread waits for
// the reply, which a worker thread receives (stdin-worker.ts).
import { currentRun } from "./cell-context.js";

export type RequestInput = (execId: number, prompt: string, password: boolean) => Promise<string>;
export type RequestInputNow = (execId: number, prompt: string, password: boolean) => string;

export class StdinNotAllowedError extends Error {
  constructor(name = "input") {
    super(`${name}() needs a client that accepts input (this execute_request had allow_stdin: false)`);
    this.name = "StdinNotAllowedError";
  }
}

/** The `input` global: `input(prompt, { password })` resolves with the line the user typed. */
export function createInput(
  request: RequestInput,
): (prompt?: unknown, options?: { password?: boolean }) => Promise<string> {
  return async (prompt = "", options = {}) => {
    const run = currentRun();
    if (!run || !run.allowStdin) throw new StdinNotAllowedError();
    return request(run.execId, String(prompt), Boolean(options.password));
  };
}

/** The `prompt` global: `prompt(message, defaultValue)` returns the line typed (the default if it is empty). */
export function createPrompt(request: RequestInputNow): (message?: unknown, defaultValue?: unknown) => string {
  return (message = "", defaultValue = undefined) => {
    const run = currentRun();
    if (!run || !run.allowStdin) throw new StdinNotAllowedError("prompt");
    const value = request(run.execId, String(message), false);
    return value === "" && defaultValue !== undefined ? String(defaultValue) : value;
  };
}
