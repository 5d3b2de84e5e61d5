// prompt() waits synchronously for the client's reply (child/prompt-channel.ts): an interrupt
// must still end that wait, in a cell's synchronous part and after an await, and the next
// prompt must get its own reply, never the interrupted one's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRuntime } from "../../kernel/runtime/index.js";
import type { ExecuteEvents, ExecuteOptions, Interpreter } from "../../kernel/runtime/interpreter.js";

const OPTIONS: ExecuteOptions = { silent: false, storeHistory: true, allowStdin: true, userExpressions: {} };

function events(input: () => Promise<string>): ExecuteEvents {
  return { stream: () => {}, display: () => {}, clearOutput: () => {}, input };
}

const unanswered = () => new Promise<string>(() => {});

describe("an interrupted prompt()", () => {
  let runtime: Interpreter;
  beforeAll(async () => {
    runtime = startRuntime({ log: () => {} });
    await runtime.execute(
      "0",
      OPTIONS,
      events(async () => ""),
    );
  }, 120_000);
  afterAll(async () => {
    await runtime.shutdown();
  });

  it("ends with KeyboardInterrupt while the cell waits, and the next prompt gets its own reply", async () => {
    const running = runtime.execute('const never = prompt("never? ");\nnever', OPTIONS, events(unanswered));
    setTimeout(() => runtime.interrupt(), 1000);
    expect(await running).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    const next = await runtime.execute(
      'prompt("again? ")',
      OPTIONS,
      events(async () => "fresh"),
    );
    expect(next).toMatchObject({ status: "ok", result: { data: { "text/plain": "'fresh'" } } });
  }, 60_000);

  it("ends after an await too", async () => {
    const code = 'await new Promise((r) => setTimeout(r, 10));\nprompt("never? ")';
    const running = runtime.execute(code, OPTIONS, events(unanswered));
    setTimeout(() => runtime.interrupt(), 1000);
    expect(await running).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
  }, 60_000);
});
