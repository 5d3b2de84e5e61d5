// complete_request from live objects: globals (cell variables, engine exports, builtins) and,
// after a dot, the members of the value the chain before it names. A later issue replaces
// this with the TypeScript language service (types of values that do not exist yet).
import type { CompletionResult } from "../interpreter.js";
import { chainBefore, kindOf, propertyNames, resolveChain } from "./live-values.js";
import { RUNTIME_GLOBAL } from "./runtime-global.js";

const KEYWORDS = [
  "async",
  "await",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "import",
  "in",
  "instanceof",
  "interface",
  "let",
  "new",
  "null",
  "return",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "type",
  "typeof",
  "undefined",
  "var",
  "void",
  "while",
  "yield",
];

/** Names that could follow the text before `cursorPos` (UTF-16 offset). */
export function complete(code: string, cursorPos: number): CompletionResult {
  const prefix = /[A-Za-z_$][\w$]*$/.exec(code.slice(0, cursorPos))?.[0] ?? "";
  const cursorStart = cursorPos - prefix.length;
  const before = code.slice(0, cursorStart);
  const member = /\??\.\s*$/.exec(before);
  let candidates: { name: string; type: string }[];
  if (member) {
    const chain = chainBefore(before, member.index);
    const target = chain ? resolveChain(chain.path) : { found: false, value: undefined };
    if (!target.found) return { matches: [], cursorStart, cursorEnd: cursorPos, metadata: {} };
    candidates = propertyNames(target.value).map((name) => ({ name, type: memberKind(target.value, name) }));
  } else {
    const globals = propertyNames(globalThis).filter((name) => name !== RUNTIME_GLOBAL);
    candidates = [
      ...declaredInCode(code).map((name) => ({ name, type: "variable" })),
      ...globals.map((name) => ({ name, type: memberKind(globalThis, name) })),
      ...KEYWORDS.map((name) => ({ name, type: "keyword" })),
    ];
  }
  const seen = new Set<string>();
  const picked = candidates
    .filter(({ name }) => name.startsWith(prefix) && /^[A-Za-z_$][\w$]*$/.test(name) && !name.startsWith("__"))
    .filter(({ name }) => !seen.has(name) && seen.add(name))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    matches: picked.map((c) => c.name),
    cursorStart,
    cursorEnd: cursorPos,
    metadata: {
      _jupyter_types_experimental: picked.map((c) => ({
        start: cursorStart,
        end: cursorPos,
        text: c.name,
        type: c.type,
      })),
    },
  };
}

function memberKind(holder: unknown, name: string): string {
  try {
    return kindOf((Object(holder) as Record<string, unknown>)[name]);
  } catch {
    return "property";
  }
}

/** Names the cell itself declares (not run yet, so not globals yet). */
function declaredInCode(code: string): string[] {
  const names: string[] = [];
  for (const match of code.matchAll(
    /\b(?:const|let|var|function\*?|class|enum|interface|type)\s+([A-Za-z_$][\w$]*)/g,
  )) {
    names.push(match[1]!);
  }
  return names;
}
