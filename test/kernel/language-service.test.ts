// The notebook language service in-process: type errors against earlier cells and the engine,
// re-declaration across cells, completion and inspection. Needs `npm run build` (the engine's
// declarations in dist/).
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_MATCHES } from "../../kernel/runtime/child/completion.js";
import { NotebookLanguageService } from "../../kernel/runtime/child/language/service.js";

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const NOTEBOOK_DIR = join(PROJECT, "test/fixtures/notebook");

function freshService(): NotebookLanguageService {
  return new NotebookLanguageService({ notebookDir: NOTEBOOK_DIR, projectDir: PROJECT });
}

describe("type checking a cell", () => {
  let service: NotebookLanguageService;
  beforeAll(() => {
    service = freshService();
  });

  it("reports a type error at the cell's own line and column", () => {
    const diagnostics = service.diagnose('const fine = 1;\nconst wrong: number = "one";');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ line: 2, column: 7, code: 2322 });
    expect(diagnostics[0]!.message).toContain("Type 'string' is not assignable to type 'number'");
  });

  it("types process.stdout / stderr / stdin as Node's streams (write, columns, on)", () => {
    const code =
      'process.stdout.write("a\\n");\nprocess.stderr.write("b");\nprocess.stdout.columns;\nprocess.stdin.on("data", () => {});';
    expect(service.diagnose(code)).toEqual([]);
  });

  it("knows the engine's globals, values and namespace types alike", () => {
    const code = [
      "const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });",
      "const layer: nn.Linear = new nn.Linear(2, 1);",
      "const modules: nn.Module[] = [layer];",
      "const opt: optim.SGD = new optim.SGD(layer.parameters(), { lr: 0.1 });",
      "const iris: data.LabelledData = data.iris();",
      "const y: Tensor = layer.forward(x).sum();",
      "y.backward();",
      "display(y);",
      "const name: string = await input('name?');",
    ].join("\n");
    expect(service.diagnose(code)).toEqual([]);
  });

  it("sees a variable declared three cells earlier", () => {
    const notebook = freshService();
    notebook.commit("const learningRate = 0.1;");
    notebook.commit("const steps = 10;");
    notebook.commit("console.log(steps);");
    expect(notebook.diagnose("const lr: number = learningRate * 2;")).toEqual([]);
    expect(notebook.diagnose("const lr: string = learningRate;")[0]).toMatchObject({ line: 1, column: 7, code: 2322 });
    // Earlier cells' variables are globals at run time: a later cell may assign them.
    notebook.commit("let epoch = 0;");
    expect(notebook.diagnose("epoch++;\nepoch = 5;")).toEqual([]);
    expect(notebook.diagnose('epoch = "five";')[0]?.message).toContain(
      "Type 'string' is not assignable to type 'number'",
    );
  });

  it("lets a later cell declare a name again, with the new type winning", () => {
    const notebook = freshService();
    notebook.commit(
      "const model = 1;\nfunction f() { return 1 }\nclass Net { a = 1 }\nimport { readFileSync } from 'node:fs';",
    );
    expect(
      notebook.diagnose("const model = 'now a string';\nfunction f() { return 'x' }\nclass Net { b = 2 }"),
    ).toEqual([]);
    notebook.commit("const model = 'now a string';\nfunction f() { return 'x' }\nclass Net { b = 2 }");
    expect(notebook.diagnose("const n: number = model;")[0]?.message).toContain(
      "Type 'string' is not assignable to type 'number'",
    );
    expect(notebook.diagnose("new Net().b; const s: string = f();")).toEqual([]);
    expect(notebook.diagnose("new Net().a")[0]?.message).toContain("Property 'a' does not exist on type 'Net'");
  });

  it("is not poisoned by an earlier cell that never ends (interrupted loop, process.exit)", () => {
    const notebook = freshService();
    notebook.commit("let counter = 0");
    notebook.commit("while (true) { counter++ }");
    notebook.commit("process.exit(1)");
    expect(notebook.diagnose("console.log(counter + 1); const p = new Promise<number>((r) => r(1));")).toEqual([]);
  });

  it("keeps the doc comments of earlier cells' declarations for inspection", () => {
    const notebook = freshService();
    notebook.commit("/** Squares a number. */\nfunction square(x: number) { return x * x }\nsquare(3)");
    const inspected = notebook.inspect("square(2)", 2, 0);
    expect(inspected.data["text/plain"]).toContain("square(x: number): number");
    expect(inspected.data["text/plain"]).toContain("Squares a number.");
  });

  it("types Node's globals always and a builtin module once a cell imports it", () => {
    expect(
      service.diagnose(
        "const started: number = performance.now(); setTimeout(() => console.log(process.pid, Buffer.from('a')), 1);",
      ),
    ).toEqual([]);
    const [wrong] = service.diagnose(
      'import { readFileSync } from "node:fs";\nconst text: number = readFileSync("x", "utf8");',
    );
    expect(wrong).toMatchObject({ line: 2, column: 7, code: 2322 });
    expect(
      service.diagnose('import { Worker } from "worker_threads";\nconst w: Worker | undefined = undefined;'),
    ).toEqual([]);
  });

  it("leaves syntax errors to the transpiler", () => {
    expect(service.diagnose("const = 3; const n: number = 'x'")).toEqual([]);
  });

  it("honours @ts-ignore, @ts-expect-error and @ts-nocheck", () => {
    expect(service.diagnose('// @ts-ignore\nconst a: number = "x";')).toEqual([]);
    expect(service.diagnose('// @ts-expect-error\nconst a: number = "x";')).toEqual([]);
    expect(service.diagnose('// @ts-nocheck\nconst a: number = "x";\nconst b: string = 1;')).toEqual([]);
    expect(service.diagnose("// @ts-expect-error\nconst a: number = 1;")[0]).toMatchObject({ code: 2578 });
  });

  it("formats errors like tsc --pretty, with the line and a caret", () => {
    const report = service.check('const ok = 1;\nconst bad: number = "x";', "cell[7]");
    expect(report?.ename).toBe("TypeScriptError");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matches the escape codes themselves
    const plain = report!.traceback.map((line) => line.replace(/\x1b\[[0-9;]*m/g, ""));
    expect(plain[0]).toBe("cell[7]:2:7 - error TS2322: Type 'string' is not assignable to type 'number'.");
    expect(plain).toContain('2 const bad: number = "x";');
    expect(plain).toContain("        ^~~");
    expect(report!.evalue).toContain("cell[7]:2:7");
  });

  it("counts columns in code points after an emoji", () => {
    const [diagnostic] = service.diagnose('const s = "🔥🔥"; const n: number = s;');
    // `n` is the 23rd character; UTF-16 would say 25.
    expect(diagnostic).toMatchObject({ line: 1, column: 23 });
  });
});

