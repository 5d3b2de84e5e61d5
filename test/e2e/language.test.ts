// The language side of the kernel over ZeroMQ, against the built kernel (npm run build):
// type errors stop a cell, earlier cells are known to the checker, completion and inspection
// come from types, is_complete, and code-point positions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KernelClient, startKernel } from "./client.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matches the escape codes themselves
const ANSI = /\x1b\[[0-9;]*m/g;

describe("TypeScript intelligence end to end", () => {
  let kernel: KernelClient;

  beforeAll(async () => {
    kernel = await startKernel();
  }, 60_000);

  afterAll(async () => {
    await kernel?.close();
  });

  async function ok(code: string): Promise<void> {
    const { reply } = await kernel.execute(code, { timeoutMs: 60_000 });
    expect(reply.content, code).toMatchObject({ status: "ok" });
  }

  it("stops a cell with a type error at the right line:column, before it runs", async () => {
    const { reply, outputs } = await kernel.execute('console.log("ran");\nconst count: number = "three";', {
      timeoutMs: 60_000,
    });
    expect(reply.content).toMatchObject({ status: "error", ename: "TypeScriptError" });
    const error = outputs.find((m) => m.header.msg_type === "error");
    const traceback = (error?.content.traceback as string[]).map((line) => line.replace(ANSI, ""));
    expect(traceback[0]).toMatch(
      /^cell\[\d+\]:2:7 - error TS2322: Type 'string' is not assignable to type 'number'\.$/,
    );
    expect(traceback).toContain('2 const count: number = "three";');
    expect(outputs.some((m) => m.header.msg_type === "stream")).toBe(false); // nothing ran
    const after = await kernel.execute('"count" in globalThis');
    expect(
      (after.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data as Record<string, string>)[
        "text/plain"
      ],
    ).toBe("false");
  });

  it("type-checks a cell against a variable declared three cells earlier, and re-declarations", async () => {
    await ok("const hiddenUnits = 16;");
    await ok(
      "const model = new nn.Sequential(new nn.Linear(2, hiddenUnits), new nn.ReLU(), new nn.Linear(hiddenUnits, 1));",
    );
    await ok("const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });");
    await ok("const doubled: number = hiddenUnits * 2;\ndoubled");
    await ok("const hiddenUnits = 'now a string';"); // re-declared in a later cell: not an error
    const { reply } = await kernel.execute("const n: number = hiddenUnits;");
    expect(reply.content).toMatchObject({ status: "error", ename: "TypeScriptError" });
  });

  it("runs an nn.Module subclass whose forward has no `override`, and says when forward is missing", async () => {
    const { reply, outputs } = await kernel.execute(
      "class TinyNet extends nn.Module {\n  fc = new nn.Linear(3, 2);\n  forward(x: Tensor): Tensor { return this.fc.forward(x); }\n}\nnew TinyNet().forward(zeros([5, 3])).shape",
      { timeoutMs: 60_000 },
    );
    expect(reply.content).toMatchObject({ status: "ok" });
    expect(outputs.map((m) => m.header.msg_type)).toEqual(["execute_result"]);
    expect((outputs[0]!.content.data as Record<string, string>)["text/plain"]).toBe("[ 5, 2 ]");
    const missing = await kernel.execute("class NoForward extends nn.Module {}\nnew NoForward().forward(zeros([1]))");
    expect(missing.reply.content).toMatchObject({
      status: "error",
      ename: "Error",
      evalue: expect.stringContaining("NoForward has no forward() method"),
    });
  });

  it("completes a tensor's methods and a user class's fields", async () => {
    await ok("const t = randn([3, 3], { requiresGrad: true });");
    const tensorMembers = await kernel.request("shell", "complete_request", { code: "t.", cursor_pos: 2 });
    expect(tensorMembers.content.matches).toEqual(expect.arrayContaining(["matmul", "backward", "grad"]));
    expect(tensorMembers.content).toMatchObject({ status: "ok", cursor_start: 2, cursor_end: 2 });
    const types = (tensorMembers.content.metadata as Record<string, { text: string; type: string }[]>)
      ._jupyter_types_experimental!;
    expect(types.find((m) => m.text === "matmul")?.type).toBe("function");

    await ok(
      "class Run { constructor(public epochs: number, public learningRate: number) {} }\nconst run = new Run(10, 0.1);",
    );
    // A cell that does not type-check yet, as while typing.
    const code = 'const oops: number = "x";\nrun.le';
    const fields = await kernel.request("shell", "complete_request", { code, cursor_pos: code.length });
    expect(fields.content).toMatchObject({
      matches: ["learningRate"],
      cursor_start: code.length - 2,
      cursor_end: code.length,
    });
  });

  it("completes a value declared only in the cell being typed, before it ever ran", async () => {
    const code = "const notRunYet = { alpha: 1, beta: 2 };\nnotRunYet.al";
    const reply = await kernel.request("shell", "complete_request", { code, cursor_pos: code.length });
    expect(reply.content.matches).toEqual(["alpha"]);
  });

  it("shows nn.Linear's signature and doc comment on inspection", async () => {
    const code = "new nn.Linear(4, 2)";
    const reply = await kernel.request("shell", "inspect_request", { code, cursor_pos: 11, detail_level: 0 });
    expect(reply.content).toMatchObject({ status: "ok", found: true });
    const data = reply.content.data as Record<string, string>;
    expect(data["text/plain"]).toContain("Linear(inFeatures: number, outFeatures: number");
    expect(data["text/plain"]).toContain("A fully connected layer");
    expect(data["text/markdown"]).toContain("A fully connected layer");
    const detailed = await kernel.request("shell", "inspect_request", { code, cursor_pos: 11, detail_level: 1 });
    expect((detailed.content.data as Record<string, string>)["text/plain"]).toMatch(
      /Declared in engine\/nn\/linear\.d\.ts:\d+/,
    );
  });

  it("judges completeness with the parser", async () => {
    const cases: [string, Record<string, unknown>][] = [
      ["for (const x of [1, 2]) {", { status: "incomplete", indent: "  " }],
      ["const xs = [1,\n  2,", { status: "incomplete" }],
      ["const s = `open ${1}", { status: "incomplete", indent: "" }], // spaces would join the string
      ["const = 3", { status: "invalid" }],
      ["}", { status: "invalid" }],
      ["const done = 1;", { status: "complete" }],
    ];
    for (const [code, expected] of cases) {
      const reply = await kernel.request("shell", "is_complete_request", { code });
      expect(reply.content, code).toMatchObject(expected);
    }
  });

  it("counts positions in code points with an emoji before the cursor", async () => {
    await ok('const fire = { label: "🔥", heat: 3 };');
    const code = 'const note = "🔥 hot 🔥"; fire.he';
    const codePoints = [...code].length;
    const reply = await kernel.request("shell", "complete_request", { code, cursor_pos: codePoints });
    expect(reply.content).toMatchObject({ matches: ["heat"], cursor_start: codePoints - 2, cursor_end: codePoints });
    const types = (reply.content.metadata as Record<string, { start: number; end: number }[]>)
      ._jupyter_types_experimental!;
    expect(types[0]).toMatchObject({ start: codePoints - 2, end: codePoints });
    const onFire = [...code.slice(0, code.indexOf("fire.") + 2)].length;
    const inspected = await kernel.request("shell", "inspect_request", { code, cursor_pos: onFire, detail_level: 0 });
    expect((inspected.content.data as Record<string, string>)["text/plain"]).toContain("heat: number");
    const error = await kernel.execute('const emojiLine = "🔥🔥"; const wrong: number = emojiLine;', {
      stop_on_error: false,
    });
    const first = ((error.reply.content.traceback as string[])[0] ?? "").replace(ANSI, "");
    expect(first).toMatch(/:1:31 - error TS2322/); // `wrong` is the 31st character (33rd UTF-16 unit)
  });
});
