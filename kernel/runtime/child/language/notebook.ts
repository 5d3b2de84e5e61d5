// The notebook as the type checker sees it: the cells that ran, holding only their top-level
// declarations, in two files.
//
// Most declarations (`const x = …`, `function f`, `class C`, `interface I`) go into the history
// script, a file that is not a module, so each of its declarations is a global as the runtime
// makes it one (hoist.ts), with one syntax tree and one symbol per name. The rest goes into the
// history module, each exported, and a declarations file makes every name it exports a global:
// a variable as `var name: typeof history.name` (later cells may assign it; a `const` stays
// `const`), anything else as `export import name = history.name` (a value, a type and a
// namespace at once). That is the statements a script cannot hold (imports, `export`,
// `declare global`, `declare module "m"`, which augments a module only from a module) and the
// ones with a declaration renamed (below). Through the module and its globals file, a name
// costs two declarations, their syntax trees and three symbols: a long session's cells each
// kept 6.7 KiB of the checker's heap that way, 3.1 KiB in the script.
//
// The cell being checked is a module of its own, so checking it checks only it: what it uses
// of the history is resolved on demand, and the history's text (and parse) stays the same while
// the user types.
//
// At run time a later cell may declare a name again and the new value wins. In the history
// that would be "Cannot redeclare", so the earlier declaration is left out (or, when it shares
// a statement with names still visible, renamed out of the way in the module, where the new
// name stays out of the global scope). The cell being checked may declare any name: its module
// scope hides the global.
//
// Only declaration statements are kept: the rest would cost checking time and could end the
// history's control flow (`while (true)`, `process.exit()`), after which TypeScript types
// every later name as `never`.
import type ts from "typescript";
import { typescript } from "../typescript.js";

/** One name a top-level statement declares, and how to rename it in place. */
interface Declaration {
  name: string;
  /** Offsets in the cell. */
  start: number;
  end: number;
  /** `{ a }` in a destructuring or an import needs `a: renamed` / `a as renamed`. */
  form: "plain" | "shorthandBinding" | "importSpecifier";
}

/** A top-level declaration statement of a cell that ran, with its leading comments (docs). */
interface DeclarationStatement {
  text: string;
  /** Where `text` starts in the cell. */
  offset: number;
  /** Where the statement proper (after comments) starts in `text`: `export ` goes there. */
  bodyStart: number;
  /** How it is exported: add `export `, list the imported names after it, as it is, or not at all. */
  exporting: "prefix" | "importedNames" | "already" | "none";
  variableKind: "var" | "const" | undefined;
  /** Whether it may stand in the history script: it neither imports nor exports. */
  scriptable: boolean;
  declarations: Declaration[];
}

/** The history's two files and the names that become globals. */
export interface History {
  /** Declarations that are globals by themselves (a file that is not a module). */
  script: string;
  /** Declarations exported, and made globals by the declarations `historyGlobalsDeclaration` writes. */
  module: string;
  /** Every name a recorded cell declared that is still visible. */
  globals: string[];
  /** Those of `globals` that the module exports. */
  moduleGlobals: string[];
  /** Those of `moduleGlobals` declared by `let` or `var` (mutable) or `const`. */
  variables: Map<string, "var" | "const">;
}

// After each statement: a statement without a semicolon must not run into the next.
const SEPARATOR = "\n;\n";
// In the script every statement is a declaration, which starts with a keyword (`const`,
// `function`, `class`, …) or a decorator, never a token that continues an expression: a line
// break is enough, and the empty statement `;` would cost a syntax tree node per declaration.
const SCRIPT_SEPARATOR = "\n";

/** Names that never shadow: `declare global { … }` blocks add to the global scope. */
const GLOBAL_AUGMENTATION = "global";

export class NotebookCells {
  private readonly cells: DeclarationStatement[][] = [];
  private cached: History | undefined;

  /** Records a cell that ran. */
  add(code: string): void {
    const source = parseCell(code);
    const statements: DeclarationStatement[] = [];
    for (const statement of source.statements) {
      const declarations = declarationsOf(statement, source);
      if (declarations.length === 0) continue;
      const offset = statement.getFullStart();
      const exporting = exportingOf(statement);
      statements.push({
        text: code.slice(offset, statement.getEnd()),
        offset,
        bodyStart: statement.getStart(source) - offset,
        exporting,
        scriptable: exporting === "prefix" && !typescript.isImportEqualsDeclaration(statement),
        variableKind: variableKindOf(statement),
        declarations,
      });
    }
    this.cells.push(statements);
    this.cached = undefined;
  }

  /** The history: every visible declaration of the recorded cells. */
  history(): History {
    if (this.cached) return this.cached;
    const declaredLater = new Set<string>();
    const scriptParts: string[] = [];
    const moduleParts: string[] = [];
    const globals: string[] = [];
    const moduleGlobals: string[] = [];
    const variables = new Map<string, "var" | "const">();
    for (let index = this.cells.length - 1; index >= 0; index--) {
      const statements = this.cells[index]!;
      const inScript: string[] = [];
      const inModule: string[] = [];
      for (const statement of statements) {
        const shadowed = statement.declarations.filter(
          (d) => declaredLater.has(d.name) && d.name !== GLOBAL_AUGMENTATION,
        );
        if (shadowed.length === statement.declarations.length) continue;
        const visible = statement.declarations.filter((d) => !shadowed.includes(d)).map((d) => d.name);
        if (statement.scriptable && shadowed.length === 0) {
          inScript.push(statement.text);
          globals.push(...visible);
          continue;
        }
        inModule.push(exported(statement, renameDeclarations(statement, shadowed, index), shadowed, index));
        if (statement.exporting !== "none") {
          globals.push(...visible);
          moduleGlobals.push(...visible);
          if (statement.variableKind) for (const name of visible) variables.set(name, statement.variableKind);
        }
      }
      scriptParts.push(inScript.map((text) => text + SCRIPT_SEPARATOR).join(""));
      moduleParts.push(inModule.map((text) => text + SEPARATOR).join(""));
      for (const statement of statements)
        for (const declaration of statement.declarations) declaredLater.add(declaration.name);
    }
    const named = (names: string[]) => [...new Set(names)].filter((name) => name !== GLOBAL_AUGMENTATION);
    this.cached = {
      script: scriptParts.reverse().join(""),
      // An empty history module is still a module (the globals file imports it).
      module: `${moduleParts.reverse().join("")}export {};\n`,
      globals: named(globals),
      moduleGlobals: named(moduleGlobals),
      variables,
    };
    return this.cached;
  }
}

