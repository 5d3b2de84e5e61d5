// Type errors as a student reads them, in the shape of `tsc --pretty`: where (the cell's own
// line and column), what (the message with its TS code), and the line itself with a caret
// under the offending text. Columns count Unicode code points, as an editor does.
import type ts from "typescript";
import { typescript } from "../typescript.js";

/** A type error inside the cell being checked. Lines and columns are 1-based. */
export interface CellDiagnostic {
  line: number;
  column: number;
  /** How many code points to underline on that line (at least 1). */
  length: number;
  code: number;
  message: string;
}

export interface TypeErrorReport {
  ename: string;
  evalue: string;
  traceback: string[];
}

export const TYPE_ERROR_NAME = "TypeScriptError";

const SHADOWED_NAME = /([A-Za-z_$][\w$]*?)\$shadowed\d+/g;

/**
 * Earlier cells' names reach a cell as imports (notebook.ts), which TypeScript will not let
 * it assign; at run time they are plain globals, and assigning them is fine.
 */
const ASSIGNMENT_TO_IMPORT = new Set([2632, 2539]);

/** The errors among the cell's `diagnostics`, with cell lines and code-point columns. */
export function cellDiagnostics(diagnostics: readonly ts.Diagnostic[], cell: string): CellDiagnostic[] {
  const found: CellDiagnostic[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.category !== typescript.DiagnosticCategory.Error || diagnostic.start === undefined) continue;
    if (ASSIGNMENT_TO_IMPORT.has(diagnostic.code)) continue;
    const start = diagnostic.start;
    if (start > cell.length) continue;
    const { line, column, lineText } = position(cell, start);
    const lineEnd = [...lineText].length + 1;
    const end = position(cell, Math.min(cell.length, start + (diagnostic.length ?? 0)));
    const length = end.line === line ? end.column - column : lineEnd - column;
    found.push({
      line,
      column,
      length: Math.max(1, length),
      code: diagnostic.code,
      message: typescript.flattenDiagnosticMessageText(diagnostic.messageText, "\n").replace(SHADOWED_NAME, "$1"),
    });
  }
  return found.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** 1-based line and code-point column of a UTF-16 offset, and that line's text. */
function position(text: string, offset: number): { line: number; column: number; lineText: string } {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  const line = before.length;
  const lineText = text.split(/\r\n|\r|\n/)[line - 1] ?? "";
  return { line, column: [...before.at(-1)!].length + 1, lineText };
}

// Only the 16 basic colours (30–37, 90–97), bold and reset: every front end draws those as
// text colours (classic Notebook's and nbconvert's ansi2html, JupyterLab, VS Code). tsc's
// inverse-video gutter (SGR 7) draws a black block in classic Notebook and nbconvert HTML,
// where the default inverse background is black; 256-colour and RGB codes vary by front end.
const COLOURS = {
  cyan: "\x1b[96m",
  yellow: "\x1b[93m",
  red: "\x1b[91m",
  grey: "\x1b[90m",
  reset: "\x1b[0m",
};

/** The error output of a cell that did not type-check (ename, evalue, one traceback line each). */
export function typeErrorReport(
  cellName: string,
  cell: string,
  diagnostics: readonly CellDiagnostic[],
): TypeErrorReport {
  const { cyan, yellow, red, grey, reset } = COLOURS;
  const lines = cell.split(/\r\n|\r|\n/);
  const traceback: string[] = [];
  for (const d of diagnostics) {
    const source = lines[d.line - 1] ?? "";
    const gutter = String(d.line);
    const indent = [...source]
      .slice(0, d.column - 1)
      .map((char) => (char === "\t" ? "\t" : " "))
      .join("");
    traceback.push(
      `${cyan}${cellName}${reset}:${yellow}${d.line}${reset}:${yellow}${d.column}${reset} - ${red}error${reset}${grey} TS${d.code}:${reset} ${d.message}`,
      "",
      `${grey}${gutter}${reset} ${source}`,
      `${" ".repeat(gutter.length)} ${indent}${red}^${"~".repeat(d.length - 1)}${reset}`,
      "",
    );
  }
  const count = diagnostics.length;
  traceback.push(
    `Found ${count} type error${count === 1 ? "" : "s"}: the cell did not run. (// @ts-ignore or // @ts-nocheck to run it anyway)`,
  );
  const first = diagnostics[0]!;
  const more = count > 1 ? ` (and ${count - 1} more)` : "";
  return {
    ename: TYPE_ERROR_NAME,
    evalue: `${cellName}:${first.line}:${first.column} ${first.message}${more}`,
    traceback,
  };
}
