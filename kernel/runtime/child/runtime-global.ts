// The one global through which compiled cells reach the runtime (hoist.ts writes calls to it,
// main.ts defines it), in a module of its own so the main thread can name it without loading
// the TypeScript compiler.

/** `__tsgrad.importModule(…)`, `__tsgrad.interop(…)`: not a name a cell would declare. */
export const RUNTIME_GLOBAL = "__tsgrad";
