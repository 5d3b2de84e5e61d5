// What the language worker will not analyse (analysis-limits.ts), and how the cell thread measures
// the worker's CPU (cpu-budget.ts).
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  MAX_ANALYSED_DEPTH,
  treeDepth,
  unanalysable,
  uncompilable,
} from "../../kernel/runtime/child/language/analysis-limits.js";
import { PHASE, RequestProgress, threadCpuMs } from "../../kernel/runtime/child/language/cpu-budget.js";
import { variablesAsAny } from "../../kernel/runtime/child/language/given-up-cell.js";
import { parseCell } from "../../kernel/runtime/child/language/notebook.js";
import { typescript } from "../../kernel/runtime/child/typescript.js";

describe("analysis limits", () => {
  it("refuses cells too large, nested too deep, or whose syntax tree is too deep; accepts ordinary ones", () => {
    expect(unanalysable("const a = tensor([[1, 2]]);\na.sum()")).toBeUndefined();
    expect(unanalysable(Array.from({ length: 900 }, (_, i) => i).join(" + "))).toBeUndefined();
    expect(unanalysable("x".repeat(300 * 1024))).toMatch(/^the cell is too large to type-check \(300 KiB/);
    expect(unanalysable("(".repeat(1000))).toBe("brackets nested 1000 deep");
    expect(unanalysable(Array.from({ length: 5000 }, (_, i) => i).join(" + "))).toBe(
      `its syntax tree is 5002 levels deep (at most ${MAX_ANALYSED_DEPTH} are checked)`,
    );
  });

  it("refuses to compile a syntax tree over 10,000 levels deep, at once", () => {
    expect(uncompilable(Array.from({ length: 9_000 }, (_, i) => i).join(" + "))).toBeUndefined();
    expect(uncompilable(Array.from({ length: 20_000 }, (_, i) => i).join(" + "))).toBe(
      "expressions nested 20002 levels deep; at most 10000 are accepted",
    );
  });

  it("measures a large cell's depth from the caller's parse, walking only statements long enough to be deep", () => {
    const deep = Array.from({ length: 20_000 }, (_, i) => i).join(" + ");
    const code = `${Array.from({ length: 20_000 }, (_, i) => `const w${i} = ${i};`).join("\n")}\n${deep}`;
    const refusal = "expressions nested 20002 levels deep; at most 10000 are accepted";
    expect(uncompilable(code, parseCell(code))).toBe(refusal);
    expect(uncompilable(`${code};`)).toBe(refusal);
    const shallow = `${code.slice(0, code.lastIndexOf("\n"))}\n0`;
    expect(uncompilable(shallow, parseCell(shallow))).toBeUndefined();
  });

  it("measures a tree's depth without recursing (100,000 levels)", () => {
    const code = Array.from({ length: 100_000 }, () => "a").join(" + ");
    const source = typescript.createSourceFile("cell.ts", code, typescript.ScriptTarget.Latest);
    expect(treeDepth(source)).toBe(100_002); // source file, statement, then one binary expression per `+`
  });
});

describe("a cell whose check was given up", () => {
  it("is recorded with its variables typed any, everything else as it is", () => {
    const cell =
      'import fs from "fs";\ntype Big<T> = T[];\n/** docs */\nexport const { a, b: [c, , d] } = f(), e: Big<number> = [];\nlet g;\nfunction h() {}\nh()';
    expect(variablesAsAny(parseCell(cell))).toBe(
      'import fs from "fs";\ntype Big<T> = T[];\n/** docs */\ndeclare var a: any, c: any, d: any, e: any;\ndeclare var g: any;\nfunction h() {}\nh()',
    );
  });
});

describe.runIf(process.platform === "linux")("the worker's CPU, seen from another thread", () => {
  it("reads what a worker is doing and how much CPU it has spent on it while it spins", async () => {
    const progress = new RequestProgress();
    const worker = new Worker(
      `const { workerData, parentPort } = require("node:worker_threads");
       import(workerData.module).then(({ RequestProgress, PHASE }) => {
         const progress = new RequestProgress(workerData.buffer);
         progress.registerThisThread();
         progress.enter(7, PHASE.analyse);
         parentPort.postMessage("spinning");
         for (;;) {}
       });`,
      {
        eval: true,
        workerData: {
          buffer: progress.buffer,
          module: new URL("../../dist/kernel/runtime/child/language/cpu-budget.js", import.meta.url).href,
        },
      },
    );
    try {
      await new Promise((spinning) => worker.once("message", spinning));
      let seen = progress.read();
      while ((seen?.cpuMs ?? 0) < 50) {
        await new Promise((wait) => setTimeout(wait, 20));
        seen = progress.read();
      }
      expect(seen).toMatchObject({ requestId: 7, phase: PHASE.analyse });
    } finally {
      await worker.terminate();
    }
    expect(threadCpuMs(12_345_678)).toBeUndefined(); // no such thread
  }, 60_000);
});
