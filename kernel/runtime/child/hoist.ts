// The transformer that makes a compiled cell behave like a REPL entry (see transpile.ts):
// top-level declarations become globals that a re-run may replace, the body runs inside an
// async arrow (top-level await), imports become awaited dynamic imports resolved by the
// runtime, and the last expression statement is returned as the cell's value.
import type ts from "typescript";
import { RUNTIME_GLOBAL } from "./runtime-global.js";
import { typescript } from "./typescript.js";

export { RUNTIME_GLOBAL };

type Factory = ts.NodeFactory;

/** Builds the "after" transformer; the names the cell declares are pushed onto `declaredNames`. */
export function hoistCell(declaredNames: string[]): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (sourceFile) => {
    const f = context.factory;
    const names = new Set<string>();
    const hoistedFunctions: ts.Statement[] = [];
    const body: ts.Statement[] = [];
    let lastIsExpression = false;

    for (const original of sourceFile.statements) {
      const statement = rewriteDynamicImports(original, context) as ts.Statement;
      if (typescript.isExportDeclaration(statement)) continue; // `export {}` / `export { a }`: cells share everything already
      lastIsExpression = false;
      if (typescript.isImportDeclaration(statement)) {
        body.push(...importToAssignment(f, statement, names));
      } else if (typescript.isVariableStatement(statement)) {
        body.push(...variableToAssignments(f, statement, names));
      } else if (typescript.isFunctionDeclaration(statement) && statement.name) {
        names.add(statement.name.text);
        hoistedFunctions.push(withoutExportModifiers(f, statement));
      } else if (typescript.isClassDeclaration(statement) && statement.name) {
        names.add(statement.name.text);
        body.push(classToAssignment(f, statement));
      } else if (typescript.isFunctionDeclaration(statement) || typescript.isClassDeclaration(statement)) {
        // `export default function () {}` / `class {}`: nameless, so only a value.
        body.push(keepPosition(f.createExpressionStatement(anonymousAsExpression(f, statement)), statement));
        lastIsExpression = true;
      } else if (typescript.isExportAssignment(statement)) {
        body.push(keepPosition(f.createExpressionStatement(statement.expression), statement));
        lastIsExpression = true;
      } else {
        body.push(statement);
        lastIsExpression = typescript.isExpressionStatement(statement);
      }
    }

    const last = body.at(-1);
    if (
      lastIsExpression &&
      last &&
      typescript.isExpressionStatement(last) &&
      !typescript.isVoidExpression(last.expression)
    ) {
      body[body.length - 1] = keepPosition(returnValue(f, last.expression), last);
    }

    declaredNames.push(...names);
    const prologue: ts.Statement[] = [];
    if (names.size > 0) {
      prologue.push(
        f.createVariableStatement(
          undefined,
          f.createVariableDeclarationList(
            [...names].map((name) => f.createVariableDeclaration(name)),
            typescript.NodeFlags.None,
          ),
        ),
      );
    }
    const wrapper = f.createExpressionStatement(
      f.createCallExpression(
        f.createParenthesizedExpression(
          f.createArrowFunction(
            [f.createModifier(typescript.SyntaxKind.AsyncKeyword)],
            undefined,
            [],
            undefined,
            f.createToken(typescript.SyntaxKind.EqualsGreaterThanToken),
            f.createBlock(body, true),
          ),
        ),
        undefined,
        [],
      ),
    );
    return f.updateSourceFile(sourceFile, [...prologue, ...hoistedFunctions, wrapper]);
  };
}

/** `return { value: expr }`: wrapped, so a Promise-valued last expression is not awaited. */
function returnValue(f: Factory, expression: ts.Expression): ts.Statement {
  return f.createReturnStatement(f.createObjectLiteralExpression([f.createPropertyAssignment("value", expression)]));
}

function keepPosition<T extends ts.Node>(node: T, original: ts.Node): T {
  typescript.setOriginalNode(node, original);
  typescript.setTextRange(node, original);
  typescript.setSourceMapRange(node, original);
  typescript.setCommentRange(node, original);
  return node;
}

function runtimeCall(f: Factory, method: string, args: ts.Expression[]): ts.Expression {
  return f.createCallExpression(
    f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_GLOBAL), method),
    undefined,
    args,
  );
}

