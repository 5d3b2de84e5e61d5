// The declarations of what every cell finds in scope without importing it: the engine's
// exports (the child defines them as globals, see ../main.ts `loadEngine`) and the runtime's own
// globals (`display`, `clearOutput`, `input`, `prompt`). An alias `export import x = engine.x`
// carries every meaning of a name at once, so `nn` is a value (`new nn.Linear(2, 1)`) and a
// namespace of types (`let layer: nn.Module`), and `Tensor` is a class and a type.

import { dirname, resolve } from "node:path";
import type ts from "typescript";
import { typescript } from "../typescript.js";

export interface GlobalsSources {
  /** The engine's entry declaration file (dist/engine/index.d.ts). */
  engineEntry: string;
  /** The runtime's display API declarations (dist/kernel/runtime/child/display-api.d.ts). */
  displayApi: string;
}

/**
 * The names a declaration file exports, read from its syntax (following `export *`), so no
 * type checker has to be built for it. Example: `exportedNames("dist/engine/index.d.ts")`
 */
export function exportedNames(declarationFile: string, seen = new Set<string>()): string[] {
  if (seen.has(declarationFile)) return [];
  seen.add(declarationFile);
  const text = typescript.sys.readFile(declarationFile);
  if (text === undefined) return [];
  const source = typescript.createSourceFile(declarationFile, text, typescript.ScriptTarget.ES2022, false);
  const names: string[] = [];
  for (const statement of source.statements) {
    if (typescript.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (clause && typescript.isNamedExports(clause))
        names.push(...clause.elements.map((element) => element.name.text));
      else if (clause && typescript.isNamespaceExport(clause)) names.push(clause.name.text);
      else if (!clause && statement.moduleSpecifier && typescript.isStringLiteral(statement.moduleSpecifier)) {
        const target = resolve(dirname(declarationFile), statement.moduleSpecifier.text.replace(/\.js$/, ".d.ts"));
        names.push(...exportedNames(target, seen));
      }
    } else if (hasExportModifier(statement)) {
      const name = (statement as { name?: ts.Node }).name;
      if (name && typescript.isIdentifier(name)) names.push(name.text);
      if (typescript.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (typescript.isIdentifier(declaration.name)) names.push(declaration.name.text);
        }
      }
    }
  }
  return [...new Set(names)];
}

function hasExportModifier(statement: ts.Statement): boolean {
  return (
    typescript.canHaveModifiers(statement) &&
    (typescript.getModifiers(statement) ?? []).some((m) => m.kind === typescript.SyntaxKind.ExportKeyword)
  );
}

/**
 * The runtime's own globals (child/main.ts `installGlobals`), by name: a cell may declare one of
 * these names again (`const input = randn([1, 1, 32, 32])`), and later cells then see its value.
 */
const RUNTIME_GLOBALS: Record<string, string> = {
  display: `/**
   * Shows a value as rich output (tensors, charts, tables, MIME bundles) and returns a handle
   * that can update it in place.
   * Example: \`const shown = display(tensor([1, 2])); shown.update(tensor([3, 4]))\`
   */
  const display: DisplayFunction;`,
  clearOutput: `/**
   * Clears the cell's output; \`wait: true\` waits until new output arrives (no flicker).
   * Example: \`clearOutput({ wait: true })\`
   */
  function clearOutput(options?: { wait?: boolean }): void;`,
  input: `/**
   * Asks the user for a line of text (the client's input box); needs a client that allows stdin.
   * Example: \`const name = await input("Your name: ")\`
   */
  function input(prompt?: unknown, options?: { password?: boolean }): Promise<string>;`,
  prompt: `/**
   * Asks the user for a line of text and returns it, as in browsers (the default when the line
   * is empty); needs a client that allows stdin. \`await input(…)\` is the asynchronous form.
   * Example: \`const name = prompt("Your name: ", "student")\`
   */
  function prompt(message?: unknown, defaultValue?: unknown): string;`,
};

/**
 * The ambient declaration file: every engine export as a global, then the runtime's globals,
 * except those in `declaredInCells` (an earlier cell's declaration of the name is the global).
 */
export function globalsDeclaration(
  sources: GlobalsSources,
  engineExports: readonly string[],
  declaredInCells: ReadonlySet<string> = new Set(),
): string {
  const aliases = engineExports
    .filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== "default" && !declaredInCells.has(name))
    .map((name) => `  export import ${name} = engine.${name};`);
  const runtime = Object.entries(RUNTIME_GLOBALS)
    .filter(([name]) => !declaredInCells.has(name))
    .map(([, declaration]) => `  ${declaration}`);
  return `import * as engine from ${JSON.stringify(sources.engineEntry)};
import type { DisplayFunction } from ${JSON.stringify(sources.displayApi)};

declare global {
${aliases.join("\n")}

${runtime.join("\n\n")}
}
`;
}

/** Every name the history module exports, as a global (see notebook.ts). */
export function historyGlobalsDeclaration(
  historyModule: string,
  names: readonly string[],
  variables: ReadonlyMap<string, "var" | "const">,
): string {
  const globals = names.map((name) => {
    const keyword = variables.get(name);
    return keyword ? `  ${keyword} ${name}: typeof history.${name};` : `  export import ${name} = history.${name};`;
  });
  return `import * as history from ${JSON.stringify(historyModule)};\n\ndeclare global {\n${globals.join("\n")}\n}\n`;
}
