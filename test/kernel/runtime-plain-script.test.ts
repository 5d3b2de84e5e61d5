// Large cells that need no transform run as plain scripts (plain-script.ts): the cell's own text,
// `const`/`let` turned into `var`, so positions need no source map. Run here through the executor,
// in this process's realm, as the runtime runs them.
import { describe, expect, it } from "vitest";
import { Executor } from "../../kernel/runtime/child/executor.js";
import { PLAIN_SCRIPT_CHARS, type TranspileResult, transpileCell } from "../../kernel/runtime/child/transpile.js";
import type { ExecuteOptions, ExecuteOutcome } from "../../kernel/runtime/interpreter.js";

/** A comment that makes a cell large enough to be compiled as a plain script. */
const PADDING = `\n// ${"x".repeat(PLAIN_SCRIPT_CHARS)}\n`;
const OPTIONS: ExecuteOptions = { silent: false, storeHistory: true, allowStdin: false, userExpressions: {} };

function compiled(code: string, fileName = "cell[1]"): Extract<TranspileResult, { ok: true }>["cell"] {
  const result = transpileCell(code, fileName);
  if (!result.ok) throw new Error(`unexpected syntax error: ${result.error.message}`);
  return result.cell;
}

function executor(): Executor {
  return new Executor({
    compile: async (code, fileName) => transpileCell(code, fileName),
    beforeCell: () => {},
    stage: () => {},
    afterCell: () => {},
    interruptRequested: () => false,
  });
}

function resultOf(outcome: ExecuteOutcome): unknown {
  if (outcome.status !== "ok") throw new Error(`${outcome.ename}: ${outcome.evalue}\n${outcome.traceback.join("\n")}`);
  return outcome.result?.data["text/plain"];
}

const TYPED = [
  "const a: number = 1, b: string[] = ['x']",
  "let c!: number",
  "function f<T extends object = {}>(x: T, y?: number, ...rest: any[]): T | undefined { return x }",
  "interface I {",
  "  n: number",
  "}",
  "type U = 'a' | 'b'",
  "const g = <T,>(v: T): T => v",
  "const o = { m(a: number): number { return a * 2 } };",
  "const m = new Map<string, number>([['x', 1]])",
  "const v = m.get('x')! + 1, w = (m as any).size satisfies number",
  "try { JSON.parse('{') } catch (e: unknown) { c = 1 }",
];

