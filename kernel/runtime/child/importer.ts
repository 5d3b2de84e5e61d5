// How compiled cells import: `import x from "m"` in a cell becomes
// `__tsgrad.importModule("m")` (see hoist.ts), which lands in the `import()` below. The loader
// hooks (loader-hooks.ts) recognise this module as the parent and resolve from the notebook's
// folder, so this file's own location never matters.
import { createRequire, register } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { LoaderData } from "./loader-hooks.js";

/** Installs the loader hooks for cells whose notebook lives in `notebookDir`. */
export function registerCellLoader(notebookDir: string, projectDir: string): void {
  const data: LoaderData = {
    cellImporterUrl: import.meta.url,
    notebookUrl: pathToFileURL(join(notebookDir, "[notebook].ts")).href,
    projectUrl: pathToFileURL(join(projectDir, "[project].js")).href,
  };
  register("./loader-hooks.js", { parentURL: import.meta.url, data });
}

/** `import(specifier)` as written in a cell, resolved from the notebook's folder. */
export function importModule(specifier: unknown, options?: ImportCallOptions): Promise<Record<string, unknown>> {
  return import(String(specifier), options) as Promise<Record<string, unknown>>;
}

/**
 * The default export with TypeScript's esModuleInterop semantics: a CommonJS module compiled
 * from ESM (`__esModule`) gives its `default`, any other CommonJS module its `module.exports`.
 */
export function defaultExport(namespace: Record<string, unknown>): unknown {
  const value = namespace.default;
  if (
    value !== null &&
    typeof value === "object" &&
    (value as { __esModule?: unknown }).__esModule &&
    "default" in value
  ) {
    return (value as { default: unknown }).default;
  }
  return value;
}

/**
 * The namespace as named imports see it: names Node's CommonJS analysis missed fall back to
 * properties of `module.exports`, as they do under a bundler or ts-node.
 */
export function interop(namespace: Record<string, unknown>): Record<string, unknown> {
  const fallback = namespace.default;
  return new Proxy(namespace, {
    get(target, key) {
      if (key === "default") return defaultExport(target);
      if (key in target) return target[key as string];
      if (fallback !== null && (typeof fallback === "object" || typeof fallback === "function")) {
        return (fallback as Record<string | symbol, unknown>)[key];
      }
      return undefined;
    },
  });
}

/** `require()` for cells: the notebook's folder first, then the tsgrad project. */
export function createCellRequire(notebookDir: string, projectDir: string): NodeJS.Require {
  const fromNotebook = createRequire(join(notebookDir, "[notebook].js"));
  const fromProject = createRequire(join(projectDir, "[project].js"));
  const cellRequire = ((id: string) => {
    try {
      return fromNotebook(id);
    } catch (error) {
      if ((error as { code?: string }).code !== "MODULE_NOT_FOUND" || id.startsWith(".")) throw error;
      return fromProject(id);
    }
  }) as NodeJS.Require;
  return Object.assign(cellRequire, {
    resolve: fromNotebook.resolve,
    cache: fromNotebook.cache,
    extensions: fromNotebook.extensions,
    main: undefined,
  });
}
