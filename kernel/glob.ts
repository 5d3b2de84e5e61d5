// A glob matcher with SQLite GLOB semantics (what IPython's history search runs): `*` any run
// of characters, `?` one character, `[abc]`, `[a-z]`, `[^…]`, the whole string, case-sensitive,
// an unclosed `[` matching nothing.
//
// Never backtracking: the pattern is cut at its `*`s into segments of fixed length; the first is
// matched at the start, the last at the end, and each one between at its leftmost place after
// the previous one. Leftmost is always right for globs, since the `*` after a segment absorbs
// whatever it skipped. So one test costs at most text × pattern steps (linear for a pattern
// without classes of repeats), where the backtracking regular expression this replaces took
// three times longer for each extra `*` and froze the protocol thread for minutes.

/** SQLite refuses longer GLOB patterns (SQLITE_MAX_LIKE_PATTERN_LENGTH); so do we. */
export const MAX_GLOB_PATTERN_LENGTH = 50_000;

/** One character of a segment: a literal, `?`, a class, or an unclosed `[` (matches nothing). */
type Atom = string | { any: true } | { negated: boolean; ranges: [number, number][] } | { never: true };

/** A compiled glob. Example: `new Glob("a*c").test("abbc") === true` */
export class Glob {
  /** The pattern cut at `*`: segments.length - 1 stars, segments possibly empty. */
  private readonly segments: Atom[][];

  constructor(pattern: string) {
    if (pattern.length > MAX_GLOB_PATTERN_LENGTH) {
      throw new RangeError(`the search pattern is longer than ${MAX_GLOB_PATTERN_LENGTH} characters`);
    }
    this.segments = parse(Array.from(pattern));
  }

  /** Whether the whole of `text` matches. */
  test(text: string): boolean {
    const chars = Array.from(text);
    const segments = this.segments;
    const first = segments[0]!;
    if (segments.length === 1) return chars.length === first.length && matchesAt(first, chars, 0);
    const last = segments.at(-1)!;
    const lastStart = chars.length - last.length;
    if (lastStart < first.length || !matchesAt(first, chars, 0) || !matchesAt(last, chars, lastStart)) return false;
    let position = first.length;
    for (let i = 1; i < segments.length - 1; i++) {
      const found = leftmost(segments[i]!, chars, position, lastStart);
      if (found < 0) return false;
      position = found + segments[i]!.length;
    }
    return true;
  }
}

function parse(pattern: string[]): Atom[][] {
  const segments: Atom[][] = [[]];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    const current = segments.at(-1)!;
    if (char === "*") {
      // `**` is `*`: an empty segment between two stars changes nothing.
      if (current.length > 0 || segments.length === 1) segments.push([]);
    } else if (char === "?") current.push({ any: true });
    else if (char === "[") {
      const parsed = parseClass(pattern, i);
      current.push(parsed.atom);
      i = parsed.end;
    } else current.push(char);
  }
  return segments;
}

/** `[` at `start`: SQLite's rules (`^` negates, `]` first is literal, `a-z` a range, `-` last literal). */
function parseClass(pattern: string[], start: number): { atom: Atom; end: number } {
  let i = start + 1;
  const negated = pattern[i] === "^";
  if (negated) i++;
  const ranges: [number, number][] = [];
  for (let first = true; i < pattern.length; first = false, i++) {
    const char = pattern[i]!;
    if (char === "]" && !first) return { atom: { negated, ranges }, end: i };
    const low = char.codePointAt(0)!;
    if (pattern[i + 1] === "-" && pattern[i + 2] !== undefined && pattern[i + 2] !== "]") {
      ranges.push([low, pattern[i + 2]!.codePointAt(0)!]);
      i += 2;
    } else ranges.push([low, low]);
  }
  return { atom: { never: true }, end: pattern.length - 1 };
}

function matchesAt(segment: Atom[], chars: string[], at: number): boolean {
  for (let i = 0; i < segment.length; i++) if (!matchesAtom(segment[i]!, chars[at + i])) return false;
  return true;
}

/** The first place from `from` where `segment` matches and ends by `limit`, or -1. */
function leftmost(segment: Atom[], chars: string[], from: number, limit: number): number {
  for (let at = from; at + segment.length <= limit; at++) if (matchesAt(segment, chars, at)) return at;
  return -1;
}

function matchesAtom(atom: Atom, char: string | undefined): boolean {
  if (char === undefined) return false;
  if (typeof atom === "string") return atom === char;
  if ("any" in atom) return true;
  if ("never" in atom) return false;
  const code = char.codePointAt(0)!;
  const inside = atom.ranges.some(([low, high]) => code >= low && code <= high);
  return inside !== atom.negated;
}
