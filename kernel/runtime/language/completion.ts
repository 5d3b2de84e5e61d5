// complete_request from the language service: what TypeScript would offer at the cursor in
// the composed notebook (members after a dot, names in scope, keywords, import paths and
// packages inside `import … from "`), filtered by what is typed already, in Jupyter's shape.
import type ts from "typescript";
import type { CompletionResult } from "../interpreter.js";

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

/** Completions at `cursor` (UTF-16 offset into `cell`, which starts at `cellStart` in `fileName`). */
export function completeInCell(
  service: ts.LanguageService,
  fileName: string,
  cellStart: number,
  cell: string,
  cursor: number,
): CompletionResult {
  const info = service.getCompletionsAtPosition(fileName, cellStart + cursor, {
    includeCompletionsWithInsertText: false,
    includeCompletionsForModuleExports: false,
    includeCompletionsForImportStatements: false,
  });
  const span = replacementSpan(info, cellStart, cell, cursor);
  const typed = cell.slice(span.start, cursor);
  const seen = new Set<string>();
  const entries = (info?.entries ?? [])
    .filter((entry) => !entry.name.includes("$shadowed") && !seen.has(entry.name) && seen.add(entry.name))
    .filter((entry) => entry.name.startsWith(typed) || (typed !== "" && entry.name.toLowerCase().startsWith(typed.toLowerCase())))
    .sort((a, b) => rank(a, typed) - rank(b, typed) || a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name));
  return {
    matches: entries.map((entry) => entry.name),
    cursorStart: span.start,
    cursorEnd: span.end,
    metadata: {
      _jupyter_types_experimental: entries.map((entry) => ({
        start: span.start,
        end: span.end,
        text: entry.name,
        type: JUPYTER_TYPE[entry.kind] ?? "text",
        kind: entry.kind,
      })),
    },
  };
}

/** Exact-case prefix matches before case-insensitive ones. */
function rank(entry: ts.CompletionEntry, typed: string): number {
  return entry.name.startsWith(typed) ? 0 : 1;
}

/** The text the chosen match replaces: the word (or path inside a string) up to the cursor. */
function replacementSpan(info: ts.CompletionInfo | undefined, cellStart: number, cell: string, cursor: number): { start: number; end: number } {
  const span = info?.entries.find((entry) => entry.replacementSpan)?.replacementSpan ?? info?.optionalReplacementSpan;
  if (span && span.start - cellStart <= cursor && span.start >= cellStart) {
    // Replace up to the cursor: what follows it (the rest of a word) stays, as in IPython.
    return { start: span.start - cellStart, end: cursor };
  }
  const word = /[\p{L}\p{N}_$]*$/u.exec(cell.slice(0, cursor))?.[0] ?? "";
  return { start: cursor - word.length, end: cursor };
}

