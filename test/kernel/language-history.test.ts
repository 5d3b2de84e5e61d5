// The history the type checker keeps of the cells that ran (language/notebook.ts): plain
// declarations in a script, whose names are globals by themselves; imports, exports and
// renamed declarations in a module made global through a declarations file. Whichever file
// holds a declaration, later cells see it the same way. Needs `npm run build` (the engine's
// declarations in dist/).
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { NotebookCells } from "../../kernel/runtime/child/language/notebook.js";
import { NotebookLanguageService } from "../../kernel/runtime/child/language/service.js";

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const NOTEBOOK_DIR = join(PROJECT, "test/fixtures/notebook");

function freshService(): NotebookLanguageService {
  return new NotebookLanguageService({ notebookDir: NOTEBOOK_DIR, projectDir: PROJECT });
}

describe("the history's two files", () => {
  it("keeps plain declarations in the script and imports, exports and renamed ones in the module", () => {
    const cells = new NotebookCells();
    cells.add("/** The rate. */\nconst rate = 0.1\nfunction f() { return 1 }\nrate * 2");
    cells.add('import { readFileSync } from "node:fs"\nexport const shared = 1\ninterface Shape { n: number }');
    cells.add("const [first, second] = [1, 2]");
    cells.add("const first = 'again'");
    const history = cells.history();
    expect(history.script).toContain("/** The rate. */\nconst rate = 0.1");
    expect(history.script).toContain("function f() { return 1 }");
    expect(history.script).toContain("interface Shape { n: number }");
    expect(history.script).toContain("const first = 'again'");
    expect(history.script).not.toContain("rate * 2");
    expect(history.script).not.toMatch(/import|export/);
    expect(history.module).toContain('import { readFileSync } from "node:fs"\nexport { readFileSync };');
    expect(history.module).toContain("export const shared = 1");
    // Partly shadowed: the earlier `first` is renamed, and stays out of the globals.
    expect(history.module).toContain("export const [first$shadowed2, second] = [1, 2]");
    expect(history.moduleGlobals.sort()).toEqual(["readFileSync", "second", "shared"]);
    expect(history.globals.sort()).toEqual(["Shape", "f", "first", "rate", "readFileSync", "second", "shared"]);
    expect(history.variables).toEqual(
      new Map([
        ["second", "const"],
        ["shared", "const"],
      ]),
    );
  });
});

describe("annotated variables of earlier cells, kept as signatures", () => {
  it("keep their annotations only, comment-free ones in one statement per kind", () => {
    const cells = new NotebookCells();
    cells.add("const a: number = expensive(1) * 2\nlet b: string = 'x', c: Array<number> = []\nconsole.log(a)");
    cells.add("/** The rate. */\nconst rate: number = 0.1\nvar d!: { n: 1 }\nconst e: number = 1, f = 2");
    cells.add("const [g, h]: number[] = [1, 2]\nusing u: Disposable = { [Symbol.dispose]() {} }");
    cells.add("const z: boolean = !true");
    const { script, globals } = cells.history();
    expect(script).toContain("declare const a: number,\n  z: boolean;\n");
    expect(script).toContain("declare let b: string, c: Array<number>;\n");
    expect(script).toContain("declare var d: { n: 1 };\n");
    expect(script).toContain("/** The rate. */\ndeclare const rate: number;");
    expect(script).not.toMatch(/expensive|0\.1/);
    // Left whole: an unannotated variable, a binding pattern, `using`.
    expect(script).toContain("const e: number = 1, f = 2");
    expect(script).toContain("const [g, h]: number[] = [1, 2]");
    expect(script).toContain("using u: Disposable");
    expect(globals.sort()).toEqual(["a", "b", "c", "d", "e", "f", "g", "h", "rate", "u", "z"]);
  });

  it("give later cells their types, constness, docs and completion, and yield to a redeclaration", () => {
    const notebook = freshService();
    notebook.commit("/** Steps per epoch. */\nconst steps: number = 10 * 3\nlet loss: Tensor = zeros([1])");
    notebook.commit("let best: number = 0, worst: string = 'none'\nconst shape: number[] = [2, 3]");
    expect(notebook.diagnose("loss = loss.add(steps); best = shape[0]!; worst = 'a';")).toEqual([]);
    expect(notebook.diagnose("steps = 2;")[0]?.message).toContain("Cannot assign to 'steps'");
    expect(notebook.diagnose("const s: string = steps;")[0]?.message).toContain(
      "Type 'number' is not assignable to type 'string'",
    );
    const hover = notebook.inspect("steps", 2, 0).data["text/plain"];
    expect(hover).toContain("const steps: number");
    expect(hover).toContain("Steps per epoch.");
    expect(notebook.complete("loss.", 5).matches).toContain("backward");
    // Partly shadowed: `best` is renamed away in the module, `worst` keeps its type.
    notebook.commit("const best: string = 'now a string'");
    expect(notebook.diagnose("const b: string = best; const w: string = worst; worst = 'b';")).toEqual([]);
    expect(notebook.diagnose("const b: number = best;")[0]?.code).toBe(2322);
    expect(notebook.complete("bes", 3).matches.filter((name) => name.includes("$"))).toEqual([]);
  });
});

