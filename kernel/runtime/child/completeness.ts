// is_complete for a TypeScript cell, from the TypeScript scanner and parser: "incomplete"
// while a block, bracket, or template is still open (the console then continues the cell on
// the next line with the indent we suggest), "invalid" when no continuation can fix it.
// Never recursive over the cell's nesting, and "unknown" past MAX_NESTING: `(` × 1000 made the
// parser's recursion overflow the stack, and the request went unanswered.
import type ts from "typescript";
import type { CompletenessResult } from "../interpreter.js";
import { typescript } from "./typescript.js";

const INDENT_UNIT = "  ";

/**
 * Brackets nested deeper than this are not analysed (completeness, type check): Python's parser
 * stops at 200 with "too many nested parentheses"; the type checker's time grows with the square
 * of the depth (nested arrays: 0.6 s at 100 levels, 26 s at 800) and it gives up at ~200.
 */
export const MAX_NESTING = 100;

/** Past this many characters a cell with balanced brackets is not parsed for completeness. */
const MAX_PARSED_CHARS = 256 * 1024;

/** Whether a console should run `code` now or let the user keep typing. */
export function isComplete(code: string): CompletenessResult {
  if (code.trim() === "") return { status: "complete" };
  const brackets = scanBrackets(code);
  if (brackets.deepest > MAX_NESTING) return { status: "unknown" };
  // Inside a template string's text, whatever the console puts first becomes part of the string.
  if (brackets.open > 0) {
    return { status: "incomplete", indent: brackets.inTemplateText ? "" : lastLineIndent(code) + INDENT_UNIT };
  }
  if (brackets.open < 0) return { status: "invalid" };
  // Balanced, and too long to parse on every Enter (1 MB: 0.7 s): nothing more is known.
  if (code.length > MAX_PARSED_CHARS) return { status: "unknown" };
  let errors: readonly ts.Diagnostic[];
  try {
    errors = parseErrors(code);
  } catch {
    return { status: "unknown" }; // the parser's own limits (stack depth) on odd input
  }
  if (errors.length === 0) return { status: "complete" };
  // An error only at the very end ("Expression expected" after `1 +`) can still be fixed by
  // typing more; one in the middle cannot.
  const end = code.trimEnd().length;
  if (errors.every((e) => (e.start ?? 0) >= end)) return { status: "incomplete", indent: lastLineIndent(code) };
  return { status: "invalid" };
}

export interface BracketScan {
  /** Brackets and template literals still open at the end (negative: closed more than opened). */
  open: number;
  /** The deepest nesting seen. */
  deepest: number;
  /** The code ends inside a template string's text (not in one of its `${…}`). */
  inTemplateText: boolean;
}

/** One pass of the scanner over `code`, with a stack of open brackets (no recursion). */
export function scanBrackets(code: string): BracketScan {
  const K = SYNTAX_KIND; // typescript.SyntaxKind is a getter: read once, not per token (1 MB: 0.25 s → 0.1 s)
  const scanner = typescript.createScanner(
    typescript.ScriptTarget.Latest,
    false,
    typescript.LanguageVariant.Standard,
    code,
  );
  const stack: ts.SyntaxKind[] = [];
  let deepest = 0;
  const result = (open: number, inTemplateText = false): BracketScan => ({ open, deepest, inTemplateText });
  let previous = K.Unknown;
  for (let token = scanner.scan(); token !== K.EndOfFileToken; previous = token, token = scanner.scan()) {
    switch (token) {
      case K.OpenBraceToken:
      case K.OpenParenToken:
      case K.OpenBracketToken:
        deepest = Math.max(deepest, stack.push(token));
        break;
      case K.TemplateHead:
        if (scanner.isUnterminated()) return result(stack.length + 1, true);
        deepest = Math.max(deepest, stack.push(token));
        break;
      case K.CloseBraceToken:
        // Inside a template, `}` continues the template: rescan it as a middle or tail.
        if (stack.at(-1) === K.TemplateHead) {
          const part = scanner.reScanTemplateToken(false);
          if (scanner.isUnterminated()) return result(stack.length, true);
          if (part === K.TemplateTail) stack.pop();
          break;
        }
        if (stack.pop() === undefined) return result(-1);
        break;
      case K.CloseParenToken:
      case K.CloseBracketToken:
        if (stack.pop() === undefined) return result(-1);
        break;
      case K.NoSubstitutionTemplateLiteral:
        if (scanner.isUnterminated()) return result(stack.length + 1, true);
        break;
      case K.SlashToken:
      case K.SlashEqualsToken:
        // After an operand `/` divides; anywhere else it starts a regular expression.
        if (!ENDS_OPERAND.has(previous)) token = scanner.reScanSlashToken();
        break;
    }
  }
  return result(stack.length);
}

const SYNTAX_KIND = typescript.SyntaxKind;

const ENDS_OPERAND = new Set([
  typescript.SyntaxKind.Identifier,
  typescript.SyntaxKind.NumericLiteral,
  typescript.SyntaxKind.BigIntLiteral,
  typescript.SyntaxKind.StringLiteral,
  typescript.SyntaxKind.RegularExpressionLiteral,
  typescript.SyntaxKind.NoSubstitutionTemplateLiteral,
  typescript.SyntaxKind.TemplateTail,
  typescript.SyntaxKind.CloseParenToken,
  typescript.SyntaxKind.CloseBracketToken,
  typescript.SyntaxKind.CloseBraceToken,
  typescript.SyntaxKind.ThisKeyword,
  typescript.SyntaxKind.TrueKeyword,
  typescript.SyntaxKind.FalseKeyword,
  typescript.SyntaxKind.NullKeyword,
  typescript.SyntaxKind.SuperKeyword,
]);

function parseErrors(code: string): readonly ts.Diagnostic[] {
  // Parsed as a module, so top-level `await` is an expression.
  const source = typescript.createSourceFile(
    "cell.ts",
    code,
    {
      languageVersion: typescript.ScriptTarget.Latest,
      impliedNodeFormat: typescript.ModuleKind.ESNext,
      setExternalModuleIndicator: (file) =>
        ((file as { externalModuleIndicator?: unknown }).externalModuleIndicator = true),
    },
    false,
    typescript.ScriptKind.TS,
  );
  return (source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? [];
}

function lastLineIndent(code: string): string {
  const lines = code.split(/\r?\n/);
  return /^\s*/.exec(lines.at(-1) ?? "")?.[0] ?? "";
}
