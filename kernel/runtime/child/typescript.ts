// The TypeScript compiler, loaded the fast way. `import ts from "typescript"` would make Node's
// ESM loader scan all 9 MB of typescript.js for export names and compile it from scratch on
// every runtime start. Instead: CommonJS `require` semantics, plus a V8 code cache in the user's
// cache folder so later starts skip most parsing and compiling (verified first: code-cache.ts).
//
// Other modules import `ts` from "typescript" for types only (erased at build time) and take
// the value from here.
import { readFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { dirname, join } from "node:path";
import vm from "node:vm";
import type * as TS from "typescript";
import { cacheDirectory, readVerified, writeVerified } from "./code-cache.js";

const require = createRequire(import.meta.url);
const compilerPath = require.resolve("typescript");

let pendingCache: vm.Script | undefined;

function loadCompiler(): typeof TS {
  const cached = require.cache[compilerPath];
  if (cached?.loaded) return cached.exports as typeof TS;
  const cachePath = codeCachePath();
  const cachedData = cachePath === undefined ? undefined : readVerified(cachePath);
  const source = readFileSync(compilerPath, "utf8");
  const script = new vm.Script(Module.wrap(source), { filename: compilerPath, cachedData });
  const module = new Module(compilerPath) as NodeJS.Module & { paths: string[] };
  module.filename = compilerPath;
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    dirname(compilerPath),
  );
  require.cache[compilerPath] = module;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(
    module.exports,
    module.exports,
    createRequire(compilerPath),
    module,
    compilerPath,
    dirname(compilerPath),
  );
  module.loaded = true;
  // V8 rejects a cache of another V8 or compiler build itself: it is rebuilt, like a missing one.
  if (!cachedData || script.cachedDataRejected) pendingCache = script;
  return module.exports as typeof TS;
}

/** In the per-user cache folder (code-cache.ts); undefined when there is no safe one. */
function codeCachePath(): string | undefined {
  const { version } = require("typescript/package.json") as { version: string };
  const dir = cacheDirectory();
  return dir && join(dir, `typescript-${version}-node-${process.version}-${process.arch}.v8cache`);
}

/** The TypeScript compiler API. Example: `typescript.version` */
export const typescript: typeof TS = loadCompiler();

/**
 * Writes the code cache if this start had none (call once the compiler has been used, so the
 * cache also holds the functions compiled lazily since). Never throws.
 */
export function saveCompilerCodeCache(): void {
  const script = pendingCache;
  pendingCache = undefined;
  if (!script) return;
  try {
    const path = codeCachePath();
    if (path) writeVerified(path, script.createCachedData());
  } catch {
    // a read-only or full temp dir only costs start-up time
  }
}