describe("declarations of earlier cells, whichever file holds them", () => {
  it("are types, values and namespaces in later cells", () => {
    const notebook = freshService();
    notebook.commit("interface Shape { sides: number }\ntype Sides = Shape['sides']\nenum Colour { Red, Green }");
    notebook.commit("namespace geometry { export const unit = 1 }\nclass Square implements Shape { sides = 4 }");
    notebook.commit("function area(side: number): number { return side * side }\nlet total = 0");
    const code = [
      "const s: Shape = new Square();",
      "const n: Sides = s.sides + geometry.unit;",
      "const c: Colour = Colour.Green;",
      "total += area(n);",
    ].join("\n");
    expect(notebook.diagnose(code)).toEqual([]);
    expect(notebook.diagnose("const wrong: string = area(2);")[0]?.message).toContain(
      "Type 'number' is not assignable to type 'string'",
    );
  });

  it("see each other: a declaration uses an import of an earlier cell, and the other way round", () => {
    const notebook = freshService();
    notebook.commit('import { join } from "node:path"');
    notebook.commit('const where = join("a", "b")\nconst parts = [1, 2]');
    notebook.commit("import { readFileSync } from 'node:fs'\nconst [head, tail] = parts");
    notebook.commit("const tail = 'renamed away in the module'");
    expect(notebook.diagnose("const w: string = where; const h: number = head; const t: string = tail;")).toEqual([]);
    expect(notebook.diagnose("const w: number = where;")[0]?.code).toBe(2322);
    expect(notebook.diagnose("readFileSync('x', 'utf8').toUpperCase()")).toEqual([]);
  });

  it("keep a const constant and a let assignable", () => {
    const notebook = freshService();
    notebook.commit("const fixed = 1\nlet counter = 0\nvar loose = 'a'");
    expect(notebook.diagnose("counter = 2; loose = 'b';")).toEqual([]);
    expect(notebook.diagnose("fixed = 2;")[0]?.message).toContain("Cannot assign to 'fixed'");
  });

  it("keep the type of a value a cell awaited at top level", () => {
    const notebook = freshService();
    notebook.commit("const loaded = await Promise.resolve({ rows: 3 })");
    expect(notebook.diagnose("const rows: number = loaded.rows;")).toEqual([]);
    expect(notebook.diagnose("loaded.columns")[0]?.message).toContain("Property 'columns' does not exist");
  });

  it("are offered by completion, without the names of renamed declarations", () => {
    const notebook = freshService();
    notebook.commit("const [learningRate, learningSteps] = [0.1, 10]");
    notebook.commit("const learningRate = 0.2\nconst learningBatch = 32");
    const matches = notebook.complete("learning", 8).matches;
    expect(matches).toEqual(expect.arrayContaining(["learningRate", "learningSteps", "learningBatch"]));
    expect(matches.filter((name) => name.includes("$"))).toEqual([]);
  });

  it("augment a module with declare module, as in a module", () => {
    const notebook = freshService();
    notebook.commit('declare module "node:path" { export const extra: number }');
    notebook.commit('import { extra, join } from "node:path"');
    expect(notebook.diagnose("const n: number = extra; const j: string = join('a');")).toEqual([]);
  });
});
