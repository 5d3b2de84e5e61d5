// inspect_request from the language service: the signature of the name at the cursor (or of
// the call the cursor is inside, `nn.Linear(|`) and its doc comment, as plain text and as
// Markdown. Detail level 1 adds the doc tags (@param, @example, …) and where it is declared.
import type ts from "typescript";
import type { InspectionResult } from "../../interpreter.js";
import { typescript } from "../typescript.js";

/** What TypeScript knows about the symbol at the cursor; `found: false` when nothing. */
export interface TypeInspection extends InspectionResult {
  /** The TypeScript kind (`const`, `method`, `class`, …) of what was found. */
  kind?: string;
  /** The symbol's type is `any`: only its live value can say more. */
  untyped?: boolean;
}

const SHADOWED_NAME = /([A-Za-z_$][\w$]*?)\$shadowed\d+/g;

/** Inspects `cell` (the text of `fileName`) at `cursor`, a UTF-16 offset. */
export function inspectInCell(
  service: ts.LanguageService,
  fileName: string,
  cell: string,
  cursor: number,
  detailLevel: 0 | 1,
): TypeInspection {
  // Just inside a call's parentheses (`model(|`, `criterion(pred, |`) the call is what is asked
  // about: its signature, not the callee's type (`const model: Net`).
  if (/[(,]\s*$/.test(cell.slice(0, cursor))) {
    const call = signatureHelp(service, fileName, cursor, detailLevel);
    if (call) return call;
  }
  const quickInfo = [cursor, cursor - 1]
    .filter((at) => at >= 0 && at <= cell.length)
    .map((at) => service.getQuickInfoAtPosition(fileName, at))
    .find((info) => info && info.kind !== typescript.ScriptElementKind.keyword);
  if (quickInfo) {
    const signature = withoutAliasing(
      typescript.displayPartsToString(quickInfo.displayParts).replace(SHADOWED_NAME, "$1"),
    );
    const untyped = /: any$/.test(signature);
    const where = detailLevel === 1 ? declarationSite(service, fileName, cursor) : undefined;
    // An alias (an engine export, an earlier cell's name) is the kind of what it stands for.
    const kind =
      quickInfo.kind === typescript.ScriptElementKind.alias
        ? (/^(\w+)/.exec(signature)?.[1] ?? quickInfo.kind)
        : quickInfo.kind;
    return { ...render(signature, quickInfo.documentation, quickInfo.tags, detailLevel, where), kind, untyped };
  }
  return signatureHelp(service, fileName, cursor, detailLevel) ?? { found: false, data: {}, metadata: {} };
}

/** The signature of the call whose arguments the cursor is in, or undefined outside a call. */
function signatureHelp(
  service: ts.LanguageService,
  fileName: string,
  cursor: number,
  detailLevel: 0 | 1,
): TypeInspection | undefined {
  const help = service.getSignatureHelpItems(fileName, cursor, undefined);
  const item = help?.items[help.selectedItemIndex];
  if (!item) return undefined;
  const signature = [...item.prefixDisplayParts, ...joinParameters(item), ...item.suffixDisplayParts]
    .map((p) => p.text)
    .join("")
    .replace(SHADOWED_NAME, "$1");
  return { ...render(signature, item.documentation, item.tags, detailLevel, undefined), kind: "call" };
}

/**
 * Globals are aliases of the engine's exports and of earlier cells' names (globals.ts):
 * `(alias) const x: number` + `import x = history.x` reads as `const x: number`.
 */
function withoutAliasing(signature: string): string {
  return signature
    .split("\n")
    .filter((line) => !/^(import|export) [\w$]+( = [\w$.]+)?;?$/.test(line))
    .join("\n")
    .replace(/^\(alias\) /, "");
}

function joinParameters(item: ts.SignatureHelpItem): ts.SymbolDisplayPart[] {
  return item.parameters.flatMap((parameter, index) => [
    ...(index > 0 ? item.separatorDisplayParts : []),
    ...parameter.displayParts,
  ]);
}

function render(
  signature: string,
  documentation: ts.SymbolDisplayPart[] | undefined,
  tags: ts.JSDocTagInfo[] | undefined,
  detailLevel: 0 | 1,
  where: string | undefined,
): InspectionResult {
  const doc = typescript.displayPartsToString(documentation ?? []).trim();
  const tagLines =
    detailLevel === 1
      ? (tags ?? []).map((tag) => `@${tag.name} ${typescript.displayPartsToString(tag.text ?? [])}`.trim())
      : [];
  const plain = [
    signature,
    doc && `\n${doc}`,
    ...(tagLines.length ? ["", ...tagLines] : []),
    where ? `\nDeclared in ${where}` : "",
  ]
    .filter((part) => part !== "")
    .join("\n");
  const markdown = [
    `\`\`\`typescript\n${signature}\n\`\`\``,
    doc,
    ...tagLines.map((line) => `*${line.replace(/^@(\S+)/, "@$1*")}`),
    where ? `Declared in \`${where}\`` : "",
  ]
    .filter((part) => part !== "")
    .join("\n\n");
  return { found: true, data: { "text/plain": plain, "text/markdown": markdown }, metadata: {} };
}

/** `engine/nn/linear.d.ts:21` for a declaration on disk; undefined for the notebook's own. */
function declarationSite(service: ts.LanguageService, fileName: string, position: number): string | undefined {
  const definition = service.getDefinitionAtPosition(fileName, position)?.[0];
  if (!definition || definition.fileName === fileName) return undefined;
  const file = service.getProgram()?.getSourceFile(definition.fileName);
  const line = file ? file.getLineAndCharacterOfPosition(definition.textSpan.start).line + 1 : undefined;
  const shortName = definition.fileName.replace(/^.*\/(dist|node_modules)\//, "");
  return line === undefined ? shortName : `${shortName}:${line}`;
}
