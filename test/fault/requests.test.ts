// Hostile requests against one running kernel: none may block the protocol process or go without
// a reply, and the kernel keeps serving (and keeps its variables) after each.
import { existsSync, mkdtempSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessage, type Message } from "../../kernel/protocol/messages.js";
import { DELIMITER, encode } from "../../kernel/protocol/wire.js";
import { type KernelClient, startKernel } from "../e2e/client.js";

describe("hostile requests", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await startKernel();
    // The first cell waits for the runtime to load the compiler: slow on a busy machine.
    await kernel.execute("const kept: number = 41", { timeoutMs: 120_000 });
  }, 150_000);
  afterAll(async () => {
    await kernel.close();
  });

  /** The kernel still serves: heartbeat, shell (a variable from before) and control. */
  async function stillServing(): Promise<void> {
    await kernel.heartbeat();
    const { reply, outputs } = await kernel.execute("kept + 1");
    expect(reply.content.status).toBe("ok");
    expect(JSON.stringify(outputs.map((m) => m.content))).toContain('"42"');
    expect((await kernel.request("control", "kernel_info_request")).content.status).toBe("ok");
  }

  it("answers a history search that would backtrack exponentially, heartbeat beating meanwhile", async () => {
    await kernel.execute(`// ${"a".repeat(40)}`);
    const search = kernel.sendRequest("shell", "history_request", {
      hist_access_type: "search",
      pattern: `${"*a".repeat(14)}*b`,
      output: false,
      raw: true,
    });
    await kernel.heartbeat();
    expect((await kernel.reply(search)).content).toMatchObject({ status: "ok", history: [] });
    await stillServing();
  });

  it("answers is_complete, complete and inspect on 1,000 open parens and on deep nesting", async () => {
    const deep = `const d = ${"[".repeat(3000)}${"]".repeat(3000)}; 1`;
    for (const code of ["(".repeat(1000), deep]) {
      const isComplete = await kernel.request("shell", "is_complete_request", { code });
      expect(isComplete.content).toEqual({ status: "unknown" });
      const complete = await kernel.request("shell", "complete_request", { code, cursor_pos: code.length });
      expect(complete.content.status).toBe("ok");
      const inspect = await kernel.request("shell", "inspect_request", { code, cursor_pos: 12, detail_level: 0 });
      expect(inspect.content.status).toBe("ok");
    }
    await stillServing();
  });

  it("refuses a cell nested 3,000 deep with a SyntaxError at once, as Python does", async () => {
    const { reply } = await kernel.execute(`const d = ${"[".repeat(3000)}${"]".repeat(3000)}; 1`);
    expect(reply.content).toMatchObject({ status: "error", ename: "SyntaxError" });
    expect(reply.content.evalue).toMatch(/nested 3000 deep/);
    await stillServing();
  });

  /** The cell's stderr text and its result's text/plain. */
  function streamsAndResult(outputs: Message[]): { stderr: string; result: unknown } {
    const stderr = outputs
      .filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr")
      .map((m) => m.content.text)
      .join("");
    const result = outputs.find((m) => m.header.msg_type === "execute_result")?.content.data;
    return { stderr, result: (result as Record<string, unknown> | undefined)?.["text/plain"] };
  }

  it(
    "gives up the type check of a recursive type: the cell runs unchecked, saying why; later cells are checked",
    { timeout: 300_000 },
    async () => {
      const recursive =
        'type Rec<T, N extends number, A extends unknown[] = []> = A["length"] extends N ? T : Rec<T[], N, [...A, 0]>;\n' +
        ["number", "string", "boolean", "bigint"]
          .map((t, i) => `const r${i}: Rec<${t}, 999> = null as any;\n`)
          .join("") +
        "kept";
      const { reply, outputs } = await kernel.execute(recursive, { timeoutMs: 180_000 });
      expect(reply.content.status).toBe("ok");
      const { stderr, result } = streamsAndResult(outputs);
      expect(stderr).toMatch(
        /^Type check given up: (it needed more than [\d.]+ s of CPU|.*out of memory); the cell runs unchecked\.\n$/,
      );
      expect(result).toBe("41");
      // Completion and inspection on it answer too (from types or from the live values).
      for (const type of ["complete_request", "inspect_request"]) {
        const content = { code: recursive, cursor_pos: recursive.length, detail_level: 0 };
        expect((await kernel.request("shell", type, content, 60_000)).content.status).toBe("ok");
      }
      const later = await kernel.execute("const wrong: string = kept", { timeoutMs: 120_000 });
      expect(later.reply.content).toMatchObject({ status: "error", ename: "TypeScriptError" });
      // Its variables are `any` for later cells: using them is checked at once, not given up again.
      const using = await kernel.execute("const fromRec: string = r0;\nfromRec === null", { timeoutMs: 120_000 });
      expect(streamsAndResult(using.outputs)).toEqual({ stderr: "", result: "true" });
      await stillServing();
    },
  );

  it(
    "runs a sum of 9,000 terms, and a 1 MB cell, unchecked; refuses one of 20,000; answers every analysis",
    { timeout: 300_000 },
    async () => {
      const sum = Array.from({ length: 9_000 }, (_, i) => i).join(" + ");
      const huge = Array.from({ length: 40_000 }, (_, i) => `const v${i} = ${i} * 2 + 1;`).join("\n");
      const ran = await kernel.execute(sum, { timeoutMs: 120_000 });
      expect(ran.reply.content.status).toBe("ok");
      expect(streamsAndResult(ran.outputs)).toEqual({
        stderr:
          "Type check given up: its syntax tree is 9002 levels deep (at most 2000 are checked); the cell runs unchecked.\n",
        result: "40495500",
      });
      // Deeper is refused at once (compiling it would take seconds to minutes), as Python refuses nesting.
      const deeper = Array.from({ length: 20_000 }, (_, i) => i).join(" + ");
      expect((await kernel.execute(deeper, { timeoutMs: 60_000 })).reply.content).toMatchObject({
        ename: "SyntaxError",
        evalue: "expressions nested 20002 levels deep; at most 10000 are accepted",
      });
      const large = await kernel.execute(`${huge}\nv39999`, { timeoutMs: 120_000 });
      expect(streamsAndResult(large.outputs)).toMatchObject({
        stderr: expect.stringMatching(/^Type check given up: the cell is too large to type-check/),
        result: "79999",
      });
      // Later cells are checked again, with the large cell's names typed `any`.
      const after = await kernel.execute('const fromLarge: number = v1;\nconst wrongAfter: number = "x"', {
        timeoutMs: 120_000,
      });
      expect(after.reply.content).toMatchObject({ ename: "TypeScriptError", evalue: expect.stringMatching(/:2:7 /) });
      for (const [code, completeness] of [
        [sum, "complete"],
        [huge, "unknown"], // not parsed on every Enter
      ]) {
        const isComplete = await kernel.request("shell", "is_complete_request", { code }, 60_000);
        expect(isComplete.content.status).toBe(completeness);
        const complete = await kernel.request("shell", "complete_request", { code, cursor_pos: 2 }, 60_000);
        expect(complete.content.status).toBe("ok");
        const inspect = await kernel.request(
          "shell",
          "inspect_request",
          { code, cursor_pos: 8, detail_level: 0 },
          60_000,
        );
        expect(inspect.content.status).toBe("ok");
      }
      await stillServing();
    },
  );

  it(
    "points an error in a 1 MB cell at the cell's own line, and interrupts one that loops; variables kept",
    { timeout: 300_000 },
    async () => {
      const statements = Array.from({ length: 40_000 }, (_, i) => `const big${i} = ${i};`).join("\n");
      const thrown = await kernel.execute(`${statements}\nlet bigLast = big39999\n  null.x`, { timeoutMs: 120_000 });
      expect(thrown.reply.content).toMatchObject({ status: "error", ename: "TypeError" });
      expect(thrown.reply.content.traceback).toEqual([
        expect.stringMatching(/^TypeError: /),
        expect.stringMatching(/^ {4}at cell\[\d+\]:40002:8$/),
      ]);
      // The cell says when it runs (its printed output would wait behind the loop).
      const started = join(mkdtempSync(join(tmpdir(), "tsgrad-large-cell-")), "started");
      const looping = kernel.execute(
        `${statements}\nbigLast = -1\nrequire("node:fs").writeFileSync(${JSON.stringify(started)}, "")\nfor (;;) {}`,
        { timeoutMs: 120_000 },
      );
      for (const deadline = Date.now() + 120_000; !existsSync(started) && Date.now() < deadline; )
        await new Promise((resolve) => setTimeout(resolve, 50));
      await kernel.request("control", "interrupt_request");
      expect((await looping).reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
      const { outputs } = await kernel.execute("[big12345, bigLast]");
      expect(JSON.stringify(outputs.map((m) => m.content))).toContain("[ 12345, -1 ]");
      await stillServing();
    },
  );

  it("ignores message types named like object properties, on shell and control", async () => {
    const sent = ["__proto__", "constructor", "toString", "hasOwnProperty"].flatMap((type) => [
      kernel.sendRequest("shell", type, {}),
      kernel.sendRequest("control", type, {}),
    ]);
    await stillServing();
    for (const request of sent) {
      expect(kernel.replyIfAny(request)).toBeUndefined();
      expect(kernel.childrenOf(request)).toEqual([]);
    }
  });

  it("reads contents of the wrong types as defaults and answers every request", async () => {
    const odd = { code: 5, cursor_pos: "end", detail_level: [], hist_access_type: {}, n: "x", pattern: null };
    for (const type of ["complete_request", "inspect_request", "history_request"]) {
      expect((await kernel.request("shell", type, odd)).content.status).toBe("ok");
    }
    expect((await kernel.request("shell", "is_complete_request", odd)).content).toEqual({ status: "complete" });
    expect((await kernel.request("shell", "execute_request", odd)).content).toMatchObject({ ename: "BadRequest" });
    await stillServing();
  });

  it("drops messages signed with another key, unsigned, or replayed; runs a signed one once", async () => {
    const message = kernel.sendRequest("shell", "execute_request", {
      code: "globalThis.runs = (globalThis.runs ?? 0) + 1",
    });
    await kernel.reply(message);
    const frames = encode(message, kernel.signer);
    kernel.sendFrames("shell", frames); // a replay
    const forged = [...frames];
    forged[1] = Buffer.from("0".repeat(64));
    kernel.sendFrames("shell", forged);
    const { outputs } = await kernel.execute("globalThis.runs");
    expect(JSON.stringify(outputs.map((m) => m.content))).toContain('"1"');
    await stillServing();
  });

  it("drops malformed frames on shell and control, signed or not, without a reply", async () => {
    const signed = (frames: string[]) => {
      const json = frames.map((frame) => Buffer.from(frame));
      return [DELIMITER, Buffer.from(kernel.signer.sign(json)), ...json];
    };
    const probe = createMessage(kernel.origin, "execute_request", { code: "globalThis.malformedRan = true" });
    const header = JSON.stringify(probe.header);
    const malformed: Buffer[][] = [
      [Buffer.from("no delimiter at all")],
      [DELIMITER],
      signed([header, "{}", "{}"]), // a frame short
      signed(["{not json", "{}", "{}", "{}"]),
      signed(["[1, 2]", "{}", "{}", "{}"]),
      signed(['{"msg_id": "x"}', "{}", "{}", "{}"]), // no msg_type
      signed([header, "7", "{}", "null"]),
      signed([header, "{}", "{}", '"a string"']),
      [DELIMITER, Buffer.from(""), ...signed([header, "{}", "{}", "{}"]).slice(2)], // signature missing
    ];
    for (const channel of ["shell", "control"] as const)
      for (const frames of malformed) kernel.sendFrames(channel, frames);
    // A well-formed execute with its signature missing must not run.
    const unsigned = createMessage(kernel.origin, "execute_request", { code: "globalThis.unsignedRan = true" });
    const frames = encode(unsigned, kernel.signer);
    frames[1] = Buffer.from("");
    kernel.sendFrames("shell", frames);
    await stillServing();
    const { outputs } = await kernel.execute(
      "globalThis.unsignedRan === undefined && globalThis.malformedRan === undefined",
    );
    expect(JSON.stringify(outputs.map((m) => m.content))).toContain('"true"');
    for (const request of [probe, unsigned]) {
      expect(kernel.replyIfAny(request)).toBeUndefined();
      expect(kernel.childrenOf(request)).toEqual([]);
    }
  });

  it("takes a 100 MB message, and survives garbage sent to every port", { timeout: 120_000 }, async () => {
    kernel.sendRequest("shell", "comm_msg", { comm_id: "none", data: { blob: "x".repeat(100 * 2 ** 20) } });
    const { connection } = kernel;
    const ports = [
      connection.shell_port,
      connection.control_port,
      connection.stdin_port,
      connection.iopub_port,
      connection.hb_port,
    ];
    await Promise.all(
      ports.map(
        (port) =>
          new Promise<void>((done) => {
            const socket = new Socket();
            socket.on("error", () => done());
            socket.connect(port, "127.0.0.1", () =>
              socket.end(Buffer.from("GET / HTTP/1.1\r\n\r\n\u0000\u00ff garbage"), () => done()),
            );
            setTimeout(() => {
              socket.destroy();
              done();
            }, 500);
          }),
      ),
    );
    await stillServing();
  });

  it(
    "keeps serving after cells that throw, reject late, call process.exit, or print a million lines",
    {
      timeout: 150_000,
    },
    async () => {
      expect((await kernel.execute('throw new Error("boom")')).reply.content.ename).toBe("Error");
      expect((await kernel.execute("process.exit(3)")).reply.content.ename).toBe("ProcessExitError");
      await kernel.execute('setTimeout(() => Promise.reject(new Error("late")), 0); 1');
      const flood = await kernel.execute('for (let i = 0; i < 1_000_000; i++) console.log("line", i)', {
        timeoutMs: 120_000,
      });
      expect(flood.reply.content.status).toBe("ok");
      const printed = flood.outputs.map((m) => m.content.text ?? "").join("");
      // Every line once, none lost or doubled: "line i\n" for i below a million is 11,888,890 characters.
      expect(printed.length).toBe(11_888_890);
      expect(printed.endsWith("line 999999\n")).toBe(true);
      await stillServing();
    },
  );
});
