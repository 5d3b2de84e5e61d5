// The TypeScript language service over the notebook: the engine's declarations as globals
// (globals.ts), every cell that ran (notebook.ts) and the cell at hand. One instance lives in
// the runtime child's language worker (worker.ts); tests use it directly.
import { join } from "node:path";
import type ts from "typescript";
import type { CompletionResult } from "../../interpreter.js";
import { NOT_PRELOADED } from "../preloaded-names.js";
import { typescript } from "../typescript.js";
import { completeInCell } from "./completion.js";
import { type CellDiagnostic, cellDiagnostics, type TypeErrorReport, typeErrorReport } from "./diagnostics.js";
import { variablesAsAny } from "./given-up-cell.js";
import { exportedNames, type GlobalsSources, globalsDeclaration, historyGlobalsDeclaration } from "./globals.js";
import { releaseEmptyExports } from "./history-symbols.js";
import { cellCompilerOptions, documentRegistryWithScripts, NotebookHost } from "./host.js";
import { inspectInCell, type TypeInspection } from "./inspection.js";
import { NodeTypes } from "./node-types.js";
import { NotebookCells, parseCell } from "./notebook.js";
import { rewordPythonHabits } from "./python-habits.js";
import { tensorBracketDiagnostics } from "./tensor-brackets.js";
import { rewordTensorHabits } from "./tensor-habits.js";

export interface LanguageSetup {
  /** The notebook's folder: relative imports and npm packages resolve from here. */
  notebookDir: string;
  /** The tsgrad installation: `dist/` (engine declarations) and `node_modules/@types`. */
  projectDir: string;
}

export class NotebookLanguageService {
  private readonly host: NotebookHost;
  private readonly service: ts.LanguageService;
  private readonly cells = new NotebookCells();
  private readonly notebookFile: string;
  private readonly globalsFile: string;
  private readonly historyFile: string;
  private readonly historyScriptFile: string;
  private readonly historyGlobalsFile: string;
  private readonly untypedFile: string;
  /** Names declared by cells too large or deep to analyse: `any` (their history would slow every check). */
  private readonly untypedNames = new Set<string>();
  private readonly sources: GlobalsSources;
  private readonly nodeTypes: NodeTypes;
  /** Every module specifier the recorded cells import (decides which Node declarations load). */
  private readonly importedModules = new Set<string>();
  private engineExports: string[] | undefined;

  constructor(setup: LanguageSetup) {
    const dist = join(setup.projectDir, "dist");
    this.sources = {
      engineEntry: join(dist, "engine/index.js"),
      displayApi: join(dist, "kernel/runtime/child/display-api.js"),
    };
    const projectImporter = join(setup.projectDir, "[project].ts");
    this.host = new NotebookHost(
      cellCompilerOptions(setup.projectDir),
      setup.notebookDir,
      [`${dist}/`, typescriptLibDir()],
      projectImporter,
    );
    // Names no cell would use, in the notebook's folder so that imports resolve from there.
    this.historyScriptFile = join(setup.notebookDir, "__tsgrad_history_script__.ts");
    const registry = documentRegistryWithScripts(new Set([this.historyScriptFile]));
    this.service = typescript.createLanguageService(this.host, registry);
    this.notebookFile = join(setup.notebookDir, "__tsgrad_cell__.ts");
    this.globalsFile = join(setup.notebookDir, "__tsgrad_globals__.d.ts");
    this.historyFile = join(setup.notebookDir, "__tsgrad_history__.ts");
    this.historyGlobalsFile = join(setup.notebookDir, "__tsgrad_history_globals__.d.ts");
    this.untypedFile = join(setup.notebookDir, "__tsgrad_untyped_globals__.d.ts");
    this.nodeTypes = new NodeTypes(join(setup.projectDir, "node_modules/@types/node"));
  }

  /** Loads every declaration and checks a sample cell, so the first real check is fast. */
  warmUpCheck(): void {
    this.check("const warmUp = tensor([[1, 2]]).matmul(randn([2, 1]));\nwarmUp.sum().item()", "cell[warm-up]");
  }

  /** Runs completion and inspection once (their code paths are cold after warmUpCheck). */
  warmUpAssistance(): void {
    const sample = "const warmUp = tensor([[1, 2]]);\nwarmUp.";
    this.complete(sample, sample.length);
    this.inspect(sample, 20, 0);
  }

  /** Errors that stop `code` from running, reported as `cellName` (e.g. `cell[3]`); undefined when none. */
  check(code: string, cellName: string): TypeErrorReport | undefined {
    const diagnostics = this.diagnose(code);
    return diagnostics.length === 0 ? undefined : typeErrorReport(cellName, code, diagnostics);
  }

  /** The type errors of `code` after every recorded cell (none under `// @ts-nocheck`, none for unparsable code). */
  diagnose(code: string): CellDiagnostic[] {
    if (hasNoCheckPragma(code)) return [];
    this.load(code);
    // Syntax errors are the transpiler's to report (a SyntaxError at the cell's position).
    if (this.service.getSyntacticDiagnostics(this.notebookFile).length > 0) return [];
    const semantic = this.service.getSemanticDiagnostics(this.notebookFile);
    const program = this.service.getProgram();
    releaseEmptyExports(program?.getSourceFile(this.historyScriptFile));
    const source = program?.getSourceFile(this.notebookFile);
    if (!program || !source) return cellDiagnostics(semantic, code);
    const brackets = tensorBracketDiagnostics(program, source);
    const reworded = rewordPythonHabits(source, rewordTensorHabits(program, source, semantic));
    return cellDiagnostics([...reworded, ...brackets], code);
  }

