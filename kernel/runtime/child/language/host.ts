// The language service's view of the world: a few virtual files held in memory (the notebook
// and its globals) over the real file system (the engine's declarations, @types/node, the
// notebook's own modules). Every check builds a new program, and re-reading hundreds of
// declaration files each time would cost more than checking the cell, so installed files
// (under node_modules, the engine's dist/) are read once; the notebook's own modules are
// re-read when their modification time changes.
import { statSync } from "node:fs";
import type ts from "typescript";
import { typescript } from "../typescript.js";

interface VirtualFile {
  text: string;
  version: number;
}

/** Compiler options for cells: strict, except that untyped values may stay implicitly `any`. */
export function cellCompilerOptions(projectDir: string): ts.CompilerOptions {
  return {
    target: typescript.ScriptTarget.ES2022,
    module: typescript.ModuleKind.ESNext,
    moduleResolution: typescript.ModuleResolutionKind.Bundler,
    // Cells are modules (top-level await); the globals file makes engine names visible in all.
    moduleDetection: typescript.ModuleDetectionKind.Force,
    lib: ["lib.es2023.d.ts"],
    // @types/node's index.d.ts is replaced by a smaller one (node-types.ts).
    types: ["node"],
    typeRoots: [`${projectDir}/node_modules/@types`],
    strict: true,
    // Notebooks are exploratory: `function f(x)` and untyped npm packages are fine.
    noImplicitAny: false,
    // No noImplicitOverride (the project's own tsconfig has it): a student's model defines
    // `forward(x)` over nn.Module's without writing `override`.
    esModuleInterop: true,
    allowSyntheticDefaultImports: true,
    allowImportingTsExtensions: true,
    resolveJsonModule: true,
    allowJs: true,
    checkJs: false,
    skipLibCheck: true,
    noEmit: true,
    useDefineForClassFields: true,
  };
}

/** A LanguageServiceHost whose virtual files (which may hide a file on disk) can be replaced; disk reads are cached. */
export class NotebookHost implements ts.LanguageServiceHost {
  private readonly virtual = new Map<string, VirtualFile>();
  private readonly diskSnapshots = new Map<string, { snapshot: ts.IScriptSnapshot | undefined; modified: number }>();
  private readonly existingFiles = new Map<string, boolean>();
  private readonly existingDirectories = new Map<string, boolean>();

  constructor(
    private readonly options: ts.CompilerOptions,
    private readonly currentDirectory: string,
    /** Folders whose files never change while the kernel runs (node_modules, dist). */
    private readonly installedRoots: readonly string[],
    /** A file whose folder is searched for packages the notebook's folder lacks. */
    private readonly fallbackImporter?: string,
  ) {}

  /**
   * Imports resolve from the notebook's folder and, failing that, from the tsgrad project, as
   * the runtime resolves them (importer.ts `createCellRequire`, loader-hooks.ts).
   */
  resolveModuleNameLiterals(
    literals: readonly ts.StringLiteralLike[],
    containingFile: string,
    redirectedReference: ts.ResolvedProjectReference | undefined,
    options: ts.CompilerOptions,
  ): readonly ts.ResolvedModuleWithFailedLookupLocations[] {
    return literals.map((literal) => {
      // No resolution cache: a module the notebook creates later must be found then. Only the
      // files that changed are resolved again anyway.
      const found = typescript.resolveModuleName(
        literal.text,
        containingFile,
        options,
        this,
        undefined,
        redirectedReference,
      );
      if (found.resolvedModule || literal.text.startsWith(".") || !this.fallbackImporter) return found;
      const fallback = typescript.resolveModuleName(literal.text, this.fallbackImporter, options, this);
      return fallback.resolvedModule ? fallback : found;
    });
  }

  /** Sets a virtual file's text (creating it); a no-op when the text is unchanged. */
  setFile(fileName: string, text: string): void {
    const file = this.virtual.get(fileName);
    if (file?.text === text) return;
    this.virtual.set(fileName, { text, version: (file?.version ?? 0) + 1 });
  }

  /** Every virtual file and its text. */
  virtualFiles(): Map<string, string> {
    return new Map([...this.virtual].map(([name, file]) => [name, file.text]));
  }

  getCompilationSettings(): ts.CompilerOptions {
    return this.options;
  }

  getScriptFileNames(): string[] {
    return [...this.virtual.keys()];
  }

  getScriptVersion(fileName: string): string {
    const file = this.virtual.get(fileName);
    return file ? String(file.version) : `disk ${this.readDisk(fileName).modified}`;
  }

