// `await input("Name? ")` and `await prompt("Name? ")`: an input_request to the client when
// the execute allowed stdin (spec: stdin channel), a clear error otherwise.
import { currentRun } from "./cell-context.js";

export type RequestInput = (execId: number, prompt: string, password: boolean) => Promise<string>;

export class StdinNotAllowedError extends Error {
  constructor() {
    super("input() needs a client that accepts input (this execute_request had allow_stdin: false)");
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
