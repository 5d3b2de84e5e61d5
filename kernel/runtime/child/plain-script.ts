// A large cell that needs nothing of TypeScript's emitter, compiled by editing its text. Through
// transpileModule a 1 MB cell of 40,000 `const`s took ~2.3 s of CPU (a binder, the printer, a
// 1.6 MB source map, hoisting 40,000 statements as new nodes, and the garbage of it all), on top
// of its parse; edited, it takes its parse and a few milliseconds.
//
// The cell runs as a script of its own rather than in hoist.ts's async arrow: a top-level `var`
// or function declaration of a script is a global that a later cell may declare again, so only
// `const` and `let` change, to `var` (same length), and every other character stays where it
// was: no source map is needed, stack traces name the cell's own lines and columns. Its result is
// the script's completion value, which is the last statement's when that is an expression.
//
// Type annotations, `as`, `x!`, interfaces and the like become spaces (blank-types.ts). Only when
// the syntax tree says nothing else needs a transform: no other TypeScript syntax, no `import` or
// `export`, no top-level `await` (only a function can await), no class declaration at top level
// (a script's class is not a var), nothing the ES2022 target must lower (`using`, decorators,
// auto-accessors); and V8 must compile the result. Any other cell goes through transpileModule, as
// every small cell does.
import vm from "node:vm";
import type ts from "typescript";
import { blankTypes, type Edit } from "./blank-types.js";
import { collectBindingNames } from "./hoist.js";
import { typescript } from "./typescript.js";

/** A cell edited into a script that runs as it is (see above). */
export interface PlainScript {
  /** The script; its completion value is the cell's result. */
  js: string;
  /** Lines before the cell's first line (a reset of `let x;` names): a negative vm.Script lineOffset. */
  prologueLines: number;
  /** Names the cell declares at top level. */
  declaredNames: string[];
}

/** Parses a cell for plainScript (and for the depth of its tree: analysis-limits.ts). */
export function parseScript(code: string): ts.SourceFile {
  return typescript.createSourceFile(
    "cell.ts",
    code,
    {
      languageVersion: typescript.ScriptTarget.ES2022,
      impliedNodeFormat: typescript.ModuleKind.ESNext,
      // A module, as transpileModule parses a cell: `await (x)` awaits, it does not call `await`.
      setExternalModuleIndicator: (file) =>
        ((file as { externalModuleIndicator?: unknown }).externalModuleIndicator = true),
      // JSDoc is for the checker and completion, not for what runs.
      jsDocParsingMode: typescript.JSDocParsingMode.ParseNone,
    },
    false,
    typescript.ScriptKind.TS,
  );
}

// Internal to the compiler (the flags each node's syntax sets, propagated up to the file), but stable.
const FLAG_NAMES = [
  "ContainsTypeScript",
  "ContainsTypeScriptClassSyntax",
  "ContainsJsx",
  "ContainsESNext",
  "ContainsDecorators",
  "ContainsDynamicImport",
  "ContainsAwait",
] as const;
const F = (typescript as unknown as { TransformFlags: Record<(typeof FLAG_NAMES)[number], number> }).TransformFlags;
/** False if a compiler version renamed the flags: then every cell goes through the emitter. */
const FLAGS_KNOWN = FLAG_NAMES.every((name) => typeof F[name] === "number" && F[name] > 0);

/** Syntax that the emitter would change for an ES2022 script (types aside), or that needs the runtime's hoisting. */
const NEEDS_EMITTER =
  F.ContainsTypeScriptClassSyntax |
  F.ContainsJsx |
  F.ContainsESNext |
  F.ContainsDecorators |
  F.ContainsDynamicImport |
  // Propagated up to the enclosing function only: on the file, a top-level `await`.
  F.ContainsAwait;

const K = typescript.SyntaxKind;
const LET = typescript.NodeFlags.Let;
/** Top-level statements that need hoist.ts (imports, exports, a class binding, `return`). */
const HOISTED_KINDS = new Set([
  K.ImportDeclaration,
  K.ImportEqualsDeclaration,
  K.ExportDeclaration,
  K.ExportAssignment,
  K.ClassDeclaration,
  K.ReturnStatement,
]);

