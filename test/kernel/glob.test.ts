import { describe, expect, it } from "vitest";
import { Glob, MAX_GLOB_PATTERN_LENGTH } from "../../kernel/glob.js";

const matches = (pattern: string, text: string): boolean => new Glob(pattern).test(text);

describe("Glob", () => {
  it("follows SQLite GLOB: *, ?, classes, whole string, case-sensitive, literal regex characters", () => {
    expect(matches("a*c", "abbbc")).toBe(true);
    expect(matches("a?c", "abc")).toBe(true);
    expect(matches("a?c", "abbc")).toBe(false);
    expect(matches("[xy]1", "y1")).toBe(true);
    expect(matches("[^xy]1", "y1")).toBe(false);
    expect(matches("abc", "xabc")).toBe(false);
    expect(matches("ABC", "abc")).toBe(false);
    expect(matches("f(x).y+1", "f(x).y+1")).toBe(true);
    expect(matches("*", "multi\nline")).toBe(true);
  });

  // Each expected value is what SQLite's `SELECT text GLOB pattern` answers (IPython searches with it).
  it.each([
    ["*", "", true],
    ["", "", true],
    ["", "a", false],
    ["a*", "a", true],
    ["*a", "a", true],
    ["*a*a", "aa", true],
    ["*a*a", "a", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "acb", false],
    ["*ab*", "xxabyy", true],
    ["x*x", "x", false],
    ["*abc", "ababc", true],
    ["?*", "", false],
    ["é?", "éa", true],
    ["[a-c]x", "bx", true],
    ["[a-c]x", "dx", false],
    ["[]]", "]", true],
    ["[^]]", "a", true],
    ["[a-]", "-", true],
    ["[abc", "[abc", false],
    ["**a", "ba", true],
  ])("%j against %j is %s", (pattern, text, expected) => {
    expect(matches(pattern, text)).toBe(expected);
  });

  it("is not exponential: 1,000 stars against a million characters is one pass per star", () => {
    const text = "a".repeat(1_000_000);
    expect(matches(`${"*a".repeat(1000)}*b`, text)).toBe(false);
    expect(matches(`${"*a".repeat(1000)}*`, text)).toBe(true);
  });

  it("refuses a pattern longer than SQLite's limit", () => {
    expect(() => new Glob("*".repeat(MAX_GLOB_PATTERN_LENGTH + 1))).toThrow(/longer than/);
  });
});
