// The notebook as the type checker sees it: one module made of every cell that ran
// successfully, in run order, then the cell being checked. At run time a cell's top-level
// names are globals that a later cell may declare again (hoist.ts); in one module that would
// be "Cannot redeclare", so an earlier declaration of a name declared again later is renamed
// out of the way and the latest declaration is the one every later cell sees, as at run time.
//
// Earlier cells matter only through what they declare, so a cell left with no declaration
// that is still visible (a training loop, a re-run cell) is left out: checking a cell costs
// the same after ten re-runs of the training cell as after one.
import type ts from "typescript";
import { typescript } from "../typescript.js";

/** One name a top-level statement declares, and how to rename it in place. */
interface Declaration {
  name: string;
  start: number;
  end: number;
  /** `{ a }` in a destructuring or an import needs `a: renamed` / `a as renamed`. */
  form: "plain" | "shorthandBinding" | "importSpecifier";
}

interface RanCell {
  code: string;
  declarations: Declaration[];
}

/** The composed text and where the current cell lies in it. */
export interface ComposedNotebook {
  text: string;
  /** UTF-16 offset of the current cell's first character in `text`. */
  cellStart: number;
}

// Between cells: a cell ending in a line comment or without a semicolon must not run into
// the next (`a\n(b)` would be a call).
const SEPARATOR = "\n;\n";

/** Names that never shadow: `declare global { … }` blocks add to the global scope. */
const GLOBAL_AUGMENTATION = "global";

export class NotebookCells {
  private readonly cells: RanCell[] = [];

  /** Records a cell that ran successfully. */
  add(code: string): void {
    this.cells.push({ code, declarations: topLevelDeclarations(parseCell(code)) });
  }

  get count(): number {
    return this.cells.length;
  }

  /** The module the checker sees when `current` is checked after every cell added so far. */
  compose(current: string): ComposedNotebook {
    const declaredLater = new Set(topLevelDeclarations(parseCell(current)).map((d) => d.name));
    const parts: string[] = [];
    for (let index = this.cells.length - 1; index >= 0; index--) {
      const cell = this.cells[index]!;
      const shadowed = cell.declarations.filter((d) => declaredLater.has(d.name) && d.name !== GLOBAL_AUGMENTATION);
      const visible = cell.declarations.length - shadowed.length;
      if (visible > 0) parts.push(renameDeclarations(cell.code, shadowed, index));
      for (const declaration of cell.declarations) declaredLater.add(declaration.name);
    }
    const history = parts.reverse().map((code) => code + SEPARATOR).join("");
    return { text: history + current, cellStart: history.length };
  }
}

/** Parses a cell as a module (top-level await, imports). */
export function parseCell(code: string): ts.SourceFile {
  return typescript.createSourceFile("cell.ts", code, {
    languageVersion: typescript.ScriptTarget.ES2022,
    impliedNodeFormat: typescript.ModuleKind.ESNext,
  }, false, typescript.ScriptKind.TS);
}

/** A name nobody types: `model` declared in cell 2 and again later becomes `model$shadowed2`. */
export function shadowedName(name: string, cellIndex: number): string {
  return `${name}$shadowed${cellIndex}`;
}

function renameDeclarations(code: string, shadowed: Declaration[], cellIndex: number): string {
  let text = code;
  // From the end, so earlier offsets stay valid.
  for (const declaration of [...shadowed].sort((a, b) => b.start - a.start)) {
    const renamed = shadowedName(declaration.name, cellIndex);
    const replacement =
      declaration.form === "shorthandBinding" ? `${declaration.name}: ${renamed}`
      : declaration.form === "importSpecifier" ? `${declaration.name} as ${renamed}`
      : renamed;
    text = text.slice(0, declaration.start) + replacement + text.slice(declaration.end);
  }
  return text;
}

/** Every name the cell's top-level statements declare (values, types, imports). */
export function topLevelDeclarations(source: ts.SourceFile): Declaration[] {
  const found: Declaration[] = [];
  const add = (name: ts.Identifier, form: Declaration["form"] = "plain") =>
    found.push({ name: name.text, start: name.getStart(source), end: name.getEnd(), form });
  for (const statement of source.statements) {
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
