// is_complete for a TypeScript cell, from the TypeScript scanner and parser: "incomplete"
// while a block, bracket, or template is still open (the console then continues the cell on
// the next line with the indent we suggest), "invalid" when no continuation can fix it.
import type ts from "typescript";
import type { CompletenessResult } from "../interpreter.js";
import { typescript } from "./typescript.js";

const INDENT_UNIT = "  ";

/** Whether a console should run `code` now or let the user keep typing. */
export function isComplete(code: string): CompletenessResult {
  if (code.trim() === "") return { status: "complete" };
  const depth = openDepth(code);
  if (depth > 0) return { status: "incomplete", indent: lastLineIndent(code) + INDENT_UNIT };
  if (depth < 0) return { status: "invalid" };
  const errors = parseErrors(code);
  if (errors.length === 0) return { status: "complete" };
  // An error only at the very end ("Expression expected" after `1 +`) can still be fixed by
  // typing more; one in the middle cannot.
  const end = code.trimEnd().length;
  if (errors.every((e) => (e.start ?? 0) >= end)) return { status: "incomplete", indent: lastLineIndent(code) };
  return { status: "invalid" };
}

/** Brackets and template literals still open at the end (negative: closed more than opened). */
function openDepth(code: string): number {
  const scanner = typescript.createScanner(
    typescript.ScriptTarget.Latest,
    false,
    typescript.LanguageVariant.Standard,
    code,
  );
  const stack: ts.SyntaxKind[] = [];
  let previous = typescript.SyntaxKind.Unknown;
  for (
    let token = scanner.scan();
    token !== typescript.SyntaxKind.EndOfFileToken;
    previous = token, token = scanner.scan()
  ) {
    switch (token) {
      case typescript.SyntaxKind.OpenBraceToken:
      case typescript.SyntaxKind.OpenParenToken:
      case typescript.SyntaxKind.OpenBracketToken:
        stack.push(token);
        break;
      case typescript.SyntaxKind.TemplateHead:
        if (scanner.isUnterminated()) return stack.length + 1;
        stack.push(token);
        break;
      case typescript.SyntaxKind.CloseBraceToken:
        // Inside a template, `}` continues the template: rescan it as a middle or tail.
        if (stack.at(-1) === typescript.SyntaxKind.TemplateHead) {
          const part = scanner.reScanTemplateToken(false);
          if (scanner.isUnterminated()) return stack.length;
          if (part === typescript.SyntaxKind.TemplateTail) stack.pop();
          break;
        }
        if (stack.pop() === undefined) return -1;
        break;
      case typescript.SyntaxKind.CloseParenToken:
      case typescript.SyntaxKind.CloseBracketToken:
        if (stack.pop() === undefined) return -1;
        break;
      case typescript.SyntaxKind.NoSubstitutionTemplateLiteral:
        if (scanner.isUnterminated()) return stack.length + 1;
        break;
      case typescript.SyntaxKind.SlashToken:
      case typescript.SyntaxKind.SlashEqualsToken:
        // After an operand `/` divides; anywhere else it starts a regular expression.
        if (!ENDS_OPERAND.has(previous)) token = scanner.reScanSlashToken();
        break;
    }
  }
  return stack.length;
}

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
