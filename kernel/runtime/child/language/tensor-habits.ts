// What a PyTorch user types that TypeScript rejects in its own words, said again with the fix in
// the cell's names: operators on tensors ("The left-hand side of an arithmetic operation must be
// of type 'any', 'number' …" becomes "write a.mul(2) for a * 2"), `t.size` without the call
// (size() is the shape, as in PyTorch; numel() the count) and other methods read uncalled
// (`loss.item * 2`), and a module passed where its parameters are expected
// (`new optim.SGD(model)` becomes "write model.parameters()").
import type ts from "typescript";
import { typescript } from "../typescript.js";

/** Each operator's method, as PyTorch names the same operation (`a * b` is `torch.mul(a, b)`). */
const METHODS: Record<string, string> = {
  "+": "add",
  "-": "sub",
  "*": "mul",
  "/": "div",
  "**": "pow",
  "<": "lt",
  "<=": "le",
  ">": "gt",
  ">=": "ge",
  "==": "eq",
  "===": "eq",
  "!=": "ne",
  "!==": "ne",
};
/** `2 < a` is `a.gt(2)`: the comparison seen from the tensor's side. */
const FLIPPED: Record<string, string> = {
  lt: "gt",
  le: "ge",
  gt: "lt",
  ge: "le",
  eq: "eq",
  ne: "ne",
  add: "add",
  mul: "mul",
};
const COMPOUND: Record<string, string> = { "+=": "add", "-=": "sub", "*=": "mul", "/=": "div", "**=": "pow" };

const ALL_METHODS = "add sub mul div pow neg, lt le gt ge eq ne; matmul for @";

/** TypeScript's errors of `diagnostics` in `source`, those caused by these habits reworded. */
export function rewordTensorHabits(
  program: ts.Program,
  source: ts.SourceFile,
  diagnostics: readonly ts.Diagnostic[],
): ts.Diagnostic[] {
  const checker = program.getTypeChecker();
  const out: ts.Diagnostic[] = [];
  const reworded = new Set<ts.Node>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.file !== source || diagnostic.start === undefined) {
      out.push(diagnostic);
      continue;
    }
    const habit = findHabit(checker, source, diagnostic);
    if (!habit) {
      out.push(diagnostic);
      continue;
    }
    if (reworded.has(habit.node)) continue; // `a * b` is two errors in TypeScript, one habit here
    reworded.add(habit.node);
    out.push({ ...diagnostic, messageText: habit.message });
  }
  // a == b between tensors is legal JavaScript that compares which object, never the values.
  for (const node of looseEqualities(checker, source)) {
    if (reworded.has(node)) continue;
    const start = node.getStart(source);
    const habit = operatorHabit(checker, source, node)!;
    out.push({
      category: typescript.DiagnosticCategory.Error,
      code: 2367,
      file: source,
      start,
      length: node.getEnd() - start,
      messageText: `${habit.message} (${node.operatorToken.getText(source)} on objects asks whether they are the same object; === says so on purpose.)`,
    });
  }
  for (const node of uncalledSizes(checker, source)) {
    if (reworded.has(node)) continue;
    const start = node.getStart(source);
    out.push({
      category: typescript.DiagnosticCategory.Error,
      code: 2349,
      file: source,
      start,
      length: node.getEnd() - start,
      messageText: sizeAdvice(node, source),
    });
  }
  return out;
}

interface Habit {
  node: ts.Node;
  message: string;
}

function findHabit(checker: ts.TypeChecker, source: ts.SourceFile, diagnostic: ts.Diagnostic): Habit | undefined {
  const start = diagnostic.start!;
  const end = start + (diagnostic.length ?? 0);
  let found: Habit | undefined;
  const visit = (node: ts.Node): void => {
    if (found || node.getStart(source) > start || node.getEnd() < end) return;
    typescript.forEachChild(node, visit); // the innermost node first
    if (found) return;
    if (isUncalledSize(checker, node)) found = { node, message: sizeAdvice(node, source) };
    else if (isUncalledMethod(checker, node)) found = { node, message: methodAdvice(node, source) };
    else if (typescript.isBinaryExpression(node) && OPERATOR_ERRORS.has(diagnostic.code))
      found = operatorHabit(checker, source, node);
    else if (MISSING_MEMBER.has(diagnostic.code) && typescript.isPropertyAccessExpression(node))
      found = missingMemberHabit(checker, source, node);
    else if (diagnostic.code === 2345 && node.getStart(source) === start && node.getEnd() === end)
      found = moduleArgumentHabit(checker, source, node);
  };
  visit(source);
  return found;
}

/** TypeScript's "Property 'x' does not exist on type 'T'" (and its "Did you mean" form). */
const MISSING_MEMBER = new Set([2339, 2551]);

