// An earlier cell's variables as the checker needs them: a name and its type. Where every
// variable of a statement has a type annotation, the annotation is its type wherever another
// file reads it (a later cell sees the declared type, never a narrowing of its initializer), so
// the history keeps `declare const x: T` instead of the statement: no syntax tree for the
// initializer, no control flow nodes. Signatures without comments are grouped further, one
// `declare const` for all of them (history order does not matter to ambient declarations):
// a name then costs one declaration node, its identifier, its type and its symbol. Over 1,000
// cells of `const v: number = …` (heap snapshots of the language worker) that kept ~1.2 KiB
// per cell less.
import type ts from "typescript";
import { typescript } from "../typescript.js";

/** A variable statement reduced to its signatures. */
export interface VariableSignature {
  kind: "const" | "let" | "var";
  /** `a: number, b: Tensor`: every declaration, name and annotation (a copy of the text). */
  declarations: string;
  /** Comments before the statement (its doc), when there are any: such a statement stays alone. */
  leadingComments?: string;
}

/**
 * `const a: number = f(), b: string = ""` → `{ kind: "const", declarations: "a: number, b: string" }`;
 * undefined when a variable has no annotation, a binding pattern, or the statement a modifier
 * other than `declare` (`export`, …) or `using`.
 */
export function variableSignature(statement: ts.Statement, source: ts.SourceFile): VariableSignature | undefined {
  if (!typescript.isVariableStatement(statement)) return undefined;
  const modifiers = typescript.getModifiers(statement) ?? [];
  if (modifiers.some((m) => m.kind !== typescript.SyntaxKind.DeclareKeyword)) return undefined;
  const list = statement.declarationList;
  const kind = kindOf(list.flags);
  if (!kind) return undefined;
  const declarations: string[] = [];
  for (const declaration of list.declarations) {
    if (!typescript.isIdentifier(declaration.name) || !declaration.type) return undefined;
    // Without `!` (a definite assignment assertion is an error in an ambient declaration).
    declarations.push(
      `${declaration.name.text}: ${source.text.slice(declaration.type.getStart(source), declaration.type.end)}`,
    );
  }
  const trivia = source.text.slice(statement.getFullStart(), statement.getStart(source));
  const hasComments = (typescript.getLeadingCommentRanges(trivia, 0)?.length ?? 0) > 0;
  return { kind, declarations: declarations.join(", "), ...(hasComments ? { leadingComments: trivia } : {}) };
}

/** `declare const a: number, b: string;` (after the statement's comments, if any). */
export function signatureText(signature: VariableSignature): string {
  return `${signature.leadingComments ?? ""}declare ${signature.kind} ${signature.declarations};`;
}

/** One ambient statement per kind of variable for all of `signatures` (comment-free ones). */
export function groupedSignatures(signatures: readonly Pick<VariableSignature, "kind" | "declarations">[]): string {
  const byKind = new Map<VariableSignature["kind"], string[]>();
  for (const { kind, declarations } of signatures) {
    const list = byKind.get(kind) ?? [];
    list.push(declarations);
    byKind.set(kind, list);
  }
  return [...byKind].map(([kind, list]) => `declare ${kind} ${list.join(",\n  ")};\n`).join("");
}

function kindOf(flags: ts.NodeFlags): VariableSignature["kind"] | undefined {
  // `using` and `await using` dispose their value at the end of the scope: left as they are.
  if ((flags & typescript.NodeFlags.BlockScoped) === typescript.NodeFlags.Using) return undefined;
  if ((flags & typescript.NodeFlags.BlockScoped) === typescript.NodeFlags.AwaitUsing) return undefined;
  if (flags & typescript.NodeFlags.Const) return "const";
  if (flags & typescript.NodeFlags.Let) return "let";
  return "var";
}
