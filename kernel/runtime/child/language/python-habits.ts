// Python written in a TypeScript cell, as students arriving from PyTorch tutorials do: TypeScript
// says "Cannot find name 'torch'" (or 'dim', 'True', 'print', 'len'), true but no help. Where the
// unknown name is one of these habits, the message says what to write instead.
import type ts from "typescript";
import { typescript } from "../typescript.js";

/** TypeScript's "Cannot find name 'x'" and "Cannot find name 'x'. Did you mean 'y'?". */
const CANNOT_FIND_NAME = new Set([2304, 2552]);

const LITERALS: Record<string, string> = { True: "true", False: "false", None: "null" };

/** `diagnostics` with those caused by a Python habit reworded. */
export function rewordPythonHabits(source: ts.SourceFile, diagnostics: readonly ts.Diagnostic[]): ts.Diagnostic[] {
  return diagnostics.map((diagnostic) => {
    if (diagnostic.file !== source || diagnostic.start === undefined || !CANNOT_FIND_NAME.has(diagnostic.code))
      return diagnostic;
    const node = identifierAt(source, diagnostic.start);
    const advice = node && adviceFor(node, source);
    return advice ? { ...diagnostic, messageText: advice } : diagnostic;
  });
}

function adviceFor(node: ts.Identifier, source: ts.SourceFile): string | undefined {
  const name = node.text;
  const parent = node.parent;
  // f(dim=1): Python's keyword argument is an assignment to an undeclared variable here.
  if (isAssignmentTarget(node) && typescript.isCallOrNewExpression(parent.parent) && isArgument(parent)) {
    const value = (parent as ts.BinaryExpression).right.getText(source);
    return `JavaScript has no keyword arguments (${name}=${value} assigns a variable): pass the value by position, or as an option: { ${camelCase(name)}: ${LITERALS[value] ?? value} }.`;
  }
  // x = randn(3) as a statement: Python declares by assigning.
  if (isAssignmentTarget(node) && typescript.isExpressionStatement(parent.parent)) {
    return `${name} is not declared: write const ${name} = … (or let ${name} = … if you assign it again later).`;
  }
  if (LITERALS[name]) return `Python's ${name} is ${LITERALS[name]} in JavaScript.`;
  if (name === "torch") {
    const member = typescript.isPropertyAccessExpression(parent) && parent.expression === node ? parent.name.text : "";
    const called =
      member && typescript.isCallExpression(parent.parent) && parent.parent.expression === parent ? "(…)" : "";
    const example = member
      ? `write ${camelCase(member)}${called} for torch.${member}${called}`
      : "write randn(3) for torch.randn(3)";
    return `The library is in scope without a prefix: ${example}; torch.nn is nn, torch.optim is optim, torch.nn.functional is nn.functional, torch.no_grad() is noGrad(() => { … }).`;
  }
  if (name === "print") return "print is console.log(…) here; or end the cell with the value to show it.";
  if (name === "len") {
    const argument =
      typescript.isCallExpression(parent) && parent.arguments[0] ? parent.arguments[0].getText(source) : "x";
    return `len is not a function here: write ${argument}.shape[0] for a tensor, ${argument}.length for an array or a string.`;
  }
  if (name === "range")
    return "range is not a function here: write arange(n) for a tensor of 0…n-1, or for (let i = 0; i < n; i++) for a loop.";
  return undefined;
}

function isAssignmentTarget(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (
    typescript.isBinaryExpression(parent) &&
    parent.left === node &&
    parent.operatorToken.kind === typescript.SyntaxKind.EqualsToken
  );
}

function isArgument(node: ts.Node): boolean {
  const call = node.parent as ts.CallExpression | ts.NewExpression;
  return (call.arguments ?? []).some((argument) => argument === node);
}

/** requires_grad → requiresGrad, the spelling of this library's options. */
function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function identifierAt(source: ts.SourceFile, start: number): ts.Identifier | undefined {
  let found: ts.Identifier | undefined;
  const visit = (node: ts.Node): void => {
    if (found || start < node.getStart(source) || start >= node.getEnd()) return;
    if (typescript.isIdentifier(node) && node.getStart(source) === start) found = node;
    else typescript.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
