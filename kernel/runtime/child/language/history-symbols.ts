// TypeScript's binder gives every variable's symbol an `exports` table, for declarations a
// JavaScript file may add later (`f.x = …`). No statement of the history script can add one
// (declarations only), so each stays empty: a Map and its table, ~0.2 KiB per earlier cell's
// variable (heap snapshots of 1,000 soak cells), kept for the whole session with the script's
// bound syntax tree. The checker reads a missing table as an empty one
// (`symbol.exports || emptySymbols`, `if (source.exports)`).
import type ts from "typescript";
import { typescript } from "../typescript.js";

/** The files whose tables were dropped already (bound once, a file keeps its symbols). */
const released = new WeakSet<ts.SourceFile>();

/** Drops the empty `exports` tables of the top-level variables `file` declares. */
export function releaseEmptyExports(file: ts.SourceFile | undefined): void {
  if (!file || released.has(file)) return;
  // `locals` exists once the file is bound (by the first checker that reads it).
  const locals = (file as { locals?: ReadonlyMap<string, ts.Symbol> }).locals;
  if (!locals) return;
  released.add(file);
  for (const symbol of locals.values()) {
    if (symbol.flags & ~typescript.SymbolFlags.Variable) continue; // merged with a function, class, namespace…
    if (symbol.exports?.size === 0) symbol.exports = undefined;
  }
}
