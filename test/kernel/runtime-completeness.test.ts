// is_complete from the TypeScript scanner and parser, as `jupyter console` uses it.
import { describe, expect, it } from "vitest";
import { isComplete, MAX_NESTING } from "../../kernel/runtime/child/completeness.js";

describe("isComplete", () => {
  it("says complete for finished statements, including top-level await and regex literals", () => {
    for (const code of [
      "1 + 1",
      "const x = 1",
      "function f() {\n  return 1\n}",
      "await Promise.resolve(1)",
      "const r = /[({]/g",
      "a / b / c",
      "`${1}`",
      "",
    ]) {
      expect(isComplete(code), code).toEqual({ status: "complete" });
    }
  });

  it("says incomplete with an indent while a block, bracket or template is open", () => {
    expect(isComplete("function f() {")).toEqual({ status: "incomplete", indent: "  " });
    expect(isComplete("if (x) {\n  for (;;) {")).toEqual({ status: "incomplete", indent: "    " });
    expect(isComplete("const a = [1,")).toMatchObject({ status: "incomplete" });
    expect(isComplete("const s = `line ${1}")).toMatchObject({ status: "incomplete" });
    expect(isComplete("const s = `open")).toMatchObject({ status: "incomplete" });
    expect(isComplete("1 +")).toMatchObject({ status: "incomplete" });
  });

  it("says invalid when no continuation can make it parse", () => {
    for (const code of ["1 ) 2", "}", "const = 5", "let 1x = 2"]) {
      expect(isComplete(code), code).toEqual({ status: "invalid" });
    }
  });
});

describe("isComplete on pathological input", () => {
  it("answers unknown for brackets nested past MAX_NESTING, open or closed", () => {
    for (const code of ["(".repeat(1000), "(".repeat(100_000), `const d = ${"[".repeat(3000)}${"]".repeat(3000)}; 1`]) {
      // It was a stack overflow in the parser, and no answer at all.
      expect(isComplete(code)).toEqual({ status: "unknown" });
    }
  });

  it("still analyses nesting up to MAX_NESTING", () => {
    expect(isComplete("(".repeat(MAX_NESTING))).toMatchObject({ status: "incomplete" });
    expect(isComplete(`${"[".repeat(MAX_NESTING)}${"]".repeat(MAX_NESTING)}`)).toEqual({ status: "complete" });
  });
});
