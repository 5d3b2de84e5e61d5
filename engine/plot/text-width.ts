// Text widths for Vega's layout in Node, from the advance widths of the font resvg draws with.
// Without a canvas, Vega guesses 0.8 em per character, ~25% wider than DejaVu Sans's digits:
// axis titles drift away from their labels and angled labels get room they do not use. Vega
// accepts a measuring function in `textMetrics.width` (vl-convert does the same).
import { readFileSync } from "node:fs";

/** Advance width per code point, in em. */
export interface FontWidths {
  advance(codePoint: number): number;
  /** Whether the font has a glyph for the code point. */
  has(codePoint: number): boolean;
}

/** Reads a TrueType font's (or a collection's first font's) `cmap` (format 4) and `hmtx` tables. Example: `fontWidths("tsgradSans-Regular.ttf").advance(48)` */
export function fontWidths(file: string): FontWidths {
  const font = readFileSync(file);
  // A collection (.ttc) starts with "ttcf" and the offsets of its fonts' table directories.
  const start = font.toString("latin1", 0, 4) === "ttcf" ? font.readUInt32BE(12) : 0;
  const tables = new Map<string, number>();
  const count = font.readUInt16BE(start + 4);
  for (let i = 0; i < count; i++) {
    const record = start + 12 + 16 * i;
    tables.set(font.toString("latin1", record, record + 4), font.readUInt32BE(record + 8));
  }
  const table = (tag: string) => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`font ${file}: no ${tag} table`);
    return offset;
  };
  const unitsPerEm = font.readUInt16BE(table("head") + 18);
  const metricCount = font.readUInt16BE(table("hhea") + 34);
  const hmtx = table("hmtx");
  const glyphAdvance = (glyph: number) => font.readUInt16BE(hmtx + 4 * Math.min(glyph, metricCount - 1)) / unitsPerEm;
  const lookUp = cmapFormat4(font, table("cmap"));
  const glyphs = new Map<number, number>();
  const glyphOf = (codePoint: number) => {
    let glyph = glyphs.get(codePoint);
    if (glyph === undefined) glyphs.set(codePoint, (glyph = lookUp(codePoint)));
    return glyph;
  };
  return { has: (codePoint) => glyphOf(codePoint) !== 0, advance: (codePoint) => glyphAdvance(glyphOf(codePoint)) };
}

/** Width of `text` in pixels at `fontSize`. Example: `textWidth(widths, "1,000", 11)` */
export function textWidth(widths: FontWidths, text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += widths.advance(ch.codePointAt(0)!);
  return em * fontSize;
}

// The Windows Unicode BMP subtable: segments of code points mapped by delta or by glyph array.
function cmapFormat4(font: Buffer, cmap: number): (codePoint: number) => number {
  const subtables = font.readUInt16BE(cmap + 2);
  let offset = -1;
  for (let i = 0; i < subtables; i++) {
    const record = cmap + 4 + 8 * i;
    const sub = cmap + font.readUInt32BE(record + 4);
    if (font.readUInt16BE(sub) === 4 && font.readUInt16BE(record) === 3) offset = sub;
  }
  if (offset < 0) throw new Error("font: no format 4 cmap subtable");
  const segments = font.readUInt16BE(offset + 6) / 2;
  const ends = offset + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  return (codePoint) => {
    if (codePoint > 0xffff) return 0;
    for (let s = 0; s < segments; s++) {
      if (codePoint > font.readUInt16BE(ends + 2 * s)) continue;
      const start = font.readUInt16BE(starts + 2 * s);
      if (codePoint < start) return 0;
      const delta = font.readInt16BE(deltas + 2 * s);
      const rangeOffset = font.readUInt16BE(rangeOffsets + 2 * s);
      if (rangeOffset === 0) return (codePoint + delta) & 0xffff;
      const glyph = font.readUInt16BE(rangeOffsets + 2 * s + rangeOffset + 2 * (codePoint - start));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}
