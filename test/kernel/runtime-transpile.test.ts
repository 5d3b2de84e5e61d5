// The cell transpiler on its own: TypeScript in, a REPL-shaped script out. Scripts run here
// in a fresh vm context standing in for the runtime's global object.
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { CellSourceMaps, describeError } from "../../kernel/runtime/child/traceback.js";
import { type CompiledCell, transpileCell } from "../../kernel/runtime/child/transpile.js";

function compile(code: string, fileName = "cell[1]"): CompiledCell {
  const result = transpileCell(code, fileName);
  if (!result.ok) throw new Error(`unexpected syntax error: ${result.error.message}`);
  return result.cell;
}

/** Runs cells one after another in one context, as the runtime does; returns each result. */
async function runCells(
  cells: string[],
  globals: Record<string, unknown> = {},
): Promise<{ results: unknown[]; context: vm.Context }> {
  const imported: string[] = [];
  const context = vm.createContext({
    ...globals,
    imported,
    __tsgrad: {
      importModule: async (specifier: string) => {
        imported.push(specifier);
        return { default: `default of ${specifier}`, named: `named of ${specifier}` };
      },
      interop: (ns: unknown) => ns,
      defaultExport: (ns: { default: unknown }) => ns.default,
    },
  });
  const results: unknown[] = [];
  for (const [i, code] of cells.entries()) {
    const completion = (await vm.runInContext(compile(code, `cell[${i + 1}]`).js, context)) as
      | { value: unknown }
      | undefined;
    results.push(completion === undefined ? "<no result>" : completion.value);
  }
  return { results, context };
}

