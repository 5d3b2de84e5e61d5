// is_complete with one refinement over the scanner's answer (../completeness.ts): inside an
// unclosed template string the continuation line gets no indent, because whatever the
// console puts there becomes part of the string.
import type ts from "typescript";
import type { CompletenessResult } from "../../interpreter.js";
import { isComplete as bracketCompleteness } from "../completeness.js";
import { typescript } from "../typescript.js";
import { parseCell } from "./notebook.js";

/** Whether a console should run `code` now, or the indent of the line it continues with. */
export function isComplete(code: string): CompletenessResult {
  const result = bracketCompleteness(code);
  if (result.status === "incomplete" && endsInsideTemplateString(code)) return { status: "incomplete", indent: "" };
  return result;
}

/** The code ends in template-string text (not inside one of its `${…}`). */
function endsInsideTemplateString(code: string): boolean {
  let inside = false;
  const visit = (node: ts.Node): void => {
    if (inside) return;
    const literal = node as ts.LiteralLikeNode;
    if (
      (typescript.isNoSubstitutionTemplateLiteral(node) ||
        typescript.isTemplateHead(node) ||
        typescript.isTemplateMiddle(node) ||
        typescript.isTemplateTail(node)) &&
      literal.isUnterminated &&
      node.end === code.length
    ) {
      inside = true;
      return;
    }
    typescript.forEachChild(node, visit);
  };
  visit(parseCell(code));
  return inside;
}
