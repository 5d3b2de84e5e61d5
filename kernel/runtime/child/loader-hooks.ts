// Module loader hooks (registered with `module.register()` in the runtime child; Node runs
// them on its loader thread). They let cells import what a notebook's folder offers:
// - specifiers imported by a cell resolve from the notebook's folder, then from tsgrad's own
//   node_modules (packages installed in the project);
// - `.ts` files compile on the fly (types stripped, inline source map for stack traces);
// - TypeScript-style relative specifiers work: `./util` and `./util.js` find `./util.ts`.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export interface LoaderData {
  /** The module whose `import()` calls are a cell's imports (importer.js). */
  cellImporterUrl: string;
  /** A file URL inside the notebook's folder, used as the parent of cell imports. */
  notebookUrl: string;
  /** A file URL inside the tsgrad project: the fallback parent for packages. */
  projectUrl: string;
}

interface ResolveContext {
  parentURL?: string;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: Partial<ResolveContext>) => Promise<ResolveResult>;
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: Record<string, unknown>) => Promise<LoadResult>;

let data: LoaderData | undefined;

export function initialize(init: LoaderData): void {
  data = init;
}

export async function resolve(
  specifier: string,
  context: ResolveContext,
  nextResolve: NextResolve,
): Promise<ResolveResult> {
  if (data && context.parentURL === data.cellImporterUrl) {
    try {
      return await resolveTypeScriptStyle(specifier, { ...context, parentURL: data.notebookUrl }, nextResolve);
    } catch (error) {
      if (isRelative(specifier) || !isNotFound(error)) throw error;
      return nextResolve(specifier, { ...context, parentURL: data.projectUrl });
    }
  }
  if (context.parentURL && isTypeScript(context.parentURL))
    return resolveTypeScriptStyle(specifier, context, nextResolve);
  return nextResolve(specifier, context);
}

export async function load(url: string, context: Record<string, unknown>, nextLoad: NextLoad): Promise<LoadResult> {
  if (!url.startsWith("file:") || !isTypeScript(url)) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = await readFile(path, "utf8");
  const ts = (await import("typescript")).default;
  const output = ts.transpileModule(source, {
    fileName: path,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      inlineSourceMap: true,
      inlineSources: true,
      esModuleInterop: true,
    },
  });
  return { format: "module", source: output.outputText, shortCircuit: true };
}

async function resolveTypeScriptStyle(
  specifier: string,
  context: ResolveContext,
  nextResolve: NextResolve,
): Promise<ResolveResult> {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!isRelative(specifier) || !isNotFound(error)) throw error;
    const base = specifier.replace(/\.(js|mjs|cjs)$/, "");
    const candidates = [`${base}.ts`, `${base}.mts`, `${base}/index.ts`];
    for (const candidate of candidates) {
      try {
        return await nextResolve(candidate, context);
      } catch {
        // try the next spelling
      }
    }
    throw error;
  }
}

function isRelative(specifier: string): boolean {
  return (
    specifier.startsWith("./") ||
    specifier.startsWith("../") ||
    specifier.startsWith("/") ||
    specifier.startsWith("file:")
  );
}

function isTypeScript(url: string): boolean {
  return /\.(ts|mts)$/.test(new URL(url).pathname) && !url.endsWith(".d.ts");
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return (
    code === "ERR_MODULE_NOT_FOUND" || code === "ERR_UNSUPPORTED_DIR_IMPORT" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED"
  );
}
