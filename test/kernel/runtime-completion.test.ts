// complete/inspect from live objects: these run against this test process's globals, the way
// the runtime child runs them against the cells' globals.
import { afterEach, describe, expect, it } from "vitest";
import { complete, MAX_MATCHES } from "../../kernel/runtime/child/completion.js";
import { inspectAt } from "../../kernel/runtime/child/inspection.js";

const g = globalThis as Record<string, unknown>;

describe("complete", () => {
  afterEach(() => {
    delete g.tsgradModel;
    delete g.tsgradHelper;
  });

  it("completes globals by prefix, with the span to replace", () => {
    g.tsgradModel = { layers: [], forward() {} };
    const code = "const y = tsgradMo";
    const result = complete(code, code.length);
    expect(result.matches).toEqual(["tsgradModel"]);
    expect(result.cursorStart).toBe(code.length - "tsgradMo".length);
    expect(result.cursorEnd).toBe(code.length);
  });

  it("completes members after a dot from the live value, prototype chain included", () => {
    g.tsgradModel = { layers: [], forward() {}, lr: 0.1 };
    expect(complete("tsgradModel.", 12).matches).toEqual(
      expect.arrayContaining(["layers", "forward", "lr", "hasOwnProperty"]),
    );
    expect(complete("tsgradModel.la", 14).matches).toEqual(["layers"]);
    expect(complete("tsgradModel.layers.pu", 21).matches).toEqual(["push"]);
  });

  it("gives at most 500 matches, the first in alphabetical order, as IPython does; typing narrows them", () => {
    const names = Array.from({ length: 600 }, (_, i) => `tsgradCap${i}`);
    for (const name of names) g[name] = 1;
    try {
      const all = complete("tsgradCap", 9);
      expect(all.matches).toHaveLength(MAX_MATCHES);
      expect(all.matches).toEqual([...names].sort(new Intl.Collator().compare).slice(0, MAX_MATCHES));
      expect(all.metadata._jupyter_types_experimental).toHaveLength(MAX_MATCHES);
      expect(complete("tsgradCap59", 11).matches).toEqual(["tsgradCap59", ...names.slice(590)]);
    } finally {
      for (const name of names) delete g[name];
    }
  });

  it("types matches for JupyterLab", () => {
    g.tsgradHelper = function tsgradHelper() {};
    const result = complete("tsgradHel", 9);
    expect(result.metadata._jupyter_types_experimental).toEqual([
      { start: 0, end: 9, text: "tsgradHelper", type: "function" },
    ]);
  });

  it("offers names declared earlier in the same cell, and keywords", () => {
    const code = "const learningRate = 1\nlearn";
    expect(complete(code, code.length).matches).toContain("learningRate");
    expect(complete("retu", 4).matches).toEqual(["return"]);
  });

  it("runs no code: a call in the chain gives nothing", () => {
    let called = false;
    g.tsgradHelper = () => {
      called = true;
      return { secret: 1 };
    };
    expect(complete("tsgradHelper().", 15).matches).toEqual([]);
    expect(called).toBe(false);
  });
});

describe("inspectAt", () => {
  it("describes a function with its signature", () => {
    g.tsgradHelper = function tsgradHelper(x: number, y = 2) {
      return x + y;
    };
    const result = inspectAt("tsgradHelper", 5, 0);
    expect(result.found).toBe(true);
    expect(result.data["text/plain"]).toContain("tsgradHelper(x, y = 2)");
  });

  it("shows a value's type and contents", () => {
    g.tsgradModel = { lr: 0.1 };
    const text = inspectAt("tsgradModel.lr", 14, 0).data["text/plain"] as string;
    expect(text).toContain("tsgradModel.lr: number");
    expect(text).toContain("0.1");
  });

  it("says not found for unknown names", () => {
    expect(inspectAt("noSuchThingAnywhere", 3, 0).found).toBe(false);
  });
});
