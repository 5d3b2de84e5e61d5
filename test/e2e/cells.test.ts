// End-to-end: what cells do, through the built kernel over ZeroMQ (dist/kernel/main.js), with
// the kernel started in a notebook folder (test/fixtures/notebook) holding a relative .ts
// module, an ESM and a CommonJS package.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../kernel/protocol/messages.js";
import { type KernelClient, REPO_ROOT, startKernel } from "./client.js";

const NOTEBOOK = join(REPO_ROOT, "test/fixtures/notebook");

function streamText(outputs: Message[], name: "stdout" | "stderr"): string {
  return outputs
    .filter((m) => m.header.msg_type === "stream" && m.content.name === name)
    .map((m) => m.content.text as string)
    .join("");
}

function resultText(outputs: Message[]): string | undefined {
  const result = outputs.find((m) => m.header.msg_type === "execute_result");
  return result ? (result.content.data as Record<string, string>)["text/plain"] : undefined;
}

describe("cells in a running kernel", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    // A small heap so that the out-of-memory test dies quickly.
    kernel = await startKernel({ cwd: NOTEBOOK, env: { TSGRAD_RUNTIME_HEAP_MB: "256" } });
    // The first cell waits for the runtime to load the compiler: slow on a busy machine.
    await kernel.execute("0", { timeoutMs: 120_000 });
  }, 150_000);
  afterAll(async () => {
    await kernel.close();
  });

  async function value(code: string): Promise<string | undefined> {
    const { reply, outputs } = await kernel.execute(code);
    expect(reply.content, JSON.stringify(reply.content)).toMatchObject({ status: "ok" });
    return resultText(outputs);
  }

  async function failure(
    code: string,
    timeoutMs?: number,
  ): Promise<{ ename: string; evalue: string; traceback: string[]; executionCount: number }> {
    const { reply, outputs } = await kernel.execute(code, { timeoutMs });
    expect(reply.content.status).toBe("error");
    const error = outputs.find((m) => m.header.msg_type === "error");
    expect(error?.content.ename).toBe(reply.content.ename);
    return {
      ename: reply.content.ename as string,
      evalue: reply.content.evalue as string,
      traceback: reply.content.traceback as string[],
      executionCount: reply.content.execution_count as number,
    };
  }

  it("keeps state across cells, and a re-run declaration replaces the old one", async () => {
    await value("const x: number = 1\nlet y = 'a'\nclass C { v = 1 }\nfunction f(): number { return 1 }");
    expect(await value("[x, y, new C().v, f()]")).toBe("[ 1, 'a', 1, 1 ]");
    await value("const x: number = 2\nlet y = 'b'\nclass C { v = 2 }\nfunction f(): number { return 2 }");
    expect(await value("[x, y, new C().v, f()]")).toBe("[ 2, 'b', 2, 2 ]");
  });

  it("shows the last expression with or without semicolon, nothing for undefined or void", async () => {
    expect(await value("const a = 20\na + 1")).toBe("21");
    expect(await value("a + 2;")).toBe("22");
    expect(await value("undefined")).toBeUndefined();
    expect(await value("void (a + 3)")).toBeUndefined();
    expect(await value("'text'")).toBe("'text'");
  });

  it("awaits at top level and keeps destructured names", async () => {
    expect(await value("const { p, q: [r] } = await Promise.resolve({ p: 1, q: [2] })\np + r")).toBe("3");
    expect(await value("r")).toBe("2");
  });

  it("imports fs and node:fs, a relative .ts file, a .js file, and ESM and CommonJS packages", async () => {
    expect(
      await value(
        'import fs from "fs"\nimport { readFileSync } from "node:fs"\nreadFileSync("data.txt", "utf8").trim() + "/" + typeof fs.existsSync',
      ),
    ).toBe("'first line of data/function'");
    expect(await value('import { summarize } from "./lib/stats.ts"\nsummarize([1, 2, 3]).meanSquare.toFixed(3)')).toBe(
      "'4.667'",
    );
    expect(await value('import { answer } from "./lib/plain.js"\nanswer')).toBe("42");
    expect(await value('import greeter, { greet } from "esm-greeter"\n[greet("ada"), greeter.kind]')).toBe(
      "[ 'hello, ada', 'esm default' ]",
    );
    expect(await value('import counter, { count } from "cjs-counter"\n[count([1, 2]), counter.kind]')).toBe(
      "[ 2, 'cjs' ]",
    );
    expect(await value('import * as path from "node:path"\npath.join("a", "b")')).toBe("'a/b'");
    expect(await value('const { kind } = require("cjs-counter")\nkind')).toBe("'cjs'");
    expect(await value('(await import("esm-greeter")).greet("bo")')).toBe("'hello, bo'");
  });

  it("maps error positions to the TypeScript cell and hides the runtime's frames", async () => {
    const { ename, evalue, traceback, executionCount } = await failure(
      "type Point = { x: number }\nconst pts: Point[] = []\nfunction first(ps: Point[]): number {\n  return ps[0]!.x;\n}\nfirst(pts)",
    );
    expect(ename).toBe("TypeError");
    expect(evalue).toContain("reading 'x'");
    expect(traceback[0]).toBe(`TypeError: ${evalue}`);
    expect(traceback[1]).toBe(`    at first (cell[${executionCount}]:4:17)`);
    expect(traceback[2]).toBe(`    at cell[${executionCount}]:6:1`);
    expect(traceback.join("\n")).not.toMatch(/node:|dist\/|\.js:/);
  });

  it("names the cell line of an error thrown inside an imported .ts module", async () => {
    const { traceback, executionCount } = await failure(
      'import { fail } from "./lib/stats.ts"\n\nfail("from the module")',
    );
    expect(traceback.join("\n")).toContain("lib/stats.ts:17:");
    expect(traceback.join("\n")).toContain(`cell[${executionCount}]:3:1`);
  });

  it("reports a syntax error with its cell position", async () => {
    const { ename, traceback } = await failure("const ok = 1\nconst broken = (;");
    expect(ename).toBe("SyntaxError");
    expect(traceback.join("\n")).toMatch(/cell\[\d+\]:2:17/);
  });

  it("reports errors from timers and unhandled rejections as late stderr, and lives on", async () => {
    const { request, reply } = await kernel.execute(
      'setTimeout(() => { throw new Error("late boom") }, 50)\nPromise.reject(new Error("nobody awaited me"))\n"started"',
    );
    expect(reply.content.status).toBe("ok");
    await kernel.waitFor(
      () => streamText(kernel.childrenOf(request), "stderr").includes("late boom"),
      5000,
      "late error",
    );
    const late = streamText(kernel.childrenOf(request), "stderr");
    expect(late).toContain("nobody awaited me");
    expect(await value("1 + 1")).toBe("2");
  });

  it("turns process.exit() into an error on the cell and keeps the variables", async () => {
    await value("const kept = 'still here'");
    const { ename, evalue } = await failure("process.exit(3)");
    expect(ename).toBe("ProcessExitError");
    expect(evalue).toContain("process.exit(3)");
    expect(await value("kept")).toBe("'still here'");
  });

  it("reports a stack overflow as a RangeError on the cell", async () => {
    const { ename, evalue } = await failure("function down(n: number): number { return down(n + 1) + 1 }\ndown(0)");
    expect(ename).toBe("RangeError");
    expect(evalue).toContain("Maximum call stack size exceeded");
    expect(await value("kept")).toBe("'still here'");
  });

  it("asks for input when the client allows it, and fails clearly when it does not", async () => {
    const prompts: string[] = [];
    const { reply, outputs } = await kernel.execute('const who = await input("Name? ")\n"hi " + who', {
      onInput: (prompt) => {
        prompts.push(prompt);
        return "Ada";
      },
    });
    expect(reply.content, JSON.stringify(reply.content)).toMatchObject({ status: "ok" });
    expect(prompts).toEqual(["Name? "]);
    expect(resultText(outputs)).toBe("'hi Ada'");
    const { ename, evalue } = await failure('await prompt("Name? ")');
    expect(ename).toBe("StdinNotAllowedError");
    expect(evalue).toContain("allow_stdin");
  });

  it("passes the password flag of input() to the client", async () => {
    const seen: boolean[] = [];
    const { reply, outputs } = await kernel.execute(
      'const secret = await input("Token: ", { password: true })\nsecret.length',
      {
        onInput: (_prompt, password) => {
          seen.push(password);
          return "s3cret";
        },
      },
    );
    expect(reply.content.status).toBe("ok");
    expect(seen).toEqual([true]);
    expect(resultText(outputs)).toBe("6");
  });

  it("displays PNG bytes as base64 and JSON as application/json", async () => {
    const { outputs } = await kernel.execute(
      "display.png(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))\ndisplay.json([1, { a: 2 }])",
    );
    expect(outputs.map((m) => m.header.msg_type)).toEqual(["display_data", "display_data"]);
    expect((outputs[0]!.content.data as Record<string, unknown>)["image/png"]).toBe("iVBORw==");
    expect((outputs[1]!.content.data as Record<string, unknown>)["application/json"]).toEqual([1, { a: 2 }]);
  });

  it("displays, updates in place and clears output", async () => {
    const { reply, outputs } = await kernel.execute(
      'const h = display({ a: 1 })\nh.update("two")\ndisplay.markdown("# Title")\ndisplay({ "text/html": "<b>raw</b>" }, { raw: true })\nclearOutput({ wait: true })',
    );
    expect(reply.content.status).toBe("ok");
    const types = outputs.map((m) => m.header.msg_type);
    expect(types).toEqual(["display_data", "update_display_data", "display_data", "display_data", "clear_output"]);
    const [first, update, markdown, raw, clear] = outputs as [Message, Message, Message, Message, Message];
    expect(first.content.data).toEqual({ "application/json": { a: 1 }, "text/plain": "{ a: 1 }" });
    const id = (first.content.transient as { display_id: string }).display_id;
    expect(id).toBeTruthy();
    expect(update.content).toMatchObject({ data: { "text/plain": "'two'" }, transient: { display_id: id } });
    expect(markdown.content.data).toMatchObject({ "text/markdown": "# Title" });
    expect(raw.content.data).toEqual({ "text/html": "<b>raw</b>" });
    expect(clear.content).toEqual({ wait: true });
  });

  it("shows a display, not its handle, when display() ends the cell", async () => {
    const { outputs } = await kernel.execute('display.html("<b>only once</b>")');
    expect(outputs.map((m) => m.header.msg_type)).toEqual(["display_data"]);
  });

  it("prints late output of a finished cell under that cell's request", async () => {
    const { request, reply, outputs } = await kernel.execute(
      'setTimeout(() => console.log("later"), 100)\nconsole.log("now")',
    );
    expect(reply.content.status).toBe("ok");
    expect(streamText(outputs, "stdout")).toBe("now\n");
    await kernel.waitFor(() => streamText(kernel.childrenOf(request), "stdout").includes("later"), 5000, "late output");
  });

  it("evaluates user_expressions after the code, each failing on its own", async () => {
    const { reply } = await kernel.execute("const ue = 20", {
      user_expressions: { double: "ue * 2", broken: "noSuchName" },
    });
    const results = reply.content.user_expressions as Record<string, Record<string, unknown>>;
    expect(results.double).toMatchObject({ status: "ok", data: { "text/plain": "40" } });
    expect(results.broken).toMatchObject({ status: "error", ename: "ReferenceError" });
  });

  it("completes, inspects and judges completeness from the live session", async () => {
    await value("const trainingLoss = { history: [1, 2], best: 0.5 }");
    const completion = await kernel.request("shell", "complete_request", { code: "trainingLoss.hi", cursor_pos: 15 });
    expect(completion.content).toMatchObject({ status: "ok", matches: ["history"], cursor_start: 13, cursor_end: 15 });
    const inspection = await kernel.request("shell", "inspect_request", {
      code: "trainingLoss",
      cursor_pos: 4,
      detail_level: 0,
    });
    expect(inspection.content).toMatchObject({ status: "ok", found: true });
    // Types (language service) or the live value: either way the member is named.
    expect((inspection.content.data as Record<string, string>)["text/plain"]).toMatch(/trainingLoss[\s\S]*best/);
    const open = await kernel.request("shell", "is_complete_request", { code: "for (;;) {" });
    expect(open.content).toEqual({ status: "incomplete", indent: "  " });
  });

  it("stops a finished cell's setInterval when interrupted while idle", async () => {
    const { request } = await kernel.execute('setInterval(() => console.log("tick"), 20)');
    await kernel.waitFor(() => streamText(kernel.childrenOf(request), "stdout").includes("tick"), 5000, "first tick");
    await kernel.request("control", "interrupt_request");
    await new Promise((r) => setTimeout(r, 200));
    const ticks = streamText(kernel.childrenOf(request), "stdout").length;
    await new Promise((r) => setTimeout(r, 300));
    expect(streamText(kernel.childrenOf(request), "stdout").length).toBe(ticks);
  });

  it("renders objects that implement Symbol.for('Jupyter.display')", async () => {
    const { outputs } = await kernel.execute(
      '({ [Symbol.for("Jupyter.display")]() { return { "text/html": "<i>me</i>" } } })',
    );
    const result = outputs.find((m) => m.header.msg_type === "execute_result")!;
    expect(result.content.data).toMatchObject({ "text/html": "<i>me</i>" });
    expect((result.content.data as Record<string, unknown>)["text/plain"]).toBeTypeOf("string");
  });

  it("delivers 100,000 printed lines complete and in order", async () => {
    const { reply, outputs } = await kernel.execute("for (let i = 0; i < 100000; i++) console.log(`line ${i}`)", {
      timeoutMs: 60_000,
    });
    expect(reply.content.status).toBe("ok");
    const lines = streamText(outputs, "stdout").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(100_000);
    expect(lines.every((line, i) => line === `line ${i}`)).toBe(true);
  });

  it("interrupts a synchronous loop, an async loop, and a loop after an await, keeping variables", async () => {
    await value("let counter = 0\nconst before = 'defined before'");
    const loops = [
      "while (true) { counter++ }",
      "for (;;) { counter++; await new Promise((r) => setTimeout(r, 10)) }",
      "await new Promise((r) => setTimeout(r, 10))\nfor (;;) { counter++ }",
    ];
    for (const loop of loops) {
      const request = kernel.startExecute(loop);
      await kernel.waitFor(
        () => kernel.childrenOf(request).some((m) => m.header.msg_type === "execute_input"),
        10_000,
        "cell start",
      );
      await new Promise((r) => setTimeout(r, 300));
      const started = performance.now();
      await kernel.request("control", "interrupt_request");
      const reply = await kernel.reply(request, 5000);
      expect(performance.now() - started, loop).toBeLessThan(1000);
      // The next cell goes after idle: sent earlier, stop_on_error would abort it as queued.
      await kernel.waitForIdle(request);
      expect(reply.content.status).toBe("error");
      expect(reply.content.ename).toBe("KeyboardInterrupt");
      expect(await value("before")).toBe("'defined before'");
    }
    expect(Number(await value("counter"))).toBeGreaterThan(0);
  });

  it(
    "survives an allocation that exhausts memory: the cell says the runtime restarted",
    { timeout: 90_000 },
    async () => {
      // 80 MB a step: the 256 MB heap is exhausted in a few steps, without a long GC struggle.
      const { ename, evalue } = await failure(
        "const hog: number[][] = []\nfor (;;) hog.push(new Array(1e7).fill(1.5))",
        60_000,
      );
      expect(ename).toBe("RuntimeRestarted");
      expect(evalue).toContain("out of memory");
      expect(evalue).toContain("variable");
      expect(await value('"kept" in globalThis')).toBe("false");
      expect(await value("6 * 7")).toBe("42");
    },
  );

  it("never writes the runtime's own warnings to a cell's stderr", async () => {
    const { outputs } = await kernel.execute(
      'import data from "./lib/data.json" with { type: "json" }\ndata.items.length',
    );
    expect(streamText(outputs, "stderr")).toBe("");
    expect(resultText(outputs)).toBe("2");
  });
});
