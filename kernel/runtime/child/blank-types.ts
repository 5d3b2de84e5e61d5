// TypeScript's type syntax turned into spaces, so what is left is the JavaScript that runs, every
// character still in its place (plain-script.ts; the idea of Bloomberg's ts-blank-space). Only the
// common forms: annotations of variables, parameters and return types, `as`, `satisfies`, `x!`,
// type arguments and parameters, `interface` and `type` statements. Anything else TypeScript
// would have to rewrite (enums, namespaces, parameter properties, a typed class, `<T>x`,
// overloads, `declare`, a `this` parameter) leaves the cell to the emitter.
import type ts from "typescript";
import { typescript } from "./typescript.js";

/** A span of the cell to replace by text of the same length. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

const K = typescript.SyntaxKind;
const CONTAINS_TYPESCRIPT = (typescript as unknown as { TransformFlags: { ContainsTypeScript: number } }).TransformFlags
  .ContainsTypeScript;

/** Found something only the emitter can rewrite. */
class NeedsEmitter extends Error {}

/**
 * The edits that blank `source`'s types (`code` is its text), or undefined when some TypeScript
 * syntax is not one of the forms blanked. Walks only the subtrees that contain TypeScript.
 */
export function blankTypes(source: ts.SourceFile, code: string): Edit[] | undefined {
  const edits: Edit[] = [];
  const blank = (start: number, end: number) => {
    if (start < end) edits.push({ start, end, text: code.slice(start, end).replace(/[^\r\n]/g, " ") });
  };
  const stack: ts.Node[] = [source];
  const pushTyped = (node: ts.Node | undefined) => {
    if (node && hasTypeScript(node)) stack.push(node);
  };
  try {
    for (let node = stack.pop(); node; node = stack.pop()) {
      switch (node.kind) {
        case K.InterfaceDeclaration:
        case K.TypeAliasDeclaration:
          if ((node as ts.Statement & { modifiers?: unknown }).modifiers) throw new NeedsEmitter();
          // An empty statement where it stood: what follows must not join the statement before.
          blank(node.getStart(source), node.end);
          edits[edits.length - 1]!.text = `;${edits[edits.length - 1]!.text.slice(1)}`;
          continue;
        case K.VariableDeclaration: {
          const declaration = node as ts.VariableDeclaration;
          if (declaration.type) blank(declaration.name.end, declaration.type.end); // `!: T` too
          pushTyped(declaration.name);
          pushTyped(declaration.initializer);
          continue;
        }
        case K.Parameter: {
          const parameter = node as ts.ParameterDeclaration;
          // `constructor(public x)` and `this: T` need more than blanks.
          if (parameter.modifiers || (parameter.name.kind === K.Identifier && parameter.name.text === "this"))
            throw new NeedsEmitter();
          const typeEnd = parameter.type?.end ?? parameter.questionToken?.end;
          if (typeEnd !== undefined) blank(parameter.name.end, typeEnd);
          pushTyped(parameter.name);
          pushTyped(parameter.initializer);
          continue;
        }
        case K.FunctionDeclaration:
        case K.FunctionExpression:
        case K.ArrowFunction:
        case K.MethodDeclaration:
        case K.GetAccessor:
        case K.SetAccessor: {
          const fn = node as ts.FunctionLikeDeclaration;
          // An overload. (A method is an object literal's: a class with types goes to the emitter
          // before its members are reached.)
          if (!fn.body) throw new NeedsEmitter();
          if (fn.typeParameters) blankAngles(fn.typeParameters, code, blank);
          if (fn.type) {
            const colon = fn.type.pos - 1;
            if (code[colon] !== ":") throw new NeedsEmitter();
            // `(a):\n T => a` without its type puts a line break before `=>`: a syntax error.
            if (node.kind === K.ArrowFunction && /[\r\n]/.test(code.slice(colon, fn.type.end)))
              throw new NeedsEmitter();
            blank(colon, fn.type.end);
          }
          for (const parameter of fn.parameters) pushTyped(parameter);
          pushTyped(fn.name);
          pushTyped(fn.body);
          continue;
        }
        case K.AsExpression:
        case K.SatisfiesExpression: {
          const expression = (node as ts.AsExpression | ts.SatisfiesExpression).expression;
          blank(expression.end, node.end);
          checkNoContinuation(code, node.end);
          pushTyped(expression);
          continue;
        }
        case K.NonNullExpression:
          if (code[node.end - 1] !== "!") throw new NeedsEmitter();
          blank(node.end - 1, node.end);
          checkNoContinuation(code, node.end);
          pushTyped((node as ts.NonNullExpression).expression);
          continue;
        case K.ExpressionWithTypeArguments: // `f<T>` as a value; its type arguments go as a call's do
        case K.CallExpression:
        case K.NewExpression:
        case K.TaggedTemplateExpression: {
          // (A class's or an interface's `extends` is not reached: see above.)
          if (node.kind === K.ExpressionWithTypeArguments) checkNoContinuation(code, node.end);
          const typeArguments = (node as ts.CallExpression).typeArguments;
          if (typeArguments) blankAngles(typeArguments, code, blank);
          typescript.forEachChild(node, (child) => {
            if (child.kind < K.FirstTypeNode || child.kind > K.LastTypeNode) pushTyped(child);
          });
          continue;
        }
        default:
          // TypeScript syntax of any other form (a type where it was not expected, an enum, a class…).
          if (isTypeScriptOnly(node)) throw new NeedsEmitter();
          typescript.forEachChild(node, pushTyped);
      }
    }
  } catch (error) {
    if (error instanceof NeedsEmitter) return undefined;
    throw error;
  }
  return edits;
}

