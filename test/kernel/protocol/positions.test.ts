import { describe, expect, it } from "vitest";
import { codePointLength, codePointsToUtf16, utf16ToCodePoints } from "../../../kernel/protocol/positions.js";

describe("cursor positions", () => {
  // "🔥" is one code point and two UTF-16 units.
  const text = 'const s = "🔥"; s.len';

  it("converts the protocol's code points to UTF-16 past an emoji", () => {
    expect(text.length).toBe(21);
    expect(codePointLength(text)).toBe(20);
    expect(codePointsToUtf16(text, 20)).toBe(21);
    expect(codePointsToUtf16(text, 11)).toBe(11); // just before the emoji
    expect(codePointsToUtf16(text, 12)).toBe(13); // just after it
  });

  it("converts back, and the round trip is the identity", () => {
    expect(utf16ToCodePoints(text, 21)).toBe(20);
    expect(utf16ToCodePoints(text, 13)).toBe(12);
    for (let cp = 0; cp <= 20; cp++) expect(utf16ToCodePoints(text, codePointsToUtf16(text, cp))).toBe(cp);
  });

  it("clamps positions beyond the text", () => {
    expect(codePointsToUtf16("ab", 10)).toBe(2);
    expect(utf16ToCodePoints("ab", 10)).toBe(2);
  });
});
