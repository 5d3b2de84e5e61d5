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
//
// A large cell that needs no transform is edited into a plain script instead (plain-script.ts).
import type ts from "typescript";
import { hoistCell } from "./hoist.js";
import { parseScript, plainScript } from "./plain-script.js";
import { typescript } from "./typescript.js";

export { RUNTIME_GLOBAL } from "./hoist.js";

export interface CompiledCell {
  /** JavaScript whose completion value is a Promise of `{ value }` (or undefined: no result). */
  js: string;
  /** Source map (JSON text) from `js` back to the cell's TypeScript; empty for a plain script. */
  sourceMap: string;
  /** Names the cell declares at top level (they become globals). */
  declaredNames: string[];
  /**
   * Set for a plain script (plain-script.ts): `js` keeps the cell's own lines and columns after
   * this many lines of prologue, and its completion value is the cell's result itself.
   */
  plainPrologueLines?: number;
}

export interface CellSyntaxError {
  message: string;
  /** 1-based line and column in the cell. */
  line: number;
  column: number;
}

export type TranspileResult = { ok: true; cell: CompiledCell } | { ok: false; error: CellSyntaxError };

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: typescript.ScriptTarget.ES2022,
  module: typescript.ModuleKind.ESNext,
  // Every cell is a module, so top-level `await` parses.
  moduleDetection: typescript.ModuleDetectionKind.Force,
  // Keep `import fs from "fs"` even when this cell does not use `fs`: later cells will.
  verbatimModuleSyntax: true,
  sourceMap: true,
  inlineSources: false,
  removeComments: false,
  experimentalDecorators: false,
  useDefineForClassFields: true,
  jsx: typescript.JsxEmit.Preserve,
};

// Re-running a cell is the common case in notebooks; the output does not depend on the file
// name (stack traces are mapped by the runtime's own table), so it is cached by source.
const CACHE_SIZE = 200;
const cache = new Map<string, TranspileResult>();

/** Cells larger than this are compiled as plain scripts when they can be (plain-script.ts). */
export const PLAIN_SCRIPT_CHARS = 256 * 1024;

/**
 * Compiles one cell. `fileName` is what stack traces show, e.g. `cell[3]`; `parsed`, the cell as
 * parseScript parsed it, when the caller has it already (a large cell is parsed once).
 */
export function transpileCell(code: string, fileName: string, parsed?: ts.SourceFile): TranspileResult {
  const hit = cache.get(code);
  if (hit) {
    cache.delete(code); // most recently used goes last
    cache.set(code, hit);
    return hit;
  }
  const result = compileObjectLiteral(code, fileName) ?? compilePlainScript(code, parsed) ?? compile(code, fileName);
  cache.set(code, result);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return result;
}

function compile(code: string, fileName: string): TranspileResult {
  const declaredNames: string[] = [];
  const output = typescript.transpileModule(code, {
    compilerOptions: COMPILER_OPTIONS,
    fileName: `${fileName}.ts`,
    reportDiagnostics: true,
    transformers: { after: [hoistCell(declaredNames)] },
  });
  const syntaxError = output.diagnostics?.find((d) => d.category === typescript.DiagnosticCategory.Error);
  if (syntaxError) return { ok: false, error: describeDiagnostic(syntaxError, code) };
  return {
    ok: true,
    cell: { js: stripSourceMappingComment(output.outputText), sourceMap: output.sourceMapText ?? "", declaredNames },
  };
}

function compilePlainScript(code: string, parsed: ts.SourceFile | undefined): TranspileResult | undefined {
  if (code.length <= PLAIN_SCRIPT_CHARS) return undefined;
  const plain = plainScript(parsed ?? parseScript(code), code);
  if (!plain) return undefined;
  const { js, declaredNames, prologueLines } = plain;
  return { ok: true, cell: { js, sourceMap: "", declaredNames, plainPrologueLines: prologueLines } };
}

/**
 * `{ a: 1 }` alone in a cell is a block with a label to the parser, but the user means an
 * object (as Node's REPL decides): try it in parentheses first.
 */
function compileObjectLiteral(code: string, fileName: string): TranspileResult | undefined {
  if (!/^\s*\{[\s\S]*\}\s*;?\s*$/.test(code)) return undefined;
  const result = compile(`(${code.trim().replace(/;$/, "")})`, fileName);
  return result.ok ? result : undefined;
}

function describeDiagnostic(diagnostic: ts.Diagnostic, code: string): CellSyntaxError {
  const message = typescript.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
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
