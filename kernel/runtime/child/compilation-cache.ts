// V8 keeps every script it compiles in its compilation cache, for a later script with the same
// text, and a full collection does not empty it (only a collection under memory pressure does).
// Every cell is a script of its own, almost never compiled twice, so over a long session the
// cache is the runtime's largest per-cell cost: ~1.3 KiB per cell (a cell's source, its script
// and functions), more than the type checker keeps of the cell. Measured in plain Node 20 on
// 1,000 scripts like cells, heap used after full collections: 1.34 KiB per script with the cache,
// 0.1 without. A cell re-run compiles again (a millisecond for a typical cell).
//
// V8 hashes its flags into a code cache and rejects one made under other flags: set before the
// language worker loads the compiler (the Executor is made first), the compiler's code cache
// (typescript.ts) is rebuilt once under this flag and accepted on every later start.
import v8 from "node:v8";

/** Turns V8's compilation cache off for this process (a V8 flag: every thread of it). */
export function disableCompilationCache(): void {
  v8.setFlagsFromString("--no-compilation-cache");
}
