// The runtime child's side of the language worker: a real worker thread (from dist/, so
// `npm run build` first): compiling and checking before a cell runs, is_complete, completion with
// its live fallback.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CellLanguage, languageIdleReleaseMs } from "../../kernel/runtime/child/language/client.js";

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function startLanguage(log: string[] = [], releaseAfterMs = 0): CellLanguage {
  return new CellLanguage({
    notebookDir: join(PROJECT, "test/fixtures/notebook"),
    projectDir: PROJECT,
    checkBeforeRun: true,
    releaseAfterMs,
    cellRunning: () => false,
    log: (line) => log.push(line),
  });
}

describe("CellLanguage", () => {
  it("stops a cell with a type error and compiles a correct one, after earlier cells", async () => {
    const language = startLanguage();
    const first = await language.prepare("const steps = 3;", "cell[1]");
    expect(first).toMatchObject({ compiled: { ok: true, cell: { declaredNames: ["steps"] } } });
    // Sent before the worker warmed up: the warm-up is not counted against the check's budget.
    expect(first).not.toHaveProperty("unchecked");
    language.ran("const steps = 3;");
    const stopped = await language.prepare("const label: string = steps;", "cell[2]");
    expect(stopped).toMatchObject({ typeErrors: { ename: "TypeScriptError" } });
    expect("typeErrors" in stopped && stopped.typeErrors.evalue).toContain("cell[2]:1:7");
    // Refused before the checker sees it (it would take minutes).
    expect(await language.prepare(`${"[".repeat(500)}${"]".repeat(500)}`, "cell[3]")).toEqual({
      refused: "brackets nested 500 deep; at most 100 levels are accepted",
    });
    expect(await language.compile("(steps\n)", "user_expression")).toMatchObject({ ok: true });
    expect(await language.isComplete("function f() {")).toEqual({ status: "incomplete", indent: "  " });
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

  it("releases an idle worker and starts it again, with the notebook's cells, on the next request", async () => {
    const log: string[] = [];
    const language = startLanguage(log, 300);
    expect(await language.prepare("const steps = 3;", "cell[1]")).toMatchObject({ compiled: { ok: true } });
    language.ran("const steps = 3;");
    const worker = () => (language as unknown as { worker: unknown }).worker;
    const started = worker();
    expect(started).toBeDefined();
    await expect.poll(worker, { timeout: 10_000, interval: 50 }).toBeUndefined();
    // Woken by the next cell: the earlier cell's declaration is known, so its misuse is reported.
    const stopped = await language.prepare("const label: string = steps;", "cell[2]");
    expect(stopped).toMatchObject({ typeErrors: { ename: "TypeScriptError" } });
    expect(worker()).toBeDefined();
    expect(worker()).not.toBe(started);
    expect(log.filter((line) => /exited|failed|unavailable/.test(line))).toEqual([]);
  }, 60_000);

  it("keeps the worker on one's own machine and releases it after two idle minutes on a hub", () => {
    expect(languageIdleReleaseMs({})).toBe(0);
    expect(languageIdleReleaseMs({ JUPYTERHUB_USER: "student1" })).toBe(120_000);
    expect(languageIdleReleaseMs({ TSGRAD_LANGUAGE_IDLE_S: "30" })).toBe(30_000);
    expect(languageIdleReleaseMs({ JUPYTERHUB_USER: "student1", TSGRAD_LANGUAGE_IDLE_S: "0" })).toBe(0);
    expect(languageIdleReleaseMs({ JUPYTERHUB_USER: "student1", TSGRAD_LANGUAGE_IDLE_S: "soon" })).toBe(120_000);
  });

  it("gives up the check of a recursive type, runs the cell unchecked, and checks later cells again", async () => {
    const log: string[] = [];
    const language = startLanguage(log);
    const recursive =
      'type Rec<T, N extends number, A extends unknown[] = []> = A["length"] extends N ? T : Rec<T[], N, [...A, 0]>;\n' +
      ["number", "string", "boolean", "bigint"].map((t, i) => `const r${i}: Rec<${t}, 999> = null as any;\n`).join("") +
      "r0";
    const given = await language.prepare(recursive, "cell[1]");
    // Stopped over its CPU budget (or out of the worker's memory first, on a fast machine).
    expect(given).toMatchObject({
      compiled: { ok: true },
      unchecked: expect.stringMatching(/s of CPU|out of memory/),
    });
    language.ran(recursive);
    const later = await language.prepare("const label: string = 1;", "cell[2]");
    expect(later).toMatchObject({ typeErrors: { ename: "TypeScriptError" } });
    // Its variables are `any` now (checking their types again would be given up again); its type is kept.
    const using = await language.prepare(
      'const fromGivenUp: string = r0;\nconst small: Rec<string, 2> = [["a"]];',
      "cell[3]",
    );
    expect(using).toMatchObject({ compiled: { ok: true } });
    expect(using).not.toHaveProperty("unchecked");
    // The restarted worker completes from types again.
    expect((await language.complete("const known = { alpha: 1 };\nknown.al", 36)).matches).toEqual(["alpha"]);
    expect(log.join("\n")).toMatch(/language worker exited/);
  }, 180_000);

  it("does not analyse a sum of 9,000 terms or a 1 MB cell, and still compiles them", async () => {
    const language = startLanguage();
    const sum = Array.from({ length: 9_000 }, (_, i) => i).join(" + ");
    const huge = Array.from({ length: 40_000 }, (_, i) => `const v${i} = ${i} * 2 + 1;`).join("\n");
    const total = `const total = ${sum}`;
    expect(await language.prepare(total, "cell[1]")).toMatchObject({
      compiled: { ok: true },
      unchecked: "its syntax tree is 9004 levels deep (at most 2000 are checked)",
    });
    language.ran(total);
    expect(await language.prepare(huge, "cell[2]")).toMatchObject({
      compiled: { ok: true, cell: { declaredNames: expect.arrayContaining(["v39999"]) } },
      unchecked: expect.stringMatching(/^the cell is too large to type-check \(1150 KiB/),
    });
    language.ran(huge);
    // Later cells see their names as `any`, and are checked.
    expect(
      await language.prepare('const later: string = total + v39999;\nconst bad: number = "x";', "cell[3]"),
    ).toMatchObject({
      typeErrors: { evalue: "cell[3]:2:7 Type 'string' is not assignable to type 'number'." },
    });
    // Completion and inspection answer from the live values (nothing typed to offer).
    (globalThis as Record<string, unknown>).tsgradLiveOnly = { secretField: 1 };
    try {
      for (const code of [`${sum};\ntsgradLiveOnly.sec`, `${"(".repeat(1000)}tsgradLiveOnly.sec`]) {
        expect((await language.complete(code, code.length)).matches).toEqual(["secretField"]);
        expect(await language.inspect(code, code.length - 4, 0)).toMatchObject({ found: true });
      }
    } finally {
      delete (globalThis as Record<string, unknown>).tsgradLiveOnly;
    }
    const fine = await language.prepare("const fine: number = v1;", "cell[4]");
    expect(fine).toMatchObject({ compiled: { ok: true } });
    expect(fine).not.toHaveProperty("unchecked");
  }, 180_000);
});
