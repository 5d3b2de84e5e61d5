// Cells' source maps, kept as text and parsed when an error needs one: a function defined in
// an old cell still reports its own cell's line, however many cells ran since.
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { CellSourceMaps, describeError } from "../../kernel/runtime/child/traceback.js";
import { transpileCell } from "../../kernel/runtime/child/transpile.js";

describe("tracebacks through cells' source maps", () => {
  it("point at the defining cell's line, for old and recent cells alike", async () => {
    const maps = new CellSourceMaps();
    const context = vm.createContext({
      __tsgrad: { importModule: async () => ({}), interop: (ns: unknown) => ns },
    });
    const run = async (code: string, fileName: string) => {
      const result = transpileCell(code, fileName);
      if (!result.ok) throw new Error(result.error.message);
      maps.add(fileName, result.cell.sourceMap, result.cell.js.trimEnd().split("\n").length);
      return (vm.runInContext(result.cell.js, context, { filename: fileName }) as Promise<unknown>).catch(
        (error: unknown) => error,
      );
    };
    // Cell i defines fail{i}, whose throw sits on line i + 2 of its cell, typed so the columns move.
    for (let i = 0; i < 20; i++) {
      const padding = "\n".repeat(i);
      await run(
        `${padding}interface Unused${i} { n: number }\nfunction fail${i}(x: number): never {\n  throw new Error("cell " + x) }`,
        `cell[${i}]`,
      );
    }
    for (const i of [0, 19, 3, 0, 12]) {
      const error = await run(`const pad: string = "x"\nfail${i}(${i})`, `cell[call${i}]`);
      const { traceback } = describeError(error, maps);
      expect(traceback[0]).toBe(`Error: cell ${i}`);
      expect(traceback.slice(1, 3)).toEqual([`    at fail${i} (cell[${i}]:${i + 3}:9)`, `    at cell[call${i}]:2:1`]);
    }
  });

  it("follow a cell name run again to its new map", async () => {
    const maps = new CellSourceMaps();
    const context = vm.createContext({ __tsgrad: { importModule: async () => ({}), interop: (ns: unknown) => ns } });
    const frameOf = async (code: string) => {
      const result = transpileCell(code, "cell[1]");
      if (!result.ok) throw new Error(result.error.message);
      maps.add("cell[1]", result.cell.sourceMap, result.cell.js.trimEnd().split("\n").length);
      const run = vm.runInContext(result.cell.js, context, { filename: "cell[1]" }) as Promise<unknown>;
      return describeError(await run.catch((error: unknown) => error), maps).traceback[1];
    };
    expect(await frameOf("const a: number = 1\n\n\nnull!.x")).toBe("    at cell[1]:4:7");
    expect(await frameOf("null!.x")).toBe("    at cell[1]:1:7");
  });
});
