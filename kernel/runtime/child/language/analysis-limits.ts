// Cells the language service is not asked about: it would need minutes or overflow its stack,
// and the cell thread would have to stop the worker (and restart it, seconds) to get it back.
// Such a cell still runs (compiled, unchecked, with a note saying why); completion and inspection
// answer from the live values instead.
import type ts from "typescript";
import { MAX_NESTING, scanBrackets } from "../completeness.js";
import { typescript } from "../typescript.js";
import { parseCell } from "./notebook.js";

/**
 * Cells larger than this are not analysed: a 1 MB cell took 2 s of CPU to check, and a second to
 * parse again for every completion.
 */
export const MAX_ANALYSED_CHARS = 256 * 1024;

/**
 * Syntax trees deeper than this are not analysed: the checker's time grows with the square of the
 * depth (a sum of 4,000 terms: 0.27 s; 8,000: 1 s; 20,000: stack overflow after 6 s), since it
 * walks up to the file from every number literal. Nothing written by hand comes near.
 */
export const MAX_ANALYSED_DEPTH = 2_000;

/**
 * Syntax trees deeper than this are not even compiled: the compiler's emitter is quadratic in the
 * depth too (a sum of 9,000 terms ran in 1.5 s at load 4.3, one of 20,000 in 5.4 s, 100,000 would
 * take minutes), though V8 then runs what it emits at once. Past this, a clear error at once, as
 * Python refuses parentheses nested past 200.
 */
export const MAX_COMPILED_DEPTH = 10_000;

/** Why `code` is not analysed, or undefined when it is. */
export function unanalysable(code: string): string | undefined {
  if (code.length > MAX_ANALYSED_CHARS)
    return `the cell is too large to type-check (${Math.round(code.length / 1024)} KiB; at most ${MAX_ANALYSED_CHARS / 1024} KiB are checked)`;
  const { deepest } = scanBrackets(code);
  if (deepest > MAX_NESTING) return `brackets nested ${deepest} deep`;
  const depth = depthOf(code);
  return depth > MAX_ANALYSED_DEPTH
    ? `its syntax tree is ${depth} levels deep (at most ${MAX_ANALYSED_DEPTH} are checked)`
    : undefined;
}

/**
 * Why `code` is not compiled (run) at all, or undefined when it is. `parsed`: the cell parsed
 * already (a large cell is parsed once, for this and its compile).
 */
export function uncompilable(code: string, parsed?: ts.SourceFile): string | undefined {
  const depth = depthOf(code, parsed);
  return depth > MAX_COMPILED_DEPTH
    ? `expressions nested ${depth} levels deep; at most ${MAX_COMPILED_DEPTH} are accepted`
    : undefined;
}

let lastDepth: { code: string; depth: number } | undefined;

/**
 * The depth of `code`'s syntax tree, exact when it is past MAX_ANALYSED_DEPTH (0: too short to
 * matter), parsed once for both limits.
 */
function depthOf(code: string, parsed?: ts.SourceFile): number {
  // Every level of a tree takes at least a character: short cells need no parse to know.
  if (code.length <= MAX_ANALYSED_DEPTH) return 0;
  if (lastDepth?.code !== code) lastDepth = { code, depth: deepestStatement(parsed ?? parseCell(code)) };
  return lastDepth.depth;
}

/**
 * Statements shorter than this are not walked: none of them can come near MAX_ANALYSED_DEPTH (a
 * level takes at least a character, and a few nodes at most share one). Walking every node of a
 * 1 MB cell cost a quarter of a second.
 */
const SHALLOW_STATEMENT_CHARS = MAX_ANALYSED_DEPTH / 4;

/** The depth of `source`'s tree, counting only statements long enough to be deep. */
function deepestStatement(source: ts.SourceFile): number {
  let deepest = 1;
  for (const statement of source.statements) {
    if (statement.end - statement.pos > SHALLOW_STATEMENT_CHARS) deepest = Math.max(deepest, 1 + treeDepth(statement));
  }
  return deepest;
}

/** The depth of the deepest node under `root`, walked with a stack of its own (no recursion). */
export function treeDepth(root: ts.Node): number {
  let deepest = 0;
  const stack: { node: ts.Node; depth: number }[] = [{ node: root, depth: 1 }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { node, depth } = next;
    deepest = Math.max(deepest, depth);
    typescript.forEachChild(node, (child) => {
      stack.push({ node: child, depth: depth + 1 });
    });
  }
  return deepest;
}
