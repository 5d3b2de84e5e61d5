// The notebook as the type checker sees it: one module made of the declarations of every
// cell that ran, in run order, then the cell being checked. At run time a cell's top-level
// names are globals that a later cell may declare again (hoist.ts); in one module that would
// be "Cannot redeclare", so a declaration of a name declared again later is left out (or,
// when it shares a statement with names still visible, renamed out of the way): the latest
// declaration is the one every later cell sees, as at run time.
//
// Earlier cells matter to later ones only through what they declare, so only their
// declaration statements are kept. The rest would cost checking time on every later cell
// (a training loop) and could end the module's control flow (`while (true)`, `process.exit()`),
// after which TypeScript types every later name as `never`.
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
  declarations: Declaration[];
}

/** The composed text and where the current cell lies in it. */
export interface ComposedNotebook {
  text: string;
  /** UTF-16 offset of the current cell's first character in `text`. */
  cellStart: number;
}

// After each statement: a statement without a semicolon must not run into the next.
const SEPARATOR = "\n;\n";

/** Names that never shadow: `declare global { … }` blocks add to the global scope. */
const GLOBAL_AUGMENTATION = "global";

export class NotebookCells {
  private readonly cells: DeclarationStatement[][] = [];

  /** Records a cell that ran. */
  add(code: string): void {
    const source = parseCell(code);
    const statements: DeclarationStatement[] = [];
    for (const statement of source.statements) {
      const declarations = declarationsOf(statement, source);
      if (declarations.length === 0) continue;
      const offset = statement.getFullStart();
      statements.push({ text: code.slice(offset, statement.getEnd()), offset, declarations });
    }
    this.cells.push(statements);
  }

  get count(): number {
    return this.cells.length;
  }

  /** The module the checker sees when `current` is checked after every cell added so far. */
  compose(current: string): ComposedNotebook {
    const declaredLater = new Set(topLevelDeclarations(parseCell(current)).map((d) => d.name));
    const parts: string[] = [];
    for (let index = this.cells.length - 1; index >= 0; index--) {
      const statements = this.cells[index]!;
      const kept: string[] = [];
      for (const statement of statements) {
        const shadowed = statement.declarations.filter((d) => declaredLater.has(d.name) && d.name !== GLOBAL_AUGMENTATION);
        if (shadowed.length === statement.declarations.length) continue;
        kept.push(renameDeclarations(statement, shadowed, index));
      }
      parts.push(kept.map((text) => text + SEPARATOR).join(""));
      for (const statement of statements) for (const declaration of statement.declarations) declaredLater.add(declaration.name);
    }
    const history = parts.reverse().join("");
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

function renameDeclarations(statement: DeclarationStatement, shadowed: Declaration[], cellIndex: number): string {
  let text = statement.text;
  // From the end, so earlier offsets stay valid.
  for (const declaration of [...shadowed].sort((a, b) => b.start - a.start)) {
    const start = declaration.start - statement.offset;
    const end = declaration.end - statement.offset;
    const renamed = shadowedName(declaration.name, cellIndex);
    const replacement =
      declaration.form === "shorthandBinding" ? `${declaration.name}: ${renamed}`
      : declaration.form === "importSpecifier" ? `${declaration.name} as ${renamed}`
      : renamed;
    text = text.slice(0, start) + replacement + text.slice(end);
  }
  return text;
}

/** Every name the cell's top-level statements declare (values, types, imports). */
export function topLevelDeclarations(source: ts.SourceFile): Declaration[] {
  return source.statements.flatMap((statement) => declarationsOf(statement, source));
}

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