  getScriptSnapshot(fileName: string): ts.IScriptSnapshot | undefined {
    const file = this.virtual.get(fileName);
    if (file) return typescript.ScriptSnapshot.fromString(file.text);
    return this.readDisk(fileName).snapshot;
  }

  getCurrentDirectory(): string {
    return this.currentDirectory;
  }

  getDefaultLibFileName(options: ts.CompilerOptions): string {
    return typescript.getDefaultLibFilePath(options);
  }

  fileExists(fileName: string): boolean {
    if (this.virtual.has(fileName)) return true;
    if (!this.isInstalled(fileName)) return typescript.sys.fileExists(fileName);
    return remember(this.existingFiles, fileName, () => typescript.sys.fileExists(fileName));
  }

  readFile(fileName: string): string | undefined {
    const file = this.virtual.get(fileName);
    if (file) return file.text;
    const snapshot = this.getScriptSnapshot(fileName);
    return snapshot?.getText(0, snapshot.getLength());
  }

  directoryExists(directoryName: string): boolean {
    if (!this.isInstalled(directoryName)) return typescript.sys.directoryExists(directoryName);
    return remember(this.existingDirectories, directoryName, () => typescript.sys.directoryExists(directoryName));
  }

  // Import-path completion lists folders live: a file created since the last request shows up.
  readDirectory(
    path: string,
    extensions?: readonly string[],
    exclude?: readonly string[],
    include?: readonly string[],
    depth?: number,
  ): string[] {
    return typescript.sys.readDirectory(path, extensions, exclude, include, depth);
  }

  getDirectories(directoryName: string): string[] {
    return typescript.sys.getDirectories(directoryName);
  }

  useCaseSensitiveFileNames(): boolean {
    return typescript.sys.useCaseSensitiveFileNames;
  }

  private readDisk(fileName: string): { snapshot: ts.IScriptSnapshot | undefined; modified: number } {
    const cached = this.diskSnapshots.get(fileName);
    const modified = cached && this.isInstalled(fileName) ? cached.modified : modificationTime(fileName);
    if (cached?.modified === modified) return cached;
    const text = modified < 0 ? undefined : typescript.sys.readFile(fileName);
    const entry = { snapshot: text === undefined ? undefined : typescript.ScriptSnapshot.fromString(text), modified };
    this.diskSnapshots.set(fileName, entry);
    return entry;
  }

  private isInstalled(path: string): boolean {
    return path.includes("/node_modules/") || this.installedRoots.some((root) => path.startsWith(root));
  }
}

/**
 * A document registry under which the files named in `scripts` are never modules, whatever
 * `moduleDetection` says (it makes every other file one: each cell is a module). A script's
 * top-level declarations are globals by themselves (see notebook.ts).
 */
export function documentRegistryWithScripts(scripts: ReadonlySet<string>): ts.DocumentRegistry {
  const registry = typescript.createDocumentRegistry();
  const notAModule = (file: ts.SourceFile) => {
    (file as { externalModuleIndicator?: unknown }).externalModuleIndicator = undefined;
  };
  const withOptions = (
    fileName: string,
    options: ts.CreateSourceFileOptions | ts.ScriptTarget | undefined,
  ): ts.CreateSourceFileOptions | ts.ScriptTarget | undefined => {
    if (!scripts.has(fileName)) return options;
    const base = typeof options === "object" ? options : { languageVersion: options ?? typescript.ScriptTarget.ES2022 };
    return { ...base, setExternalModuleIndicator: notAModule };
  };
  return {
    ...registry,
    acquireDocumentWithKey: (fileName, path, host, key, snapshot, version, kind, options) =>
      registry.acquireDocumentWithKey(
        fileName,
        path,
        host,
        key,
        snapshot,
        version,
        kind,
        withOptions(fileName, options),
      ),
    updateDocumentWithKey: (fileName, path, host, key, snapshot, version, kind, options) =>
      registry.updateDocumentWithKey(
        fileName,
        path,
        host,
        key,
        snapshot,
        version,
        kind,
        withOptions(fileName, options),
      ),
  };
}

/** Milliseconds since the epoch, or -1 when there is no such file. */
function modificationTime(fileName: string): number {
  try {
    return statSync(fileName).mtimeMs;
  } catch {
    return -1;
  }
}

function remember(cache: Map<string, boolean>, key: string, compute: () => boolean): boolean {
  let known = cache.get(key);
  if (known === undefined) cache.set(key, (known = compute()));
  return known;
}
