// inspect_request (Shift+Tab in JupyterLab) from live objects: what the name under the cursor
// is, its signature when it is a function, its value; the doc comment where the value
// carries one (`doc` property). A later issue adds types from the TypeScript language service.
import { inspect } from "node:util";
import type { InspectionResult } from "../interpreter.js";
import { chainAround, kindOf, resolveChain } from "./live-values.js";

/** Describes the value named at `cursorPos`; `detailLevel` 1 adds the source of functions. */
export function inspectAt(code: string, cursorPos: number, detailLevel: 0 | 1): InspectionResult {
  const chain = chainAround(code, cursorPos);
  if (!chain) return { found: false, data: {}, metadata: {} };
  const { found, value } = resolveChain(chain.path);
  if (!found) return { found: false, data: {}, metadata: {} };
  const name = chain.path.join(".");
  const lines = [`${name}: ${typeName(value)}`];
  if (typeof value === "function") {
    lines.push(
      `${kindOf(value) === "class" ? "new " : ""}${signature(value as (...args: unknown[]) => unknown, name)}`,
    );
    const doc = (value as { doc?: unknown }).doc;
    if (typeof doc === "string") lines.push("", doc);
    if (detailLevel === 1) lines.push("", Function.prototype.toString.call(value));
  } else {
    lines.push(
      inspect(value, { colors: false, depth: detailLevel === 1 ? 4 : 1, maxArrayLength: 20, breakLength: 100 }),
    );
  }
  const text = lines.join("\n");
  return { found: true, data: { "text/plain": text, "text/markdown": `\`\`\`\n${text}\n\`\`\`` }, metadata: {} };
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  // A callable instance (an nn.Module: `model(x)`) is named by its class, not "function".
  if (typeof value === "function" && !(value instanceof Function))
    return (value as object).constructor?.name ?? "function";
  if (typeof value === "function") return kindOf(value) === "class" ? `class ${value.name}` : "function";
  if (typeof value === "object") return (value as object).constructor?.name ?? "Object";
  return typeof value;
}

/** `name(a, b = 1, ...rest)`, read from the function's source (what is known at run time). */
function signature(fn: (...args: unknown[]) => unknown, name: string): string {
  const source = Function.prototype.toString.call(fn);
  if (source.includes("[native code]"))
    return `${name}(${Array.from({ length: fn.length }, (_, i) => `arg${i}`).join(", ")})`;
  const classCtor = /constructor\s*\(([^)]*)\)/.exec(source);
  const params = /^class\b/.test(source)
    ? (classCtor?.[1] ?? "")
    : (/^[^(]*\(([^)]*)\)/.exec(source)?.[1] ?? /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source)?.[1] ?? "");
  return `${name}(${params.replace(/\s+/g, " ").trim()})`;
}
