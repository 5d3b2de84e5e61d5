// The protocol counts `cursor_pos` in Unicode code points (spec 5.2+); JavaScript strings and
// the TypeScript language service count UTF-16 units. An emoji is one of the first, two of
// the second, so every position crossing the boundary is converted.

/** Code-point offset → UTF-16 offset in `text` (clamped to the text). */
export function codePointsToUtf16(text: string, codePoints: number): number {
  let utf16 = 0;
  for (let seen = 0; seen < codePoints && utf16 < text.length; seen++) {
    utf16 += (text.codePointAt(utf16) ?? 0) > 0xffff ? 2 : 1;
  }
  return utf16;
}

/** UTF-16 offset → code-point offset in `text` (clamped to the text). */
export function utf16ToCodePoints(text: string, utf16: number): number {
  let codePoints = 0;
  for (let at = 0; at < utf16 && at < text.length; codePoints++) {
    at += (text.codePointAt(at) ?? 0) > 0xffff ? 2 : 1;
  }
  return codePoints;
}

/** Length of `text` in code points (the default cursor_pos: the end of the code). */
export function codePointLength(text: string): number {
  return utf16ToCodePoints(text, text.length);
}
