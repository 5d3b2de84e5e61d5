// Looking at live values without running cell code: a dotted chain of identifiers (`a.b.c`,
// nothing with calls or brackets) is resolved by plain property reads from the global object,
// never by evaluating source text, so completion and inspection have no side effects beyond
// property getters.

/** The `a.b.c` chain that ends exactly at `end` (whitespace around dots allowed). */
export function chainBefore(code: string, end: number): { path: string[]; start: number } | undefined {
  const match = /([A-Za-z_$][\w$]*(?:\s*\??\.\s*[A-Za-z_$][\w$]*)*)$/.exec(code.slice(0, end));
  if (!match) return undefined;
  const path = match[1]!.split(/\s*\??\.\s*/);
  // `1.5` or `x.2`: not a property chain.
  if (/^\d/.test(path[0]!)) return undefined;
  return { path, start: match.index };
}

/** The identifier around `offset` (a cursor inside or just after a name) and its chain. */
export function chainAround(code: string, offset: number): { path: string[]; start: number; end: number } | undefined {
  let end = offset;
  while (end < code.length && /[\w$]/.test(code[end]!)) end++;
  const chain = chainBefore(code, end);
  return chain && { ...chain, end };
}

/** Reads `globalThis.a.b.c`; `found` is false when a link is missing or a getter throws. */
export function resolveChain(path: string[]): { found: boolean; value: unknown } {
  let value: unknown = globalThis;
  for (const key of path) {
    if (value === null || value === undefined) return { found: false, value: undefined };
    try {
      const holder = Object(value) as Record<string, unknown>;
      if (!(key in holder)) return { found: false, value: undefined };
      value = holder[key];
    } catch {
      return { found: false, value: undefined };
    }
  }
  return { found: true, value };
}

/** Every string property name along the prototype chain (what `value.` can be followed by). */
export function propertyNames(value: unknown): string[] {
  const names = new Set<string>();
  for (
    let object: unknown = value === null || value === undefined ? null : Object(value);
    object;
    object = Object.getPrototypeOf(object)
  ) {
    for (const name of Object.getOwnPropertyNames(object)) names.add(name);
  }
  return [...names];
}

/** A short kind for completion type hints: function, class, module, instance, … */
export function kindOf(value: unknown): string {
  if (typeof value === "function")
    return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? "class" : "function";
  if (value !== null && typeof value === "object") return "instance";
  return typeof value === "undefined" ? "variable" : "value";
}
