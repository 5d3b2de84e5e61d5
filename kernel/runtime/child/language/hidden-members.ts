// Members that completion after a dot leaves out though TypeScript offers them. An nn.Module is
// callable (`model(x)`), and TypeScript gives every callable type the members of `Function`
// (`bind`, `call`, `caller`, `prototype`, …); a module's prototype chain does not include
// Function.prototype (engine/nn/callable-object.ts), so offering them would offer what fails.
// A member the module declares itself (a field `name`, ModuleList's `length`) stays.
import type ts from "typescript";
import { typescript } from "../typescript.js";

/** Which of `names`, offered after `receiver.` at `cursor`, come only from the standard library's Function. */
export function hiddenMembers(
  service: ts.LanguageService,
  fileName: string,
  cursor: number,
  names: readonly string[],
): Set<string> {
  const program = service.getProgram();
  const source = program?.getSourceFile(fileName);
  const access = source && propertyAccessAt(source, cursor);
  if (!program || !access) return new Set();
  const checker = program.getTypeChecker();
  const receiver = checker.getTypeAtLocation(access.expression);
  if (receiver.getCallSignatures().length === 0 || !checker.getPropertyOfType(receiver, "namedParameters")) {
    return new Set();
  }
  const fromLibraryOnly = (name: string): boolean => {
    const declarations = checker.getPropertyOfType(receiver, name)?.declarations ?? [];
    return declarations.length > 0 && declarations.every((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()));
  };
  return new Set(names.filter(fromLibraryOnly));
}

/** The `a.b` whose member name ends at the cursor (`a.` with nothing typed yet included). */
function propertyAccessAt(source: ts.SourceFile, cursor: number): ts.PropertyAccessExpression | undefined {
  let found: ts.PropertyAccessExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (node.getFullStart() > cursor || node.getEnd() < cursor) return;
    if (typescript.isPropertyAccessExpression(node) && node.name.getEnd() === cursor) found = node;
    typescript.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