/** `source` (parsed by parseScript from `code`) as a plain script, or undefined when it needs the emitter. */
export function plainScript(source: ts.SourceFile, code: string): PlainScript | undefined {
  const parseErrors = (source as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics;
  if (parseErrors?.length || !FLAGS_KNOWN) return undefined; // transpileModule reports the errors
  if ((source as { transformFlags?: number }).transformFlags! & NEEDS_EMITTER) return undefined;
  // Flags that would say so are shared with other syntax: the text decides, erring towards the emitter.
  if (/\bfor\s+await\b|\baccessor\b/.test(code)) return undefined;
  // A prologue line would end a `#!` line's or a "use strict" directive's place at the start.
  if (code.startsWith("#!") || startsWithDirective(source)) return undefined;
  const edits =
    (source as { transformFlags?: number }).transformFlags! & F.ContainsTypeScript ? blankTypes(source, code) : [];
  if (!edits) return undefined;

  const names = new Set<string>();
  const resets: string[] = [];
  for (const statement of source.statements) {
    if (HOISTED_KINDS.has(statement.kind)) return undefined;
    if (hasModifierBesidesAsync(statement)) return undefined; // `export`, `declare`
    // Kinds compared, not typescript.isX(): each read of the compiler's exports is a getter call,
    // and this runs once per statement of a large cell.
    if (statement.kind === K.FunctionDeclaration) {
      const name = (statement as ts.FunctionDeclaration).name;
      if (!name) return undefined;
      names.add(name.text);
    } else if (statement.kind === K.VariableStatement) {
      const list = (statement as ts.VariableStatement).declarationList;
      for (const declaration of list.declarations) {
        collectBindingNames(declaration.name, names);
        // A re-run starts afresh (as hoist.ts resets it): `let x;` is `x = undefined` first.
        if (!declaration.initializer && list.flags & LET && declaration.name.kind === K.Identifier)
          resets.push(declaration.name.text);
      }
      const keyword = list.getStart(source);
      const replacement = VAR_OF.get(code.slice(keyword, keyword + 5)) ?? VAR_OF.get(code.slice(keyword, keyword + 3));
      if (replacement === undefined) return undefined; // `using`, `await using`: lowered by the emitter
      edits.push({ start: keyword, end: keyword + replacement.length, text: replacement });
    }
  }
  const last = source.statements.at(-1);
  // Otherwise the completion value would be an earlier statement's (`f(); var x = 1` gives f()'s).
  const ending = last && typescript.isExpressionStatement(last) ? "" : "\n;void 0;\n";
  const prologue = resets.length > 0 ? `${resets.map((name) => `${name} = void 0;`).join(" ")}\n` : "";
  const js = prologue + applyEdits(code, edits) + ending;
  try {
    new vm.Script(js); // V8's own parse: tens of milliseconds for 1 MB (inner functions are only pre-parsed)
  } catch {
    return undefined; // the emitter reports it, or rewrites what the edits could not
  }
  return { js, prologueLines: prologue ? 1 : 0, declaredNames: [...names] };
}

/** `code` with each edit's span replaced (spans do not overlap). */
function applyEdits(code: string, edits: Edit[]): string {
  edits.sort((a, b) => a.start - b.start);
  const pieces: string[] = [];
  let copied = 0;
  for (const { start, end, text } of edits) {
    pieces.push(code.slice(copied, start), text);
    copied = end;
  }
  pieces.push(code.slice(copied));
  return pieces.join("");
}

/** The declaration keyword → `var`, padded to the same length (columns stay where they were). */
const VAR_OF = new Map([
  ["const", "var  "],
  ["let", "var"],
  ["var", "var"],
]);

function startsWithDirective(source: ts.SourceFile): boolean {
  const first = source.statements[0];
  return first !== undefined && typescript.isExpressionStatement(first) && typescript.isStringLiteral(first.expression);
}

function hasModifierBesidesAsync(statement: ts.Statement): boolean {
  const modifiers = (statement as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers;
  return modifiers?.some((m) => m.kind !== K.AsyncKeyword) ?? false;
}