/** PyTorch members this library spells another way, or has no need of (one device: the CPU). */
const PYTORCH_MEMBERS: Record<string, (target: string) => string> = {
  numpy: (t) => `write ${t}.toArray() for nested arrays, or ${t}.data for the flat typed array (PyTorch's .numpy())`,
  tolist: (t) => `write ${t}.toArray()`,
  nelement: (t) => `write ${t}.numel()`,
  cpu: () => "tsgrad computes on the CPU only: leave out .cpu()",
  cuda: () => "tsgrad computes on the CPU only: leave out .cuda()",
  view_as: (t) => `write ${t}.view(other.shape)`,
  mT: (t) => `write ${t}.transpose(-2, -1)`,
};

function missingMemberHabit(
  checker: ts.TypeChecker,
  source: ts.SourceFile,
  node: ts.PropertyAccessExpression,
): Habit | undefined {
  const advice = PYTORCH_MEMBERS[node.name.text];
  const receiver = checker.getTypeAtLocation(node.expression);
  if (!advice || !(isTensor(checker, node.expression) || isModule(checker, receiver))) return undefined;
  const what = isTensor(checker, node.expression) ? "a Tensor" : "a module";
  return {
    node,
    message: `${node.name.text} is not a member of ${what}: ${advice(operand(node.expression, source))}.`,
  };
}

/** TypeScript's errors for an operator on operands it has no arithmetic or comparison for. */
const OPERATOR_ERRORS = new Set([2362, 2363, 2365, 2367]);

function operatorHabit(checker: ts.TypeChecker, source: ts.SourceFile, node: ts.BinaryExpression): Habit | undefined {
  for (const side of [node.left, node.right]) {
    const inner = typescript.skipPartiallyEmittedExpressions(skipParentheses(side));
    if (isUncalledSize(checker, inner)) return { node: inner, message: sizeAdvice(inner, source) };
    if (isUncalledMethod(checker, inner)) return { node: inner, message: methodAdvice(inner, source) };
  }
  const operator = typescript.tokenToString(node.operatorToken.kind) ?? "";
  const leftTensor = isTensor(checker, node.left);
  const rightTensor = isTensor(checker, node.right);
  if (!leftTensor && !rightTensor) return undefined;
  const left = operand(node.left, source);
  const right = operand(node.right, source);
  const written = `${node.left.getText(source)} ${operator} ${node.right.getText(source)}`;
  const general = `JavaScript has no operators on tensors (${ALL_METHODS})`;
  const compound = COMPOUND[operator];
  if (compound && leftTensor) {
    return {
      node,
      message: `${general}: write ${left} = ${left}.${compound}(${node.right.getText(source)}) for ${written}, or ${left}.${compound}_(${node.right.getText(source)}) to change it in place (inside noGrad for a parameter).`,
    };
  }
  const method = METHODS[operator];
  if (!method) {
    return {
      node,
      message: `${general}: ${operator} has no tensor method; work on the values with .data or .toArray().`,
    };
  }
  let fix: string;
  if (leftTensor) fix = `${left}.${method}(${node.right.getText(source)})`;
  else if (method === "pow") fix = `${right}.rpow(${node.left.getText(source)})`;
  else if (FLIPPED[method]) fix = `${right}.${FLIPPED[method]}(${node.left.getText(source)})`;
  else fix = `${method}(${node.left.getText(source)}, ${node.right.getText(source)})`;
  return { node, message: `${general}: write ${fix} for ${written}.` };
}

/** A module where its parameters are expected: `new optim.SGD(model, …)`, `model.parameters` uncalled. */
function moduleArgumentHabit(checker: ts.TypeChecker, source: ts.SourceFile, node: ts.Node): Habit | undefined {
  if (!typescript.isExpression(node)) return undefined;
  const expected = checker.getContextualType(node);
  if (!expected) return undefined;
  const text = node.getText(source);
  const type = checker.getTypeAtLocation(node);
  if (
    isModule(checker, type) &&
    parametersFit(checker, checker.getTypeOfSymbol(type.getProperty("parameters")!), expected)
  ) {
    return {
      node,
      message: `${text} is a module; this takes its parameters (tensors): write ${operand(node, source)}.parameters(), as in PyTorch's model.parameters().`,
    };
  }
  if (
    typescript.isPropertyAccessExpression(node) &&
    node.name.text === "parameters" &&
    isModule(checker, checker.getTypeAtLocation(node.expression)) &&
    parametersFit(checker, type, expected)
  ) {
    return { node, message: `parameters is a method: write ${text}() (the call gives the list of tensors).` };
  }
  return undefined;
}

/** Whether what `parameters()` returns (`Tensor[]`) is what the call wanted. */
function parametersFit(checker: ts.TypeChecker, method: ts.Type, expected: ts.Type): boolean {
  const [signature] = method.getCallSignatures();
  return signature !== undefined && checker.isTypeAssignableTo(checker.getReturnTypeOfSignature(signature), expected);
}