function hasTypeScript(node: ts.Node): boolean {
  return ((node as { transformFlags?: number }).transformFlags! & CONTAINS_TYPESCRIPT) !== 0;
}

/** Kinds that are TypeScript's own: reaching one outside the forms above sends the cell to the emitter. */
function isTypeScriptOnly(node: ts.Node): boolean {
  if (node.kind >= K.FirstTypeNode && node.kind <= K.LastTypeNode) return true;
  switch (node.kind) {
    case K.ClassDeclaration:
    case K.ClassExpression:
    case K.EnumDeclaration:
    case K.ModuleDeclaration:
    case K.ImportEqualsDeclaration:
    case K.TypeAssertionExpression:
    case K.Decorator:
    case K.TypeParameter:
    case K.HeritageClause:
    case K.PropertyDeclaration:
    case K.IndexSignature:
    case K.Constructor:
    case K.ExportAssignment:
    case K.ExportDeclaration:
    case K.ImportDeclaration:
    case K.MissingDeclaration:
    case K.JsxElement:
      return true;
  }
  // A modifier only TypeScript has (`declare`, `abstract`, `public`, `readonly`, …) on anything.
  const modifiers = (node as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers;
  return modifiers?.some((m) => m.kind !== K.AsyncKeyword && m.kind !== K.ExportKeyword) ?? false;
}

/** Blanks `<…>` around a list of type arguments or parameters (the list spans what is inside). */
function blankAngles(list: ts.NodeArray<ts.Node>, code: string, blank: (start: number, end: number) => void): void {
  const open = list.pos - 1;
  const close = nextNonSpace(code, list.end);
  if (code[open] !== "<" || code[close] !== ">") throw new NeedsEmitter();
  blank(open, close + 1);
}

const SPACES = /\s*/y;

/** The offset of the first character at or after `from` that is not white space (or the length). */
function nextNonSpace(code: string, from: number): number {
  SPACES.lastIndex = from;
  SPACES.exec(code);
  return SPACES.lastIndex;
}

const CONTINUES = /(?:in|instanceof)\b/y;

/**
 * Refuses a blank that ends an expression when the next line could continue it: TypeScript ended
 * the statement there (`x as T` then `(y)` on the next line), JavaScript would not (`x (y)`).
 */
function checkNoContinuation(code: string, end: number): void {
  const next = nextNonSpace(code, end);
  if (next >= code.length || !/[\n\r\u2028\u2029]/.test(code.slice(end, next))) return; // same line, or the end
  CONTINUES.lastIndex = next;
  if (!/[\w$;})\],'"]/.test(code[next]!) || CONTINUES.test(code)) throw new NeedsEmitter();
}