describe("a student's nn.Module subclass in a cell", () => {
  const NET = [
    "class Net extends nn.Module {",
    "  fc = new nn.Linear(4, 1);",
    "  forward(x: Tensor): Tensor { return this.fc.forward(x); }",
    "}",
    "const net = new Net();",
  ].join("\n");

  it("defines forward without `override` and type-checks cleanly", () => {
    const notebook = freshService();
    expect(notebook.diagnose(NET)).toEqual([]);
    notebook.commit(NET);
    // Code holding any module calls forward; the subclass's own signature is still checked.
    expect(
      notebook.diagnose(
        "const run = (model: nn.Module, x: Tensor): Tensor => model.forward(x);\nrun(net, zeros([2, 4]));",
      ),
    ).toEqual([]);
    expect(notebook.diagnose('net.forward("four");')[0]?.message).toContain(
      "not assignable to parameter of type 'Tensor'",
    );
  });

  it("shows the subclass's own forward signature on hover and offers it on completion", () => {
    const notebook = freshService();
    notebook.commit(NET);
    const hover = notebook.inspect("net.forward(zeros([2, 4]))", "net.for".length, 0);
    expect(hover.data["text/plain"]).toMatch(/^\(method\) Net\.forward\(x: Tensor\): Tensor/);
    const completion = notebook.complete("net.for", "net.for".length);
    expect(completion.matches).toEqual(["forward"]);
    const types = completion.metadata._jupyter_types_experimental as { text: string; kind: string }[];
    expect(types).toEqual([expect.objectContaining({ text: "forward", kind: "method" })]);
  });
});

describe("names a cell declares over preloaded ones", () => {
  it("shadow the runtime's and the engine's globals in later cells without a type error", () => {
    const notebook = freshService();
    const declaring = [
      "const input = randn([1, 1, 32, 32]);",
      'const prompt = "Translate:";',
      "function clearOutput(): number { return 0 }",
      "let display = 3;",
      "const relu = (x: number) => Math.max(0, x);",
    ].join("\n");
    expect(notebook.diagnose(declaring)).toEqual([]);
    notebook.commit(declaring);
    const using = [
      "const shape: number[] = input.shape;",
      "const n: number = prompt.length + clearOutput() + relu(-1);",
      "display = 4;",
    ].join("\n");
    expect(notebook.diagnose(using)).toEqual([]);
    expect(notebook.diagnose("input.then")[0]?.message).toContain("Property 'then' does not exist on type 'Tensor'");
  });

  it("leave no likely variable name preloaded: t, to and index are tensor methods only", () => {
    const notebook = freshService();
    for (const name of ["t", "to", "index"]) {
      expect(notebook.diagnose(`${name};`)[0]?.message).toBe(`Cannot find name '${name}'.`);
    }
    expect(notebook.diagnose("const m = randn([2, 3]).t();\nm.index(0).to('float64');")).toEqual([]);
    expect(notebook.complete("t", 1).matches).not.toContain("t");
  });
});

