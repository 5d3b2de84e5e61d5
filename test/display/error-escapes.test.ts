// Error output in every front end: the escape codes in a type error's traceback are ones that
// classic Notebook, nbconvert's HTML export, JupyterLab and VS Code all draw as text colour or
// weight — no inverse video (a black block in classic Notebook and nbconvert) and no 256-colour
// or RGB codes — and nbconvert's own ansi2html turns them into coloured text with no background.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { typeErrorReport } from "../../kernel/runtime/child/language/diagnostics.js";

const PYTHON = "/usr/bin/python3";
// Reset, bold, normal weight, the 16 basic foreground colours, default foreground.
const DRAWN_EVERYWHERE = new Set([0, 1, 22, 30, 31, 32, 33, 34, 35, 36, 37, 39, 90, 91, 92, 93, 94, 95, 96, 97]);

const report = typeErrorReport("cell[3]", 'const ok = 1;\nconst bad: number = "x";\nconst n: string = 2;', [
  { line: 2, column: 7, length: 3, code: 2322, message: "Type 'string' is not assignable to type 'number'." },
  { line: 3, column: 7, length: 1, code: 2322, message: "Type 'number' is not assignable to type 'string'." },
]);

describe("type errors' escape codes", () => {
  it("are only basic colours, bold and reset", () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matches the escape codes themselves
    const codes = report.traceback.join("\n").matchAll(/\x1b\[([0-9;]*)m/g);
    const used = [...codes].flatMap((m) => (m[1] === "" ? [0] : m[1]!.split(";").map(Number)));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((code) => !DRAWN_EVERYWHERE.has(code))).toEqual([]);
  });

  it.skipIf(!existsSync(PYTHON) && !process.env.CI)(
    "render in nbconvert's HTML as coloured text with no background or inverse blocks",
    () => {
      const script =
        "import sys, json; from nbconvert.filters.ansi import ansi2html; print(ansi2html(json.load(sys.stdin)))";
      const html = execFileSync(PYTHON, ["-c", script], {
        input: JSON.stringify(report.traceback.join("\n")),
      }).toString();
      expect(html).toContain('class="ansi-red-intense-fg"'); // the caret
      expect(html).not.toMatch(/-bg|inverse/);
      expect(html.replace(/<[^>]+>/g, "")).toMatch(/\n2 const bad: number = (&quot;|&#34;|")x/);
    },
    60_000,
  );
});
