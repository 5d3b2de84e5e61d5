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
// every later name as `never`. Variables with type annotations keep only those (signatures.ts).
import type ts from "typescript";
import { typescript } from "../typescript.js";
import { groupedSignatures, signatureText, type VariableSignature, variableSignature } from "./signatures.js";

/** One name a top-level statement declares, and how to rename it in place. */
interface Declaration {
  name: string;
  /** Offsets in the statement's text. */
  start: number;
  end: number;
  /** `{ a }` in a destructuring or an import needs `a: renamed` / `a as renamed`. */
  form: "plain" | "shorthandBinding" | "importSpecifier";
}

/**
 * A top-level declaration statement of a cell that ran, as little of it as a long session can
 * keep for every cell (a few hundred bytes: the names, and the text in a copy of its own, since
 * a slice would keep the whole cell's text).
 */
interface RecordedStatement {
  /** The statement with its leading comments (docs). */
  text: string;
  /** Which cell it belongs to: 0, 1, … in the order cells ran. */
  cell: number;
  names: string[];
  /** Whether it may stand in the history script: it neither imports nor exports. */
  scriptable: boolean;
  /**
   * Set when `text` is `declare <kind> a: T, …;` without comments: in the script, one statement
   * holds all of these.
   */
  grouped?: VariableSignature["kind"];
  /** Known from the start for a statement that goes into the module, else parsed again once needed. */
  details?: StatementDetails;
}

/** How to put a statement into the history module. Offsets are in the statement's text. */
interface StatementDetails {
  /** Where the statement proper (after comments) starts: `export ` goes there. */
  bodyStart: number;
  /** How it is exported: add `export `, list the imported names after it, as it is, or not at all. */
  exporting: "prefix" | "importedNames" | "already" | "none";
  variableKind: "var" | "const" | undefined;
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
  private readonly statements: RecordedStatement[] = [];
  private cellCount = 0;
  private cached: History | undefined;

  /** Records a cell that ran. */
  add(code: string): void {
    const cell = this.cellCount++;
    const source = parseCell(code);
    for (const statement of source.statements) {
      const offset = statement.getFullStart();
      const declarations = declarationsOf(statement, source, offset);
      if (declarations.length === 0) continue;
      const details = detailsOf(statement, source, declarations);
      const scriptable = details.exporting === "prefix" && !typescript.isImportEqualsDeclaration(statement);
      const signature = scriptable ? variableSignature(statement, source) : undefined;
      this.statements.push({
        text: copyOf(signature ? signatureText(signature) : code.slice(offset, statement.getEnd())),
        cell,
        names: declarations.map((d) => copyOf(d.name)),
        scriptable,
        ...(scriptable ? {} : { details }),
        ...(signature && !signature.leadingComments ? { grouped: signature.kind } : {}),
      });
    }
    this.cached = undefined;
  }

  /** The history: every visible declaration of the recorded cells. */
  history(): History {
    if (this.cached) return this.cached;
    const declaredLater = new Set<string>();
    const scriptParts: string[] = [];
    const grouped: Pick<VariableSignature, "kind" | "declarations">[] = [];
    const moduleParts: string[] = [];
    const globals: string[] = [];
    const moduleGlobals: string[] = [];
    const variables = new Map<string, "var" | "const">();
    // From the last cell back, a cell's statements at a time: a name declared in a later cell
    // shadows an earlier one, never one of the same cell.
    for (let end = this.statements.length; end > 0; ) {
      const cell = this.statements[end - 1]!.cell;
      let start = end - 1;
      while (start > 0 && this.statements[start - 1]!.cell === cell) start--;
      const statements = this.statements.slice(start, end);
      end = start;
      const inScript: string[] = [];
      const inModule: string[] = [];
      for (const statement of statements) {
        const shadowedNames = statement.names.filter((name) => declaredLater.has(name) && name !== GLOBAL_AUGMENTATION);
        if (shadowedNames.length === statement.names.length) continue;
        const visible = statement.names.filter((name) => !shadowedNames.includes(name));
        if (statement.grouped && shadowedNames.length === 0) {
          const kind = statement.grouped;
          grouped.push({ kind, declarations: statement.text.slice(`declare ${kind} `.length, -1) });
          globals.push(...visible);
          continue;
        }
        if (statement.scriptable && shadowedNames.length === 0) {
          inScript.push(statement.text);
          globals.push(...visible);
          continue;
        }
        const details = (statement.details ??= parsedDetails(statement.text));
        const shadowed = details.declarations.filter((d) => shadowedNames.includes(d.name));
        const renamed = renameDeclarations(statement.text, shadowed, cell);
        inModule.push(exported(details, renamed, shadowed, cell));
        if (details.exporting !== "none") {
          globals.push(...visible);
          moduleGlobals.push(...visible);
          if (details.variableKind) for (const name of visible) variables.set(name, details.variableKind);
        }
      }
      scriptParts.push(inScript.map((text) => text + SCRIPT_SEPARATOR).join(""));
      moduleParts.push(inModule.map((text) => text + SEPARATOR).join(""));
      for (const statement of statements) for (const name of statement.names) declaredLater.add(name);
    }
    const named = (names: string[]) => [...new Set(names)].filter((name) => name !== GLOBAL_AUGMENTATION);
    this.cached = {
      script: groupedSignatures(grouped.reverse()) + scriptParts.reverse().join(""),
      // An empty history module is still a module (the globals file imports it).
      module: `${moduleParts.reverse().join("")}export {};\n`,
      globals: named(globals),
      moduleGlobals: named(moduleGlobals),
      variables,
    };
    return this.cached;
  }
}

function detailsOf(statement: ts.Statement, source: ts.SourceFile, declarations: Declaration[]): StatementDetails {
  return {
    bodyStart: statement.getStart(source) - statement.getFullStart(),
    exporting: exportingOf(statement),
    variableKind: variableKindOf(statement),
    declarations,
  };
}

/** The details of a statement recorded without them: its text parsed again, alone. */
function parsedDetails(text: string): StatementDetails {
  const source = parseCell(text);
  const statement = source.statements[0]!;
  return detailsOf(statement, source, declarationsOf(statement, source, 0));
}

/** A copy of `text` that shares no memory with the string it was sliced from. */
function copyOf(text: string): string {
  // V8 makes a slice of a long string a view that keeps the whole string; a parsed string is new.
  return JSON.parse(JSON.stringify(text)) as string;
}

/** `const a = 1` → `export const a = 1`; an import is followed by `export { its, names }`. */
function exported(statement: StatementDetails, text: string, shadowed: Declaration[], cellIndex: number): string {
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

function exportingOf(statement: ts.Statement): StatementDetails["exporting"] {
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

function renameDeclarations(text: string, shadowed: Declaration[], cellIndex: number): string {
  // From the end, so earlier offsets stay valid.
  for (const declaration of [...shadowed].sort((a, b) => b.start - a.start)) {
    const { start, end } = declaration;
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

/** Every name a top-level statement declares (values, types, imports); offsets less `offset`. */
function declarationsOf(statement: ts.Statement, source: ts.SourceFile, offset: number): Declaration[] {
  const found: Declaration[] = [];
  const add = (name: ts.Identifier, form: Declaration["form"] = "plain") =>
    found.push({ name: name.text, start: name.getStart(source) - offset, end: name.getEnd() - offset, form });
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