describe("the public API only", () => {
  it("completion after a tensor's dot leaves out the autograd's bookkeeping", () => {
    const notebook = freshService();
    notebook.commit("const x = randn([2, 3], { requiresGrad: true });\nconst y = x.mul(2).sum();");
    const members = notebook.complete("y.", 2).matches;
    expect(members).toEqual(expect.arrayContaining(["backward", "grad", "matmul", "shape", "requiresGrad", "graph"]));
    for (const internal of ["attachNode", "pendingGrad", "visitedPass", "node", "op", "inputs"]) {
      expect(members).not.toContain(internal);
    }
    expect(notebook.complete("Tensor.", 7).matches).not.toContain("unfilled");
    expect(notebook.diagnose("y.node")[0]?.message).toContain("Property 'node' does not exist on type 'Tensor'");
  });
});

describe("brackets on a tensor", () => {
  it("are a type error that names the method to write", () => {
    const notebook = freshService();
    notebook.commit(
      "const x = randn([3, 4]);\nconst C = randn([27, 2]);\nconst X = zeros([5, 3], { dtype: 'int32' });",
    );
    const [element] = notebook.diagnose("const first = x[0];");
    expect(element).toMatchObject({ line: 1, column: 15, length: 4, code: 7053 });
    expect(element!.message).toContain("write x.at(0)");
    expect(element!.message).toContain('x[:, 0] is x.index(":", 0)');
    expect(notebook.diagnose("const emb = C[X];")[0]?.message).toContain("write C.index(X)");
    expect(notebook.diagnose("x.grad![1] = 3;")[0]?.message).toContain("write x.grad!.at(1)");
    expect(notebook.diagnose('x["a"];')[0]?.message).toContain("a tensor is not indexed with [ ]");
  });

  it("leave real members read with brackets, arrays, and @ts-ignore alone", () => {
    const notebook = freshService();
    notebook.commit("const x = randn([3, 4]);\nconst rows = [x, x];");
    expect(notebook.diagnose('const s: number[] = x["shape"];\nconst first = rows[0];\nx[Symbol.iterator];')).toEqual(
      [],
    );
    expect(notebook.diagnose("// @ts-ignore\nconst v = x[0];")).toEqual([]);
  });
});

describe("calling a module or a loss as a function", () => {
  const CELL = [
    "class Net extends nn.Module {",
    "  fc = new nn.Linear(4, 1);",
    "  forward(x: Tensor): Tensor { return this.fc(x); }",
    "}",
    "const net = new Net();",
    "const criterion = new nn.MSELoss();",
    "const seq = new nn.Sequential(new nn.Linear(4, 2), new nn.ReLU());",
  ].join("\n");

  it("type-checks model(x) and criterion(pred, target) by their forward", () => {
    const notebook = freshService();
    expect(notebook.diagnose(CELL)).toEqual([]);
    notebook.commit(CELL);
    expect(
      notebook.diagnose("const y: Tensor = net(zeros([2, 4]));\nconst l: Tensor = criterion(y, y);\nseq(y);"),
    ).toEqual([]);
    expect(notebook.diagnose('net("four");')[0]?.message).toContain(
      "Argument of type 'string' is not assignable to parameter of type 'Tensor'",
    );
    expect(notebook.diagnose("criterion(zeros([2]));")[0]?.message).toContain("Expected 2 arguments, but got 1");
    expect(notebook.diagnose("const n: number = net(zeros([2, 4]));")[0]?.message).toContain(
      "Type 'Tensor' is not assignable to type 'number'",
    );
  });

  it("shows forward's signature inside the call's parentheses", () => {
    const notebook = freshService();
    notebook.commit(CELL);
    expect(notebook.inspect("net(", 4, 0).data["text/plain"]).toMatch(/^net\(x: Tensor\): Tensor/);
    const loss = "criterion(net(zeros([1, 4])), ";
    expect(notebook.inspect(loss, loss.length, 0).data["text/plain"]).toMatch(
      /^criterion\(input: Tensor, target: Tensor\): Tensor/,
    );
  });

  it("completes a module's members without a function's (bind, call, prototype)", () => {
    const notebook = freshService();
    notebook.commit(CELL);
    const members = notebook.complete("net.", 4).matches;
    expect(members).toEqual(expect.arrayContaining(["forward", "parameters", "fc", "apply", "toString"]));
    for (const name of ["bind", "call", "caller", "arguments", "prototype", "length", "name"]) {
      expect(members).not.toContain(name);
    }
    expect(notebook.complete("seq.", 4).matches).toContain("length"); // ModuleList's own
  });
});