describe("a large cell compiled as a plain script", () => {
  it("has its types blanked: the JavaScript left keeps every position", () => {
    const code = `${TYPED.join("\n")}${PADDING}[a, b[0], f({}) !== undefined, g(4), o.m(2), v, w, c]`;
    const cell = compiled(code);
    expect(cell.plainPrologueLines).toBe(1);
    expect(cell.declaredNames).toEqual(["a", "b", "c", "f", "g", "o", "m", "v", "w"]);
    const lines = cell.js.split("\n");
    expect(lines.slice(1, TYPED.length + 1)).toEqual([
      "var   a         = 1, b           = ['x']",
      "var c         ",
      "function f                       (x   , y         , ...rest       )                { return x }",
      ";            ",
      "           ",
      " ",
      ";                 ",
      "var   g =     (v   )    => v",
      "var   o = { m(a        )         { return a * 2 } };",
      "var   m = new Map                ([['x', 1]])",
      "var   v = m.get('x')  + 1, w = (m       ).size                 ",
      "try { JSON.parse('{') } catch (e         ) { c = 1 }",
    ]);
    const run = new Function(`return eval(${JSON.stringify(cell.js)})`) as () => unknown;
    expect(run()).toEqual([1, "x", true, 4, 4, 2, 1, 1]);
  });

  it("keeps every line and column of the cell, declares its names, and resets `let x;` first", () => {
    const code = `const a = 1, { b, c: [d] } = { b: 2, c: [3] }\nlet e\nfunction f() { return a + b + d }${PADDING}f()`;
    const cell = compiled(code);
    expect(cell.sourceMap).toBe("");
    expect(cell.plainPrologueLines).toBe(1);
    expect(cell.declaredNames).toEqual(["a", "b", "d", "e", "f"]);
    const lines = cell.js.split("\n");
    expect(lines[0]).toBe("e = void 0;");
    expect(lines.slice(1, 4)).toEqual([
      "var   a = 1, { b, c: [d] } = { b: 2, c: [3] }",
      "var e",
      "function f() { return a + b + d }",
    ]);
    expect(lines.slice(1).join("\n")).toBe(code.replace(/^const/, "var  ").replace("\nlet e", "\nvar e"));
  });

  it("leaves small cells, and large ones that need the emitter, to transpileModule", () => {
    const needEmitter = [
      "await Promise.resolve(1)",
      "const awaited = await(Promise.resolve(1))",
      'import { readFileSync } from "node:fs"',
      'const dynamic = import("node:fs")',
      "export const exported = 1",
      "class Point { x = 1 }",
      "enum Color { Red }",
      "for await (const x of []) {}",
      "const o = new (class { accessor n = 1 })()",
      "using handle = { [Symbol.dispose]() {} }",
      "return 1",
      // TypeScript that blanks cannot remove (blank-types.ts).
      "enum Color { Red }\nconst red = Color.Red",
      "const typedClass = class { private n: number = 1 }",
      "function withThis(this: Window) {}",
      "declare const declared: number",
      "function overloaded(a: string): void\nfunction overloaded(a: unknown) {}",
      "const asserted = <number>(1 as unknown)",
      "const arrow = (a: number):\n  number => a",
      // Blanked, the next line would continue the expression: `x (y)`, `x [0]`.
      "let cast = 1 as number\n(cast)",
      "let nonNull = [1]!\n[0]",
      "const instantiated = JSON.parse<unknown>\n[0]",
      '"use strict";\nlet strict',
      "#!/usr/bin/env node\nlet shebang",
      "const broken = ;",
    ];
    for (const code of needEmitter) {
      const result = transpileCell(`${code}${PADDING}`, "cell[1]");
      if (!result.ok) {
        expect(code).toBe("const broken = ;"); // its syntax error, reported by transpileModule
        continue;
      }
      expect(result.cell.plainPrologueLines, code).toBeUndefined();
      expect(result.cell.sourceMap, code).not.toBe("");
    }
    expect(compiled("const small = 1").plainPrologueLines).toBeUndefined();
    expect(compiled(`async function later() { await 1 }${PADDING}`).plainPrologueLines).toBe(0);
  });

  it("runs: its result, globals a re-run declares again, and errors at the cell's own line and column", async () => {
    const run = executor();
    const cell = (n: number) =>
      `const plainA = ${n}\nlet plainB\nfunction plainF() { return plainA * 2 }${PADDING}  plainF() + (plainB ?? 0)`;
    expect(resultOf(await run.execute(1, cell(1), "cell[1]", OPTIONS, transpileCell(cell(1), "cell[1]")))).toBe("2");
    expect(resultOf(await run.execute(2, "plainB = 5", "cell[2]", OPTIONS))).toBe("5");
    // Re-run: the same const and function again, and `let plainB;` starts afresh.
    expect(resultOf(await run.execute(3, cell(4), "cell[3]", OPTIONS, transpileCell(cell(4), "cell[3]")))).toBe("8");
    // A statement last that is not an expression: no result (not an earlier statement's value).
    const noResult = await run.execute(4, `plainA${PADDING}var plainC = 1`, "cell[4]", OPTIONS);
    expect(noResult).toEqual({ status: "ok", userExpressions: {} });

    // The same name as a cell with a source map before: that map is not used for this one.
    expect((await run.execute(5, "const typedBefore: number = 1\n\n\n1", "cell[*]", OPTIONS)).status).toBe("ok");
    const throwing = `let plainD: number\nfunction plainFail(): never {\n    throw new Error("plain")\n}${PADDING}plainD = 7 as number\n   plainFail()`;
    expect(compiled(throwing, "cell[*]").plainPrologueLines).toBe(1); // its types blanked
    const failed = await run.execute(6, throwing, "cell[*]", OPTIONS);
    expect(failed).toMatchObject({ status: "error", ename: "Error", evalue: "plain" });
    const lastLine = throwing.split("\n").length;
    expect((failed as { traceback: string[] }).traceback.slice(1, 3)).toEqual([
      "    at plainFail (cell[*]:3:11)",
      `    at cell[*]:${lastLine}:4`,
    ]);
    expect(resultOf(await run.execute(7, "plainD", "cell[8]", OPTIONS))).toBe("7"); // set before the throw
  });
});
