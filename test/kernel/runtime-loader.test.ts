// The loader hooks' resolution rules, with a fake default resolver standing in for Node's.
import { beforeAll, describe, expect, it } from "vitest";
import { initialize, resolve } from "../../kernel/runtime/child/loader-hooks.js";

const CELL_IMPORTER = "file:///tsgrad/dist/kernel/runtime/importer.js";
const NOTEBOOK = "file:///home/student/nb/[notebook].ts";
const PROJECT = "file:///tsgrad/[project].js";

/** A resolver that knows a fixed set of files and packages, per parent folder. */
function fakeNode(existing: Record<string, string[]>) {
  const calls: { specifier: string; parent: string | undefined }[] = [];
  const nextResolve = async (specifier: string, context?: { parentURL?: string }) => {
    const parent = context?.parentURL;
    calls.push({ specifier, parent });
    const url = specifier.startsWith(".") ? new URL(specifier, parent).href : `${parent}::${specifier}`;
    if (!(existing[parent ?? ""] ?? []).includes(url)) {
      throw Object.assign(new Error(`Cannot find ${specifier}`), { code: "ERR_MODULE_NOT_FOUND" });
    }
    return { url };
  };
  return { nextResolve, calls };
}

const context = (parentURL: string) => ({ parentURL, conditions: ["node", "import"] });

describe("loader hooks: resolve", () => {
  beforeAll(() => initialize({ cellImporterUrl: CELL_IMPORTER, notebookUrl: NOTEBOOK, projectUrl: PROJECT }));

  it("resolves a cell's relative import from the notebook's folder", async () => {
    const node = fakeNode({ [NOTEBOOK]: ["file:///home/student/nb/data.js"] });
    expect((await resolve("./data.js", context(CELL_IMPORTER), node.nextResolve)).url).toBe(
      "file:///home/student/nb/data.js",
    );
  });

  it("finds util.ts for ./util and ./util.js, as TypeScript does", async () => {
    const node = fakeNode({ [NOTEBOOK]: ["file:///home/student/nb/util.ts"] });
    expect((await resolve("./util", context(CELL_IMPORTER), node.nextResolve)).url).toBe(
      "file:///home/student/nb/util.ts",
    );
    expect((await resolve("./util.js", context(CELL_IMPORTER), node.nextResolve)).url).toBe(
      "file:///home/student/nb/util.ts",
    );
  });

  it("applies the same rule inside .ts modules", async () => {
    const parent = "file:///home/student/nb/lib/stats.ts";
    const node = fakeNode({ [parent]: ["file:///home/student/nb/lib/square.ts"] });
    expect((await resolve("./square.js", context(parent), node.nextResolve)).url).toBe(
      "file:///home/student/nb/lib/square.ts",
    );
  });

  it("falls back to the tsgrad project for packages the notebook's folder lacks", async () => {
    const node = fakeNode({ [PROJECT]: [`${PROJECT}::seedrandom`] });
    expect((await resolve("seedrandom", context(CELL_IMPORTER), node.nextResolve)).url).toBe(`${PROJECT}::seedrandom`);
    expect(node.calls.map((c) => c.parent)).toEqual([NOTEBOOK, PROJECT]);
  });

  it("prefers the notebook's own copy of a package", async () => {
    const node = fakeNode({ [NOTEBOOK]: [`${NOTEBOOK}::seedrandom`], [PROJECT]: [`${PROJECT}::seedrandom`] });
    expect((await resolve("seedrandom", context(CELL_IMPORTER), node.nextResolve)).url).toBe(`${NOTEBOOK}::seedrandom`);
  });

  it("reports a missing relative file as missing, without trying the project", async () => {
    const node = fakeNode({});
    await expect(resolve("./nope.ts", context(CELL_IMPORTER), node.nextResolve)).rejects.toMatchObject({
      code: "ERR_MODULE_NOT_FOUND",
    });
    expect(node.calls.every((c) => c.parent === NOTEBOOK)).toBe(true);
  });

  it("leaves imports of ordinary JavaScript modules to Node", async () => {
    const parent = "file:///tsgrad/node_modules/pkg/index.js";
    const node = fakeNode({ [parent]: [`${parent}::dep`] });
    expect((await resolve("dep", context(parent), node.nextResolve)).url).toBe(`${parent}::dep`);
    expect(node.calls).toHaveLength(1);
  });
});