describe("names of a cell too large to analyse", () => {
  it("past 10,000, leave completing names in scope to the live values; members and paths stay typed", () => {
    const notebook = freshService();
    notebook.commitUntyped(["few"]);
    expect(notebook.leavesCompletionToLiveValues("fe", 2)).toBe(false);
    notebook.commitUntyped(Array.from({ length: 10_000 }, (_, i) => `many${i}`));
    for (const [code, live] of [
      ["const x = ma", true],
      ["", true],
      ["many1.len", false],
      ['import { mean } from "./li', false],
      ['const s = "a" + ma', true],
    ] as const) {
      expect(notebook.leavesCompletionToLiveValues(code, code.length), code).toBe(live);
    }
  });

  it("are any to later cells, which are checked otherwise", () => {
    const notebook = freshService();
    notebook.commitUntyped(["untypedA", "untypedB"]);
    expect(notebook.diagnose("const s: string = untypedA;\nconst n: number = untypedB.anything;")).toEqual([]);
    expect(notebook.diagnose('const wrong: number = "x";\nneverDeclaredAnywhere')).toMatchObject([
      { line: 1, column: 7, code: 2322 },
      { line: 2, column: 1, code: 2304 }, // Cannot find name
    ]);
  });
});

describe("completion and inspection", () => {
  let service: NotebookLanguageService;
  beforeAll(() => {
    service = freshService();
    service.commit("const t = randn([2, 2], { requiresGrad: true });");
    service.commit(
      "class Point { constructor(public xCoord: number, public yCoord: number) {} }\nconst p = new Point(1, 2);",
    );
  });

  it("lists a tensor's methods after a dot, with the replaced span", () => {
    const code = "t.";
    const result = service.complete(code, code.length);
    expect(result.matches).toEqual(expect.arrayContaining(["matmul", "backward", "grad"]));
    expect(result).toMatchObject({ cursorStart: 2, cursorEnd: 2 });
    const typed = service.complete("const u = t.mat", 15);
    expect(typed.matches).toContain("matmul");
    expect(typed).toMatchObject({ cursorStart: 12, cursorEnd: 15 });
    const types = typed.metadata._jupyter_types_experimental as { text: string; type: string }[];
    expect(types.find((m) => m.text === "matmul")).toMatchObject({ type: "function", kind: "method" });
  });

  it("lists a user class's fields, also in a cell that does not type-check", () => {
    const code = 'const broken: number = "x";\np.';
    expect(service.complete(code, code.length).matches).toEqual(expect.arrayContaining(["xCoord", "yCoord"]));
  });

  it("offers globals, engine exports and keywords by prefix", () => {
    expect(service.complete("ran", 3).matches).toEqual(expect.arrayContaining(["randn", "randint"]));
    expect(service.complete("ret", 3).matches).toContain("return");
    expect(service.complete("nn.Lin", 6).matches).toContain("Linear");
  });

  it("gives at most 500 matches, the cell's and the notebook's own names before the globals'", () => {
    const notebook = freshService();
    notebook.commitUntyped(Array.from({ length: 600 }, (_, i) => `manyNames${i}`));
    const all = notebook.complete("const local = 1;\n", 17);
    expect(all.matches).toHaveLength(MAX_MATCHES);
    expect(all.matches.filter((name) => name.startsWith("manyNames"))).toHaveLength(499);
    expect(all.matches).toContain("local"); // the cell's own
    expect(notebook.complete("manyNames59", 11).matches).toHaveLength(11);
  });

  it("offers import paths and packages inside an import", () => {
    const local = 'import { mean } from "./li';
    expect(service.complete(local, local.length).matches).toContain("lib");
    const npmPackage = 'import vl from "vega-l';
    const packages = service.complete(npmPackage, npmPackage.length);
    expect(packages.matches).toContain("vega-lite");
    expect(packages.cursorStart).toBe('import vl from "'.length);
    const builtin = 'import fs from "node:f';
    expect(service.complete(builtin, builtin.length).matches).toContain("node:fs");
  });

  it("shows nn.Linear's signature and doc comment", () => {
    const code = "const fc = new nn.Linear(4, 2)";
    const result = service.inspect(code, code.indexOf("Linear") + 3, 0);
    expect(result.found).toBe(true);
    const plain = result.data["text/plain"] as string;
    expect(plain).toContain("Linear(inFeatures: number, outFeatures: number");
    expect(plain).toContain("A fully connected layer");
    expect(result.data["text/markdown"]).toContain("```typescript");
  });

  it("inspects the call the cursor is inside", () => {
    const code = "randn(";
    const result = service.inspect(code, code.length, 0);
    expect(result.found).toBe(true);
    expect(result.data["text/plain"]).toContain("randn(");
  });
});