function looseEqualities(checker: ts.TypeChecker, source: ts.SourceFile): ts.BinaryExpression[] {
  const found: ts.BinaryExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (
      typescript.isBinaryExpression(node) &&
      (node.operatorToken.kind === typescript.SyntaxKind.EqualsEqualsToken ||
        node.operatorToken.kind === typescript.SyntaxKind.ExclamationEqualsToken) &&
      (isTensor(checker, node.left) || isTensor(checker, node.right)) &&
      !isNullish(checker, node.left) &&
      !isNullish(checker, node.right) // x.grad == null is the JavaScript idiom
    )
      found.push(node);
    typescript.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isNullish(checker: ts.TypeChecker, node: ts.Expression): boolean {
  return (checker.getTypeAtLocation(node).flags & (typescript.TypeFlags.Null | typescript.TypeFlags.Undefined)) !== 0;
}

function uncalledSizes(checker: ts.TypeChecker, source: ts.SourceFile): ts.PropertyAccessExpression[] {
  const found: ts.PropertyAccessExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (isUncalledSize(checker, node)) found.push(node);
    typescript.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `t.size` read as a value: not called, not `typeof t.size`, not `t.size.bind(t)`. */
function isUncalledSize(checker: ts.TypeChecker, node: ts.Node): node is ts.PropertyAccessExpression {
  if (!typescript.isPropertyAccessExpression(node) || node.name.text !== "size") return false;
  const parent = node.parent;
  if (typescript.isCallExpression(parent) && parent.expression === node) return false;
  if (typescript.isTypeOfExpression(parent) || typescript.isPropertyAccessExpression(parent)) return false;
  if (typescript.isNonNullExpression(parent) || typescript.isParenthesizedExpression(parent)) return false;
  return isTensor(checker, node.expression);
}

/** `loss.item * 2`: a tensor's method read without the call where TypeScript found a mistake. */
function isUncalledMethod(checker: ts.TypeChecker, node: ts.Node): node is ts.PropertyAccessExpression {
  if (!typescript.isPropertyAccessExpression(node) || !isTensor(checker, node.expression)) return false;
  const parent = node.parent;
  if (typescript.isCallExpression(parent) && parent.expression === node) return false;
  return checker.getTypeAtLocation(node).getCallSignatures().length > 0;
}

function methodAdvice(node: ts.PropertyAccessExpression, source: ts.SourceFile): string {
  const name = node.name.text;
  return `${name} is a method: write ${operand(node.expression, source)}.${name}()${name === "item" ? " for the number" : ""}.`;
}

function sizeAdvice(node: ts.PropertyAccessExpression, source: ts.SourceFile): string {
  const target = operand(node.expression, source);
  return `size is a method, as in PyTorch: write ${target}.numel() for the number of elements, ${target}.size() for the shape (${target}.shape), ${target}.size(0) for one dimension.`;
}

function skipParentheses(node: ts.Expression): ts.Expression {
  return typescript.isParenthesizedExpression(node) ? skipParentheses(node.expression) : node;
}

/** The operand's text, in parentheses unless it already reads as one term (`x`, `x.y`, `f(x)`). */
function operand(node: ts.Expression, source: ts.SourceFile): string {
  const text = node.getText(source);
  const simple =
    typescript.isIdentifier(node) ||
    typescript.isPropertyAccessExpression(node) ||
    typescript.isElementAccessExpression(node) ||
    typescript.isCallExpression(node) ||
    typescript.isParenthesizedExpression(node) ||
    typescript.isNonNullExpression(node) ||
    typescript.isNumericLiteral(node);
  return simple ? text : `(${text})`;
}

function isTensor(checker: ts.TypeChecker, expression: ts.Expression): boolean {
  const symbol = checker.getNonNullableType(checker.getTypeAtLocation(expression)).getSymbol();
  return symbol?.getName() === "Tensor" && isEngineTensorSymbol(symbol);
}

function isEngineTensorSymbol(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some((d) => /[\\/]engine[\\/]tensor\.(d\.)?ts$/.test(d.getSourceFile().fileName));
}

/** A class that extends the engine's nn.Module (a user's `Net`, `nn.Linear`, `nn.Sequential` …). */
function isModule(checker: ts.TypeChecker, type: ts.Type): boolean {
  const seen = new Set<ts.Type>();
  const walk = (t: ts.Type): boolean => {
    if (seen.has(t)) return false;
    seen.add(t);
    const symbol = t.getSymbol();
    if (
      symbol?.getName() === "Module" &&
      (symbol.declarations ?? []).some((d) =>
        /[\\/]engine[\\/]nn[\\/]module\.(d\.)?ts$/.test(d.getSourceFile().fileName),
      )
    )
      return true;
    if (
      !(t.flags & typescript.TypeFlags.Object) ||
      !((t as ts.ObjectType).objectFlags & typescript.ObjectFlags.ClassOrInterface)
    )
      return false;
    return (checker.getBaseTypes(t as ts.InterfaceType) ?? []).some(walk);
  };
  return walk(type);
}