describe("transpileCell", () => {
  it("strips types and makes top-level declarations globals of the context", async () => {
    const { context } = await runCells([
      "const a: number = 1\nlet b: string = 'x'\nvar c = true\nfunction f(n: number): number { return n * 2 }\nclass K { v = 3 }\nenum E { A, B }\ninterface I { z: number }",
    ]);
    expect(vm.runInContext("[a, b, c, f(2), new K().v, E.B, E[0]]", context)).toEqual([1, "x", true, 4, 3, 1, "A"]);
  });

  it("lets a re-run cell declare the same const, class and function again; the new value wins", async () => {
    const cell = (n: number) => `const x = ${n}\nclass C { n = ${n} }\nfunction f() { return ${n} }\nlet y = ${n}`;
    const { results } = await runCells([cell(1), cell(2), "[x, new C().n, f(), y]"]);
    expect(results[2]).toEqual([2, 2, 2, 2]);
  });

  it("resets a re-declared let without initializer, but keeps enum merging intact", async () => {
    const { results } = await runCells([
      "let z = 5",
      "let z\nz",
      "enum Color { Red }",
      "enum Color { Red, Green }\nColor.Green",
    ]);
    expect(results[1]).toBeUndefined(); // a fresh `let z` holds undefined, not the old 5
    expect(results[3]).toBe(1);
  });

  it("hoists destructuring declarations, defaults and rest elements", async () => {
    const { results } = await runCells([
      "const { a, b: [c, , d = 4], ...rest } = { a: 1, b: [2, 3], e: 5, f: 6 }\nconst [first, ...others] = [7, 8, 9]",
      "[a, c, d, rest, first, others]",
    ]);
    expect(results[1]).toEqual([1, 2, 4, { e: 5, f: 6 }, 7, [8, 9]]);
  });

  it("returns the last expression statement, with or without a semicolon", async () => {
    const { results } = await runCells(["1 + 1", "2 + 2;", "const q = 3\nq * 3", "type T = number\n5 as T"]);
    expect(results).toEqual([2, 4, 9, 5]);
  });

  it("shows nothing for a declaration, a void expression or a trailing statement", async () => {
    const { results } = await runCells(["const n = 1", "void (n + 1)", "n + 1\nif (n) {}", "function g() {}"]);
    expect(results).toEqual(["<no result>", "<no result>", "<no result>", "<no result>"]);
  });

  it("reads a cell that is only `{ ... }` as an object literal when it can be one", async () => {
    const { results } = await runCells(["{ a: 1, b: [2] }", "{ const inner = 3; inner }", "{ a: 1 };"]);
    expect(results).toEqual([{ a: 1, b: [2] }, "<no result>", { a: 1 }]); // a real block stays a block
  });

  it("turns nameless default exports into values", async () => {
    const { results } = await runCells(["export default function () { return 1 }", "export default class { v = 2 }"]);
    expect(typeof results[0]).toBe("function");
    expect(new (results[1] as new () => { v: number })().v).toBe(2);
  });

  it("does not await a Promise that is the last expression", async () => {
    const { results } = await runCells(["Promise.resolve(7)"]);
    expect(typeof (results[0] as Promise<unknown>).then).toBe("function");
  });

  it("supports top-level await and for await", async () => {
    const { results } = await runCells([
      "const v = await Promise.resolve(41)\nv + 1",
      "let total = 0\nfor await (const x of [Promise.resolve(1), Promise.resolve(2)]) total += x\ntotal",
    ]);
    expect(results).toEqual([42, 3]);
  });

  it("rewrites static and dynamic imports to the runtime's importer, keeping unused ones", async () => {
    const { results, context } = await runCells([
      'import def, { named as alias } from "pkg"\nimport * as ns from "./local.ts"\nimport "side-effect"\nimport type { Nothing } from "types-only"',
      '[def, alias, ns.named, (await import("dyn")).named]',
    ]);
    expect(results[1]).toEqual(["default of pkg", "named of pkg", "named of ./local.ts", "named of dyn"]);
    expect(vm.runInContext("imported", context)).toEqual(["pkg", "./local.ts", "side-effect", "dyn"]);
  });

  it("compiles a sum of 20,000 terms, and a dynamic import inside a function deep in a cell", async () => {
    const sum = Array.from({ length: 20_000 }, (_, i) => i).join(" + ");
    const { results } = await runCells([
      sum,
      `const later = async () => (await import("dyn")).named\n${sum.slice(0, 2_000)}`,
      "await later()",
    ]);
    expect(results).toEqual([199_990_000, expect.any(Number), "named of dyn"]);
  });

  it("passes import attributes on to the importer", () => {
    const { js } = compile('import data from "./d.json" with { type: "json" }');
    expect(js).toContain('importModule("./d.json", { with: { "type": "json" } })');
  });

  it("lists the names a cell declares", () => {
    const { declaredNames } = compile(
      "import fs from 'fs'\nconst { a, b: [c] } = o\nfunction f() {}\nclass K {}\nenum E { A }",
    );
    expect(declaredNames.sort()).toEqual(["E", "K", "a", "c", "f", "fs"].sort());
  });

  it("reports a syntax error with its 1-based line and column", () => {
    const result = transpileCell("const ok = 1\nconst bad = (;", "cell[9]");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ line: 2, column: 14 });
  });

  it("maps a runtime error back to the TypeScript line and column", async () => {
    const code =
      "interface P { x: number }\nconst ps: P[] = []\n\nfunction first(list: P[]): number {\n  return list[0]!.x\n}\nfirst(ps)";
    const compiled = compile(code, "cell[4]");
    const maps = new CellSourceMaps();
    maps.add("cell[4]", compiled.sourceMap, compiled.js.trimEnd().split("\n").length);
    const context = vm.createContext({});
    const error = await (vm.runInContext(compiled.js, context, { filename: "cell[4]" }) as Promise<unknown>).catch(
      (e: unknown) => e,
    );
    const described = describeError(error, maps);
    expect(described.ename).toBe("TypeError");
    // Below these two come the test runner's own frames (in the runtime: its dist/ frames, dropped).
    expect(described.traceback.slice(1, 3)).toEqual(["    at first (cell[4]:5:19)", "    at cell[4]:7:1"]);
  });
});
