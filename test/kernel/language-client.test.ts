// The runtime child's side of the language worker: a real worker thread (from dist/, so
// `npm run build` first): the check before a cell runs, completion with its live fallback.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CellLanguage } from "../../kernel/runtime/child/language/client.js";

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function startLanguage(log: string[] = []): CellLanguage {
  return new CellLanguage({
    notebookDir: join(PROJECT, "test/fixtures/notebook"),
    projectDir: PROJECT,
    checkBeforeRun: true,
    log: (line) => log.push(line),
  });
}

describe("CellLanguage", () => {
  it("stops a cell with a type error and lets a correct one run, after earlier cells", async () => {
    const language = startLanguage();
    expect(await language.checkBeforeRun("const steps = 3;", "cell[1]")).toBeUndefined();
    language.ran("const steps = 3;");
    const stopped = await language.checkBeforeRun("const label: string = steps;", "cell[2]");
    expect(stopped).toMatchObject({ status: "error", ename: "TypeScriptError" });
    expect(stopped!.evalue).toContain("cell[2]:1:7");
  }, 60_000);

  it("falls back to live objects where types know nothing (an `any`, a global set from outside)", async () => {
    const language = startLanguage();
    (globalThis as Record<string, unknown>).tsgradLiveOnly = { secretField: 1 };
    try {
      const code = "(globalThis as any).x; tsgradLiveOnly.sec";
      const result = await language.complete(code, code.length);
      expect(result.matches).toEqual(["secretField"]);
      const typed = await language.complete("const known = { alpha: 1 };\nknown.al", 36);
      expect(typed.matches).toEqual(["alpha"]);
    } finally {
      delete (globalThis as Record<string, unknown>).tsgradLiveOnly;
    }
  }, 60_000);
});