/** `const a = 1` → `export const a = 1`; an import is followed by `export { its, names }`. */
function exported(statement: DeclarationStatement, text: string, shadowed: Declaration[], cellIndex: number): string {
  if (statement.exporting === "prefix")
    return `${text.slice(0, statement.bodyStart)}export ${text.slice(statement.bodyStart)}`;
  if (statement.exporting === "importedNames") {
    const names = statement.declarations.map((d) => (shadowed.includes(d) ? shadowedName(d.name, cellIndex) : d.name));
    return `${text}\nexport { ${names.join(", ")} };`;
  }
  return text;
}

function variableKindOf(statement: ts.Statement): "var" | "const" | undefined {
  if (!typescript.isVariableStatement(statement)) return undefined;
  return statement.declarationList.flags & typescript.NodeFlags.Const ? "const" : "var";
}

function exportingOf(statement: ts.Statement): DeclarationStatement["exporting"] {
  if (typescript.isImportDeclaration(statement)) return "importedNames";
  if (typescript.isModuleDeclaration(statement) && !typescript.isIdentifier(statement.name)) return "none";
  if (typescript.isModuleDeclaration(statement) && statement.name.text === GLOBAL_AUGMENTATION) return "none";
  const modifiers = typescript.canHaveModifiers(statement) ? (typescript.getModifiers(statement) ?? []) : [];
  if (modifiers.some((m) => m.kind === typescript.SyntaxKind.DefaultKeyword)) return "none";
  if (modifiers.some((m) => m.kind === typescript.SyntaxKind.ExportKeyword)) return "already";
  return "prefix";
}

/** Parses a cell as a module (top-level await, imports). */
export function parseCell(code: string): ts.SourceFile {
  return typescript.createSourceFile(
    "cell.ts",
    code,
    {
      languageVersion: typescript.ScriptTarget.ES2022,
      impliedNodeFormat: typescript.ModuleKind.ESNext,
    },
    false,
    typescript.ScriptKind.TS,
  );
}

/** A name nobody types: `model` declared in cell 2 and again later becomes `model$shadowed2`. */
export function shadowedName(name: string, cellIndex: number): string {
  return `${name}$shadowed${cellIndex}`;
}

function renameDeclarations(statement: DeclarationStatement, shadowed: Declaration[], cellIndex: number): string {
  let text = statement.text;
  // From the end, so earlier offsets stay valid.
  for (const declaration of [...shadowed].sort((a, b) => b.start - a.start)) {
    const start = declaration.start - statement.offset;
    const end = declaration.end - statement.offset;
    const renamed = shadowedName(declaration.name, cellIndex);
    const replacement =
      declaration.form === "shorthandBinding"
        ? `${declaration.name}: ${renamed}`
        : declaration.form === "importSpecifier"
          ? `${declaration.name} as ${renamed}`
          : renamed;
    text = text.slice(0, start) + replacement + text.slice(end);
  }
  return text;
}

/** Every name a top-level statement declares (values, types, imports). */
function declarationsOf(statement: ts.Statement, source: ts.SourceFile): Declaration[] {
  const found: Declaration[] = [];
  const add = (name: ts.Identifier, form: Declaration["form"] = "plain") =>
    found.push({ name: name.text, start: name.getStart(source), end: name.getEnd(), form });
  if (typescript.isVariableStatement(statement)) {
    for (const declaration of statement.declarationList.declarations) addBindingNames(declaration.name, add);
  } else if (
    typescript.isFunctionDeclaration(statement) ||
    typescript.isClassDeclaration(statement) ||
    typescript.isInterfaceDeclaration(statement) ||
    typescript.isTypeAliasDeclaration(statement) ||
    typescript.isEnumDeclaration(statement) ||
    typescript.isImportEqualsDeclaration(statement)
  ) {
    if (statement.name) add(statement.name);
  } else if (typescript.isModuleDeclaration(statement)) {
    if (typescript.isIdentifier(statement.name)) add(statement.name);
  } else if (typescript.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (clause?.name) add(clause.name);
    const bindings = clause?.namedBindings;
    if (bindings && typescript.isNamespaceImport(bindings)) add(bindings.name);
    if (bindings && typescript.isNamedImports(bindings)) {
      for (const element of bindings.elements) add(element.name, element.propertyName ? "plain" : "importSpecifier");
    }
  }
  return found;
}

function addBindingNames(name: ts.BindingName, add: (name: ts.Identifier, form?: Declaration["form"]) => void): void {
  if (typescript.isIdentifier(name)) return add(name);
  for (const element of name.elements) {
    if (typescript.isOmittedExpression(element)) continue;
    if (typescript.isIdentifier(element.name)) {
      const shorthand = typescript.isObjectBindingPattern(name) && !element.propertyName && !element.dotDotDotToken;
      add(element.name, shorthand ? "shorthandBinding" : "plain");
    } else {
      addBindingNames(element.name, add);
    }
  }
}
