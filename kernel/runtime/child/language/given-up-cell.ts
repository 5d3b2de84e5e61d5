// How a cell whose type check was given up (over its CPU budget, out of memory) is recorded for
// later cells: with its variables typed `any`. Their declared or inferred types are what held
// the checker (`const r: Rec<number, 999>`), and every later cell that used them would be given
// up too, each time at the cost of a worker restart. Types, functions, classes and imports are
// kept as they are: a type alias costs nothing until it is instantiated.
import type ts from "typescript";
import { typescript } from "../typescript.js";

/** `source`'s text with each top-level variable statement replaced by `declare var name: any`. */
export function variablesAsAny(source: ts.SourceFile): string {
  const text = source.text;
  let recorded = "";
  let copiedUpTo = 0;
  for (const statement of source.statements) {
    if (!typescript.isVariableStatement(statement)) continue;
    const names = statement.declarationList.declarations.flatMap((declaration) => boundNames(declaration.name));
    const declaration = names.length > 0 ? `declare var ${names.map((name) => `${name}: any`).join(", ")};` : "";
    recorded += text.slice(copiedUpTo, statement.getStart(source)) + declaration;
    copiedUpTo = statement.end;
  }
  return recorded + text.slice(copiedUpTo);
}

/** The names a binding (`a`, `{ a, b: [c] }`) declares. */
function boundNames(name: ts.BindingName): string[] {
  if (typescript.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (typescript.isOmittedExpression(element) ? [] : boundNames(element.name)));
}