/** `import(x)` → `__tsgrad.importModule(x)`: vm scripts have no module loader of their own. */
function rewriteDynamicImports(node: ts.Node, context: ts.TransformationContext): ts.Node {
  // The walk recurses once per level of the tree (a sum of 20,000 terms overflowed the stack):
  // only statements whose text says `import` are walked.
  const original = typescript.getOriginalNode(node);
  if (original.pos >= 0 && !original.getSourceFile().text.slice(original.pos, original.end).includes("import"))
    return node;
  const f = context.factory;
  const visit = (child: ts.Node): ts.Node => {
    if (typescript.isCallExpression(child) && child.expression.kind === typescript.SyntaxKind.ImportKeyword) {
      const args = child.arguments.map((arg) => typescript.visitNode(arg, visit) as ts.Expression);
      return keepPosition(runtimeCall(f, "importModule", args), child);
    }
    return typescript.visitEachChild(child, visit, context);
  };
  return visit(node);
}

/**
 * `import d, { a as b } from "m"` → `({ default: d, a: b } = __tsgrad.interop(await __tsgrad.importModule("m")))`;
 * `import * as ns from "m"` → `ns = await __tsgrad.importModule("m")`; `import "m"` → `await ...`.
 */
function importToAssignment(f: Factory, node: ts.ImportDeclaration, names: Set<string>): ts.Statement[] {
  const loaded = f.createAwaitExpression(
    runtimeCall(f, "importModule", [node.moduleSpecifier, ...importOptions(f, node)]),
  );
  const clause = node.importClause;
  if (!clause) return [keepPosition(f.createExpressionStatement(loaded), node)];
  const bindings = clause.namedBindings;
  if (bindings && typescript.isNamespaceImport(bindings)) {
    names.add(bindings.name.text);
    const statements = [assign(f, bindings.name, loaded, node)];
    if (clause.name) {
      names.add(clause.name.text);
      statements.push(
        assign(f, clause.name, runtimeCall(f, "defaultExport", [f.createIdentifier(bindings.name.text)]), node),
      );
    }
    return statements;
  }
  const properties: ts.ObjectLiteralElementLike[] = [];
  if (clause.name) {
    names.add(clause.name.text);
    properties.push(f.createPropertyAssignment("default", f.createIdentifier(clause.name.text)));
  }
  if (bindings && typescript.isNamedImports(bindings)) {
    for (const element of bindings.elements) {
      names.add(element.name.text);
      const imported = element.propertyName ?? element.name;
      properties.push(
        f.createPropertyAssignment(
          typescript.isIdentifier(imported) ? f.createIdentifier(imported.text) : f.createStringLiteral(imported.text),
          f.createIdentifier(element.name.text),
        ),
      );
    }
  }
  const pattern = f.createObjectLiteralExpression(properties);
  return [assign(f, pattern, runtimeCall(f, "interop", [loaded]), node)];
}

/** `with { type: "json" }` → `{ with: { type: "json" } }`, the options of `import()`. */
function importOptions(f: Factory, node: ts.ImportDeclaration): ts.Expression[] {
  const attributes = node.attributes?.elements;
  if (!attributes || attributes.length === 0) return [];
  const entries = attributes.map((a) => f.createPropertyAssignment(f.createStringLiteral(a.name.text), a.value));
  return [
    f.createObjectLiteralExpression([f.createPropertyAssignment("with", f.createObjectLiteralExpression(entries))]),
  ];
}

function assign(f: Factory, target: ts.Expression, value: ts.Expression, original: ts.Node): ts.Statement {
  const expression = f.createAssignment(target, value);
  const wrapped = typescript.isObjectLiteralExpression(target)
    ? f.createParenthesizedExpression(expression)
    : expression;
  return keepPosition(f.createExpressionStatement(wrapped), original);
}

/**
 * `const {a, b: [c]} = v` → `({a, b: [c]} = v)`. A `let` without initializer is reset to
 * undefined (a re-run starts fresh); a bare `var` is not (TypeScript emits `var E;` before
 * merging into an enum or namespace).
 */
function variableToAssignments(f: Factory, node: ts.VariableStatement, names: Set<string>): ts.Statement[] {
  const isVar = (node.declarationList.flags & (typescript.NodeFlags.Let | typescript.NodeFlags.Const)) === 0;
  const statements: ts.Statement[] = [];
  for (const declaration of node.declarationList.declarations) {
    collectBindingNames(declaration.name, names);
    if (!declaration.initializer && (isVar || !typescript.isIdentifier(declaration.name))) continue;
    const target = bindingToAssignmentTarget(f, declaration.name);
    const value = declaration.initializer ?? f.createVoidZero();
    statements.push(assign(f, target, value, declaration));
  }
  return statements;
}

