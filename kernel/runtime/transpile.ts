// A TypeScript cell → a JavaScript script for `vm.Script.runInThisContext`, with a source map.
//
// The TypeScript compiler strips the types (transpileModule); then `hoistCell` (an "after"
// transformer, so it only sees JavaScript) turns the cell into a REPL script:
//
//   var x, C;                          // top-level names become globals, re-declarable
//   function f() {}                    // function declarations stay hoisted, as in JS
//   (async () => {                     // top-level await
//     x = 1; C = class C {};
//     ({ readFileSync } = __tsgrad.interop(await __tsgrad.importModule("fs")));
//     return { value: f(x) };          // the last expression statement is the result
//   })()
import ts from "typescript";
import { hoistCell } from "./hoist.js";

export { RUNTIME_GLOBAL } from "./hoist.js";

export interface CompiledCell {
  /** JavaScript whose completion value is a Promise of `{ value }` (or undefined: no result). */
  js: string;
  /** Source map (JSON text) from `js` back to the cell's TypeScript. */
  sourceMap: string;
  /** Names the cell declares at top level (they become globals). */
  declaredNames: string[];
}

export interface CellSyntaxError {
  message: string;
  /** 1-based line and column in the cell. */
  line: number;
  column: number;
}

export type TranspileResult = { ok: true; cell: CompiledCell } | { ok: false; error: CellSyntaxError };

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  // Every cell is a module, so top-level `await` parses.
  moduleDetection: ts.ModuleDetectionKind.Force,
  // Keep `import fs from "fs"` even when this cell does not use `fs`: later cells will.
  verbatimModuleSyntax: true,
  sourceMap: true,
  inlineSources: false,
  removeComments: false,
  experimentalDecorators: false,
  useDefineForClassFields: true,
  jsx: ts.JsxEmit.Preserve,
};

/** Compiles one cell. `fileName` is what stack traces show, e.g. `cell[3]`. */
export function transpileCell(code: string, fileName: string): TranspileResult {
  const declaredNames: string[] = [];
  const output = ts.transpileModule(code, {
    compilerOptions: COMPILER_OPTIONS,
    fileName: `${fileName}.ts`,
    reportDiagnostics: true,
    transformers: { after: [hoistCell(declaredNames)] },
  });
  const syntaxError = output.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (syntaxError) return { ok: false, error: describeDiagnostic(syntaxError, code) };
  return {
    ok: true,
    cell: { js: stripSourceMappingComment(output.outputText), sourceMap: output.sourceMapText ?? "", declaredNames },
  };
}

function describeDiagnostic(diagnostic: ts.Diagnostic, code: string): CellSyntaxError {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  const { line, column } = lineAndColumn(code, diagnostic.start ?? 0);
  return { message, line, column };
}

/** 1-based line and column of a UTF-16 offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

function stripSourceMappingComment(js: string): string {
  return js.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
}
