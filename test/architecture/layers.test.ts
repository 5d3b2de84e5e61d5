// The layers of ARCHITECTURE.md, checked: imports point down the stack only, the one import cycle
// is the tensor's with its ops, and no hand-written source file grows past what a reader holds in
// mind. A failure names the file and the import, so the fix is to move code, not this test.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Import, importCycles, importsOf } from "./imports.js";

const root = join(import.meta.dirname, "../..");
const MAX_LINES = 500;

const tracked = execFileSync("git", ["ls-files", "kernel", "engine", "bench", "bin", "scripts"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\n")
  .filter((f) => /\.(ts|js|mjs)$/.test(f));
// AssemblyScript is another language, compiled on its own; generated and data files are not read as code.
const isHandWritten = (f: string) =>
  !f.startsWith("engine/kernels/assembly/") && !f.includes("/generated/") && !/-(data|text)\.ts$/.test(f);
const sources = tracked.filter((f) => f.endsWith(".ts") && isHandWritten(f) && !f.startsWith("bench/"));
const imports = sources.flatMap((f) => importsOf(root, f));

const under = (folder: string) => (path: string) => path.startsWith(`${folder}/`);
const describeImport = (i: Import) => `${i.from} → ${i.to}${i.typeOnly ? " (types)" : ""}`;
const wrongWay = (rule: (i: Import) => boolean) => imports.filter(rule).map(describeImport);

// The protocol server's own files: everything at the top of kernel/ but the composition root.
const SERVER = ["kernel/server.ts", "kernel/sockets.ts", "kernel/iopub.ts", "kernel/stdin.ts", "kernel/history.ts"];
// What the plain-value formatters may know of the engine: how a tensor is laid out and printed,
// and what a plain Vega-Lite spec is. Engine objects that know how they look display themselves.
const DISPLAY_MAY_IMPORT = new Set([
  "engine/html.ts", // the one HTML escape
  "engine/plot/spec.ts", // what a plain Vega-Lite v5 spec is
  "engine/plot/chart.ts", // a plain spec shows as the chart it describes
]);
// The one cycle by design: a Tensor's methods call the ops, and the ops build Tensors.
const TENSOR = ["engine/tensor.ts", "engine/tensor-methods.ts", "engine/autograd.ts"];
const inTensorCycle = (f: string) => TENSOR.includes(f) || under("engine/ops")(f);

describe("layers", () => {
  it("reads the import graph (a sanity check of the reader itself)", () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(imports).toContainEqual({
      from: "kernel/server.ts",
      to: "kernel/runtime/interpreter.ts",
      typeOnly: true,
      dynamic: false,
    });
  });

  it("the engine never imports the kernel", () => {
    expect(wrongWay((i) => under("engine")(i.from) && under("kernel")(i.to))).toEqual([]);
  });

  it("the protocol layer imports only Node's builtins and itself", () => {
    const protocol = under("kernel/protocol");
    expect(wrongWay((i) => protocol(i.from) && !protocol(i.to) && !isBuiltin(i.to))).toEqual([]);
  });

  it("the server reaches the runtime only through types", () => {
    expect(wrongWay((i) => SERVER.includes(i.from) && under("kernel/runtime")(i.to) && !i.typeOnly)).toEqual([]);
    expect(wrongWay((i) => SERVER.includes(i.from) && under("engine")(i.to))).toEqual([]);
  });

  it("the runtime's parent side never loads the child's code or the engine", () => {
    const parent = (f: string) => under("kernel/runtime")(f) && !under("kernel/runtime/child")(f);
    const forbidden = (f: string) =>
      under("kernel/runtime/child")(f) || under("engine")(f) || under("kernel/display")(f);
    expect(wrongWay((i) => parent(i.from) && forbidden(i.to) && !i.typeOnly)).toEqual([]);
  });

  it("display reaches the engine only through its short allow-list", () => {
    expect(
      wrongWay((i) => under("kernel/display")(i.from) && under("engine")(i.to) && !DISPLAY_MAY_IMPORT.has(i.to)),
    ).toEqual([]);
  });

  it("has no import cycle but the tensor's with its ops", () => {
    const cycles = importCycles(sources, imports);
    expect(cycles.filter((cycle) => !cycle.every(inTensorCycle))).toEqual([]);
  });
});

describe("size", () => {
  it(`no hand-written source file passes ${MAX_LINES} lines`, () => {
    const long = tracked
      .filter(isHandWritten)
      .map((f) => ({ f, lines: readFileSync(join(root, f), "utf8").split("\n").length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ f, lines }) => `${f}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
