// complete_request from the language service: what TypeScript would offer at the cursor in
// the composed notebook (members after a dot, names in scope, keywords, import paths and
// packages inside `import … from "`), filtered by what is typed already, in Jupyter's shape.
import type ts from "typescript";
import type { CompletionResult } from "../../interpreter.js";
import { MAX_MATCHES } from "../completion.js";
import { typescript } from "../typescript.js";
import { hiddenMembers } from "./hidden-members.js";

/** How JupyterLab names kinds of matches (it picks the icon from `type`). */
const JUPYTER_TYPE: Record<string, string> = {
  method: "function",
  function: "function",
  "local function": "function",
  constructor: "function",
  call: "function",
  class: "class",
  "local class": "class",
  enum: "class",
  interface: "type",
  type: "type",
  "type parameter": "type",
  module: "module",
  "external module name": "module",
  alias: "module",
  keyword: "keyword",
  property: "property",
  getter: "property",
  setter: "property",
  "enum member": "property",
  var: "instance",
  let: "instance",
  const: "instance",
  "local var": "instance",
  parameter: "param",
  script: "path",
  directory: "path",
  string: "text",
};

/**
 * Completions at `cursor` (UTF-16 offset into `cell`, the text of `fileName`); `notebookNames`,
 * the names earlier cells declared, are kept first when there are too many (MAX_MATCHES).
 */
export function completeInCell(
  service: ts.LanguageService,
  fileName: string,
  cell: string,
  cursor: number,
  notebookNames: ReadonlySet<string> = new Set(),
): CompletionResult {
  const info = service.getCompletionsAtPosition(fileName, cursor, {
    includeCompletionsWithInsertText: false,
    includeCompletionsForModuleExports: false,
    includeCompletionsForImportStatements: false,
  });
  const span = replacementSpan(info, cell, cursor);
  const typed = cell.slice(span.start, cursor);
  const seen = new Set<string>();
  const hidden = info?.isMemberCompletion
    ? hiddenMembers(
        service,
        fileName,
        cursor,
        info.entries.map((entry) => entry.name),
      )
    : new Set<string>();
  const ranked = (info?.entries ?? [])
    .filter((entry) => !entry.name.includes("$shadowed") && !hidden.has(entry.name))
    .filter((entry) => !seen.has(entry.name) && seen.add(entry.name))
    .filter(
      (entry) =>
        entry.name.startsWith(typed) || (typed !== "" && entry.name.toLowerCase().startsWith(typed.toLowerCase())),
    )
    .sort(
      (a, b) => rank(a, typed) - rank(b, typed) || a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name),
    );
  const entries = keepBest(ranked, notebookNames);
  const aliased = entries.some((entry) => entry.kind === "alias")
    ? aliasedKinds(service, fileName)
    : new Map<string, string>();
  return {
    matches: entries.map((entry) => entry.name),
    cursorStart: span.start,
    cursorEnd: span.end,
    metadata: {
      _jupyter_types_experimental: entries.map((entry) => ({
        start: span.start,
        end: span.end,
        text: entry.name,
        type: JUPYTER_TYPE[aliased.get(entry.name) ?? entry.kind] ?? "text",
        kind: aliased.get(entry.name) ?? entry.kind,
      })),
    },
  };
}

/**
 * The engine's exports and earlier cells' names are globals through aliases (globals.ts,
 * notebook.ts); what an alias stands for is the kind worth showing.
 */
function aliasedKinds(service: ts.LanguageService, fileName: string): Map<string, string> {
  const kinds = new Map<string, string>();
  const program = service.getProgram();
  const source = program?.getSourceFile(fileName);
  if (!program || !source) return kinds;
  const checker = program.getTypeChecker();
  const flags = typescript.SymbolFlags;
  for (const symbol of checker.getSymbolsInScope(source, flags.Alias)) {
    const target = checker.getAliasedSymbol(symbol).flags;
    const kind =
      target & flags.Class
        ? "class"
        : target & (flags.Function | flags.Method)
          ? "function"
          : target & flags.Enum
            ? "enum"
            : target & (flags.Interface | flags.TypeAlias)
              ? "interface"
              : target & (flags.Module | flags.Namespace | flags.ValueModule)
                ? "module"
                : target & flags.Variable
                  ? "const"
                  : "alias";
    kinds.set(symbol.name, kind);
  }
  return kinds;
}

/** TypeScript's sort text for globals and keywords; the cell's own names and members sort before. */
const GLOBALS_SORT_TEXT = "15";

/**
 * At most MAX_MATCHES of `ranked`, in their order: the cell's names, members and the notebook's
 * names before globals of the library and keywords (which sort among the notebook's by name).
 */
function keepBest(ranked: ts.CompletionEntry[], notebookNames: ReadonlySet<string>): ts.CompletionEntry[] {
  if (ranked.length <= MAX_MATCHES) return ranked;
  const kept = new Set(
    ranked.filter((entry) => entry.sortText < GLOBALS_SORT_TEXT || notebookNames.has(entry.name)).slice(0, MAX_MATCHES),
  );
  for (const entry of ranked) {
    if (kept.size >= MAX_MATCHES) break;
    kept.add(entry);
  }
  return ranked.filter((entry) => kept.has(entry));
}

/** Exact-case prefix matches before case-insensitive ones. */
function rank(entry: ts.CompletionEntry, typed: string): number {
  return entry.name.startsWith(typed) ? 0 : 1;
}

/** The text the chosen match replaces: the word (or path inside a string) up to the cursor. */
function replacementSpan(
  info: ts.CompletionInfo | undefined,
  cell: string,
  cursor: number,
): { start: number; end: number } {
  const span = info?.entries.find((entry) => entry.replacementSpan)?.replacementSpan ?? info?.optionalReplacementSpan;
  if (span && span.start <= cursor) {
    // Replace up to the cursor: what follows it (the rest of a word) stays, as in IPython.
    return { start: span.start, end: cursor };
  }
  const word = /[\p{L}\p{N}_$]*$/u.exec(cell.slice(0, cursor))?.[0] ?? "";
  return { start: cursor - word.length, end: cursor };
}
