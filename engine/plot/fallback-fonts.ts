// Scripts the bundled chart font does not cover (Chinese, Japanese, Korean, …): the first
// fallback font found that has every missing character, and the machine's whole font list
// only when none has (scanning it costs ~50 ms a chart). `scripts/setup` installs Debian's
// fonts-wqy-microhei (5 MB: Chinese, Japanese kana, Korean Hangul), first in the list below;
// Noto CJK and the other usual CJK fonts serve where it is missing. A chart in Latin, Greek
// and maths symbols never loads any of them.
import { existsSync } from "node:fs";
import { type FontWidths, fontWidths } from "./text-width.js";

/** Fallback fonts, best first: the one scripts/setup installs, then other common CJK fonts. */
export const FALLBACK_FONT_FILES = [
  "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
  "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
  "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
  "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
  "/usr/share/fonts/truetype/arphic/uming.ttc",
];

/** The fonts a text needs beyond the bundled one: files to load, and whether to scan the system's fonts too. */
export interface FontFallback {
  files: string[];
  systemFonts: boolean;
}

const fallbacks = new Map<string, FontWidths | null>();
function fallbackWidths(file: string): FontWidths | null {
  let widths = fallbacks.get(file);
  if (widths === undefined) {
    try {
      widths = existsSync(file) ? fontWidths(file) : null;
    } catch {
      widths = null; // not a font we can read: treat as absent
    }
    fallbacks.set(file, widths);
  }
  return widths;
}

/** What `text` needs besides the `bundled` font. Example: `fontFallback("损失", widths).files // ["/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"]` */
export function fontFallback(text: string, bundled: FontWidths): FontFallback {
  const missing = new Set<number>();
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    if (codePoint > 0x7e && !bundled.has(codePoint) && !isFormatting(codePoint)) missing.add(codePoint);
  }
  if (missing.size === 0) return { files: [], systemFonts: false };
  for (const file of FALLBACK_FONT_FILES) {
    const widths = fallbackWidths(file);
    if (widths && [...missing].every((c) => widths.has(c))) return { files: [file], systemFonts: false };
  }
  const first = FALLBACK_FONT_FILES.find((file) => fallbackWidths(file) !== null);
  return { files: first ? [first] : [], systemFonts: true };
}

/** Advance widths that take a character the bundled font lacks from the first fallback font that has it. */
export function withFallbackWidths(bundled: FontWidths): FontWidths {
  const advance = (codePoint: number): number => {
    if (bundled.has(codePoint) || codePoint <= 0x7e) return bundled.advance(codePoint);
    for (const file of FALLBACK_FONT_FILES) {
      const widths = fallbackWidths(file);
      if (widths?.has(codePoint)) return widths.advance(codePoint);
    }
    return isWide(codePoint) ? 1 : 0.6; // a system font will draw it: a typical width
  };
  return { has: (codePoint) => bundled.has(codePoint), advance };
}

// Zero-width joiners, variation selectors and the like draw nothing of their own.
function isFormatting(codePoint: number): boolean {
  return (
    (codePoint >= 0x200b && codePoint <= 0x200f) || (codePoint >= 0xfe00 && codePoint <= 0xfe0f) || codePoint === 0xfeff
  );
}

// East Asian wide and full-width characters take a whole em.
function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  );
}
