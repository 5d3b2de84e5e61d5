// `x[0]` on a tensor: in JavaScript, brackets read a property, so a tensor indexed like a
// PyTorch one gives `undefined` and no error. TypeScript would say so only under noImplicitAny
// (TS7053), which cells leave off (notebooks are exploratory), so the check is ours: every
// bracket access on a Tensor is an error that names the method to write instead.
import type ts from "typescript";
import { typescript } from "../typescript.js";

/** The TypeScript code of "element implicitly has an 'any' type because … can't be used to index". */
const IMPLICIT_ANY_INDEX = 7053;

/** An error for each `tensor[…]` in `source`. */
export function tensorBracketDiagnostics(program: ts.Program, source: ts.SourceFile): ts.Diagnostic[] {
  const checker = program.getTypeChecker();
  const found: ts.Diagnostic[] = [];
  const visit = (node: ts.Node): void => {
    if (
      typescript.isElementAccessExpression(node) &&
      isTensor(checker, node.expression) &&
      !isMemberName(checker, node)
    ) {
      if (!suppressed(source, node)) {
        found.push({
          category: typescript.DiagnosticCategory.Error,
          code: IMPLICIT_ANY_INDEX,
          file: source,
          start: node.getStart(source),
          length: node.getEnd() - node.getStart(source),
          messageText: advice(checker, source, node),
        });
      }
    }
    typescript.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** What to write instead, with the cell's own names: `x.at(0)`, `C.index(X)`. */
function advice(checker: ts.TypeChecker, source: ts.SourceFile, node: ts.ElementAccessExpression): string {
  const target = node.expression.getText(source);
  const key = node.argumentExpression.getText(source);
  const general = `a tensor is not indexed with [ ] (${target}[${key}] would be undefined)`;
  const methods = `x.at(i, j) reads an element or a row (x[i, j]); x.index(…) takes slices, index tensors and masks (x[:, 0] is x.index(":", 0)); .item() gives the number of a one-element tensor`;
  const type = checker.getTypeAtLocation(node.argumentExpression);
  if (type.flags & typescript.TypeFlags.NumberLike) return `${general}: write ${target}.at(${key}). ${methods}.`;
  if (isTensor(checker, node.argumentExpression)) return `${general}: write ${target}.index(${key}). ${methods}.`;
  return `${general}. ${methods}.`;
}

function isTensor(checker: ts.TypeChecker, expression: ts.Expression): boolean {
  const type = checker.getNonNullableType(checker.getTypeAtLocation(expression));
  const symbol = type.getSymbol();
  if (symbol?.getName() !== "Tensor") return false;
  return (symbol.declarations ?? []).some((d) => /[\\/]engine[\\/]tensor\.(d\.)?ts$/.test(d.getSourceFile().fileName));
}

/** `x["shape"]`, `x[Symbol.iterator]`: a real member, read with brackets. */
function isMemberName(checker: ts.TypeChecker, node: ts.ElementAccessExpression): boolean {
  const argument = node.argumentExpression;
  if (typescript.isStringLiteralLike(argument)) {
    return checker.getPropertyOfType(checker.getTypeAtLocation(node.expression), argument.text) !== undefined;
  }
  return (checker.getTypeAtLocation(argument).flags & typescript.TypeFlags.ESSymbolLike) !== 0;
}

/** `// @ts-expect-error` or `// @ts-expect-error` on the line before, as TypeScript honours them. */
function suppressed(source: ts.SourceFile, node: ts.Node): boolean {
  const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
  if (line === 0) return false;
  const previous = source.text.slice(
    source.getPositionOfLineAndCharacter(line - 1, 0),
    source.getLineEndOfPosition(source.getPositionOfLineAndCharacter(line - 1, 0)),
  );
  return /^\s*\/\/\s*@ts-(ignore|expect-error)\b/.test(previous);
}
