// is_complete: the scanner's answer (unclosed block, bracket, template), with no indent for
// the continuation of a template string's text.
import { describe, expect, it } from "vitest";
import { isComplete } from "../../kernel/runtime/child/completeness.js";

describe("isComplete", () => {
  it("asks for more, indented, inside an unclosed block or bracket", () => {
    expect(isComplete("for (const x of [1, 2]) {")).toEqual({ status: "incomplete", indent: "  " });
    expect(isComplete("if (ready) {\n  const xs = [1,")).toEqual({ status: "incomplete", indent: "    " });
  });

  it("asks for more without indent inside a template string's text", () => {
    expect(isComplete("const s = `first line")).toEqual({ status: "incomplete", indent: "" });
    expect(isComplete("  const s = `a ${1} b")).toEqual({ status: "incomplete", indent: "" });
  });

  it("indents inside a template's unclosed ${ }", () => {
    expect(isComplete("const s = `a ${f(")).toMatchObject({ status: "incomplete" });
    expect(isComplete("const s = `a ${f(")).not.toEqual({ status: "incomplete", indent: "" });
  });

  it("says invalid for code no continuation can fix, complete otherwise", () => {
    expect(isComplete("const = 3")).toEqual({ status: "invalid" });
    expect(isComplete("}")).toEqual({ status: "invalid" });
    expect(isComplete("const done = `closed ${1}`;")).toEqual({ status: "complete" });
  });

  it("does not parse a cell over 256 KiB: unknown when balanced, incomplete when a bracket is open", () => {
    const large = "const v = 1 * 2;\n".repeat(20_000);
    expect(isComplete(large)).toEqual({ status: "unknown" });
    expect(isComplete(`${large}f(`)).toMatchObject({ status: "incomplete" });
  });
});