/** Adds the names a declaration binds (`a`, `{ b: [c] }`) to `names`. */
export function collectBindingNames(name: ts.BindingName, names: Set<string>): void {
  // Kinds compared: typescript.isX is a getter call on the compiler's exports, and a large cell
  // (plain-script.ts) calls this 40,000 times.
  if (name.kind === IDENTIFIER) {
    names.add(name.text);
    return;
  }
  for (const element of name.elements) {
    if (element.kind === BINDING_ELEMENT) collectBindingNames(element.name, names);
  }
}

const IDENTIFIER = typescript.SyntaxKind.Identifier;
const BINDING_ELEMENT = typescript.SyntaxKind.BindingElement;

/** A binding pattern (declaration side) as the equivalent assignment pattern. */
function bindingToAssignmentTarget(f: Factory, name: ts.BindingName): ts.Expression {
  if (typescript.isIdentifier(name)) return f.createIdentifier(name.text);
  if (typescript.isObjectBindingPattern(name)) {
    return f.createObjectLiteralExpression(
      name.elements.map((element): ts.ObjectLiteralElementLike => {
        const target = withDefault(f, bindingToAssignmentTarget(f, element.name), element.initializer);
        if (element.dotDotDotToken) return f.createSpreadAssignment(target);
        const key = element.propertyName ?? (element.name as ts.Identifier);
        if (!element.propertyName && typescript.isIdentifier(element.name)) {
          return f.createShorthandPropertyAssignment(element.name.text, element.initializer);
        }
        return f.createPropertyAssignment(propertyKey(f, key), target);
      }),
    );
  }
  return f.createArrayLiteralExpression(
    name.elements.map((element) => {
      if (typescript.isOmittedExpression(element)) return f.createOmittedExpression();
      const target = withDefault(f, bindingToAssignmentTarget(f, element.name), element.initializer);
      return element.dotDotDotToken ? f.createSpreadElement(target) : target;
    }),
  );
}

function propertyKey(f: Factory, key: ts.PropertyName): ts.PropertyName {
  if (typescript.isIdentifier(key)) return f.createIdentifier(key.text);
  if (typescript.isStringLiteral(key)) return f.createStringLiteral(key.text);
  if (typescript.isNumericLiteral(key)) return f.createNumericLiteral(key.text);
  return key;
}

function withDefault(f: Factory, target: ts.Expression, initializer: ts.Expression | undefined): ts.Expression {
  return initializer ? f.createAssignment(target, initializer) : target;
}

/** `class C {}` → `C = class C {}`: a class expression keeps its name for stack traces. */
function classToAssignment(f: Factory, node: ts.ClassDeclaration): ts.Statement {
  const name = node.name!.text;
  const expression = f.createClassExpression(
    node.modifiers?.filter((m) => typescript.isDecorator(m)),
    name,
    node.typeParameters,
    node.heritageClauses,
    node.members,
  );
  return assign(f, f.createIdentifier(name), expression, node);
}

function anonymousAsExpression(f: Factory, node: ts.FunctionDeclaration | ts.ClassDeclaration): ts.Expression {
  const expression = typescript.isFunctionDeclaration(node)
    ? f.createFunctionExpression(
        node.modifiers?.filter((m): m is ts.Modifier => m.kind === typescript.SyntaxKind.AsyncKeyword),
        node.asteriskToken,
        undefined,
        node.typeParameters,
        node.parameters,
        node.type,
        node.body ?? f.createBlock([]),
      )
    : f.createClassExpression(undefined, undefined, node.typeParameters, node.heritageClauses, node.members);
  return f.createParenthesizedExpression(expression);
}

function withoutExportModifiers(f: Factory, node: ts.FunctionDeclaration): ts.FunctionDeclaration {
  const modifiers = node.modifiers?.filter(
    (m) => m.kind !== typescript.SyntaxKind.ExportKeyword && m.kind !== typescript.SyntaxKind.DefaultKeyword,
  );
  return f.updateFunctionDeclaration(
    node,
    modifiers,
    node.asteriskToken,
    node.name,
    node.typeParameters,
    node.parameters,
    node.type,
    node.body,
  );
}