  /**
   * Records a cell that ran: later cells see its declarations (`anyVariables`: its variables as
   * `any`, for a cell whose check was given up). Unparsable code is ignored.
   */
  commit(code: string, anyVariables = false): void {
    const parsed = parseCell(code) as ts.SourceFile & { parseDiagnostics?: readonly ts.Diagnostic[] };
    if ((parsed.parseDiagnostics?.length ?? 0) > 0) return;
    this.cells.add(anyVariables ? variablesAsAny(parsed) : code);
    for (const specifier of importedModules(code)) this.importedModules.add(specifier);
  }

  /**
   * Records the names a cell too large or deep to analyse declared (1 MB of declarations in the
   * history cost every later check seconds): later cells see them as `any`.
   */
  commitUntyped(names: readonly string[]): void {
    for (const name of names) this.untypedNames.add(name);
  }

  /**
   * Whether completion at `cursor` is better left to the live values (../completion.ts): names in
   * scope, once cells too large to analyse left more than MAX_UNTYPED_FOR_COMPLETION names.
   * TypeScript lists every global before filtering (80,000 after two 1 MB cells: more than the
   * 1 s of CPU a completion may take); the live values know those names as well.
   */
  leavesCompletionToLiveValues(code: string, cursor: number): boolean {
    return this.untypedNames.size > MAX_UNTYPED_FOR_COMPLETION && completesNamesInScope(code, cursor);
  }

  /** Completions at `cursor` (UTF-16 offset into `code`). */
  complete(code: string, cursor: number): CompletionResult {
    this.load(code);
    const notebookNames = new Set([...this.cells.history().globals, ...this.untypedNames]);
    const completions = completeInCell(this.service, this.notebookFile, code, cursor, notebookNames);
    this.releaseHistoryExports();
    return completions;
  }

  /** What is known about the name at `cursor` (UTF-16 offset into `code`). */
  inspect(code: string, cursor: number, detailLevel: 0 | 1): TypeInspection {
    this.load(code);
    const inspection = inspectInCell(this.service, this.notebookFile, code, cursor, detailLevel);
    this.releaseHistoryExports();
    return inspection;
  }

  /** After a request that may have bound a new history script (history-symbols.ts). */
  private releaseHistoryExports(): void {
    releaseEmptyExports(this.service.getProgram()?.getSourceFile(this.historyScriptFile));
  }

  /** The virtual files the checker sees with `code` as the current cell (benchmarks, debugging). */
  composedNotebook(code: string): { files: Map<string, string>; notebookFile: string } {
    this.load(code);
    return { files: this.host.virtualFiles(), notebookFile: this.notebookFile };
  }

  /** Makes `code` the current cell, after the recorded cells. */
  private load(code: string): void {
    const nodeFiles = this.nodeTypes.files([...this.importedModules, ...importedModules(code)]);
    this.host.setFile(this.nodeTypes.indexFile, this.nodeTypes.indexDeclaration(nodeFiles));
    const history = this.cells.history();
    // A name an analysed cell declared keeps that cell's type.
    const typed = new Set(history.globals);
    const untyped = [...this.untypedNames].filter((name) => !typed.has(name));
    // One `declare var a, b, …;` (implicitly any): a type node per name made the first check after a
    // 1 MB cell's 40,000 names twice as long (0.73-0.79 s of CPU instead of 0.35-0.38 s).
    this.host.setFile(this.untypedFile, untyped.length > 0 ? `declare var ${untyped.join(",\n")};\n` : "");
    this.setEngineGlobals([...history.globals, ...untyped]);
    this.host.setFile(this.historyScriptFile, history.script);
    this.host.setFile(this.historyFile, history.module);
    this.host.setFile(
      this.historyGlobalsFile,
      historyGlobalsDeclaration("./__tsgrad_history__", history.moduleGlobals, history.variables),
    );
    this.host.setFile(this.notebookFile, code);
  }

  /** The engine's globals, but not the names an earlier cell declared again (those win). */
  private setEngineGlobals(declaredInCells: readonly string[]): void {
    this.engineExports ??= exportedNames(this.sources.engineEntry.replace(/\.js$/, ".d.ts"));
    const names = this.engineExports.filter((name) => !NOT_PRELOADED.has(name));
    this.host.setFile(this.globalsFile, globalsDeclaration(this.sources, names, new Set(declaredInCells)));
  }
}

/** Untyped names past which completing names in scope is left to the live values (see complete). */
const MAX_UNTYPED_FOR_COMPLETION = 10_000;

/** Whether the cursor ends a name in scope (not a member after a dot, not a path inside quotes). */
function completesNamesInScope(code: string, cursor: number): boolean {
  const line = code.slice(code.lastIndexOf("\n", cursor - 1) + 1, cursor);
  const quotes = line.match(/["'`]/g)?.length ?? 0;
  return quotes % 2 === 0 && !/\.\s*[\p{L}\p{N}_$]*$/u.test(line);
}

/** The modules `code` imports, requires or imports dynamically. */
function importedModules(code: string): string[] {
  return typescript.preProcessFile(code, true, true).importedFiles.map((file) => file.fileName);
}

/** `// @ts-nocheck` among the cell's leading comments, where TypeScript honours it in a file. */
function hasNoCheckPragma(code: string): boolean {
  const comments = typescript.getLeadingCommentRanges(code, 0) ?? [];
  return comments.some((range) => /^\/\/\s*@ts-nocheck\b|^\/\*\s*@ts-nocheck\b/.test(code.slice(range.pos, range.end)));
}

function typescriptLibDir(): string {
  return typescript.getDefaultLibFilePath({}).replace(/[^/]+$/, "");
}
