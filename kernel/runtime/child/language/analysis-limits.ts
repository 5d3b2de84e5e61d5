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

/** Why `code` is not analysed, or undefined when it is. */
export function unanalysable(code: string): string | undefined {
  if (code.length > MAX_ANALYSED_CHARS)
    return `the cell is too large to type-check (${Math.round(code.length / 1024)} KiB; at most ${MAX_ANALYSED_CHARS / 1024} KiB are checked)`;
  const { deepest } = scanBrackets(code);
  if (deepest > MAX_NESTING) return `brackets nested ${deepest} deep`;
  // Every level of a tree takes at least a character: short cells need no parse to know.
  if (code.length <= MAX_ANALYSED_DEPTH) return undefined;
  const depth = treeDepth(parseCell(code));
  return depth > MAX_ANALYSED_DEPTH
    ? `its syntax tree is ${depth} levels deep (at most ${MAX_ANALYSED_DEPTH} are checked)`
    : undefined;
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
