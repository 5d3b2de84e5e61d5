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

/**
 * At most this many matches, the best first, as IPython caps its completions at 500 ("which the
 * frontend may have trouble processing"): after a 1 MB cell, the 40,000 globals it declared made a
 * reply of megabytes that took half a second to build, and nobody scrolls past the first few.
 * Typing more of the name narrows the list to what it starts with.
 */
export const MAX_MATCHES = 500;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const byName = new Intl.Collator();

/** Names that could follow the text before `cursorPos` (UTF-16 offset), in alphabetical order. */
export function complete(code: string, cursorPos: number): CompletionResult {
  const prefix = /[A-Za-z_$][\w$]*$/.exec(code.slice(0, cursorPos))?.[0] ?? "";
  const cursorStart = cursorPos - prefix.length;
  const before = code.slice(0, cursorStart);
  const member = /\??\.\s*$/.exec(before);
  // Each name offered once, with how to name its kind (worked out for the matches kept only).
  const kinds = new Map<string, (name: string) => string>();
  const offer = (names: string[], kind: (name: string) => string) => {
    for (const name of names) {
      if (!kinds.has(name) && name.startsWith(prefix) && IDENTIFIER.test(name) && !name.startsWith("__"))
        kinds.set(name, kind);
    }
  };
  if (member) {
    const chain = chainBefore(before, member.index);
    const target = chain ? resolveChain(chain.path) : { found: false, value: undefined };
    if (!target.found) return { matches: [], cursorStart, cursorEnd: cursorPos, metadata: {} };
    offer(propertyNames(target.value), (name) => memberKind(target.value, name));
  } else {
    offer(declaredInCode(code), () => "variable");
    offer(
      propertyNames(globalThis).filter((name) => name !== RUNTIME_GLOBAL),
      (name) => memberKind(globalThis, name),
    );
    offer(KEYWORDS, () => "keyword");
  }
  const picked = [...kinds.keys()].sort(byName.compare).slice(0, MAX_MATCHES);
  return {
    matches: picked,
    cursorStart,
    cursorEnd: cursorPos,
    metadata: {
      _jupyter_types_experimental: picked.map((name) => ({
        start: cursorStart,
        end: cursorPos,
        text: name,
        type: kinds.get(name)!(name),
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
