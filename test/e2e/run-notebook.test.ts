// `tsgrad run` end to end: a notebook executed by the CLI with nothing but Node on PATH, its
// outputs written back as nbclient would, an HTML page with the chart's PNG, and the exit code
// course CI reads.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./client.js";

const work = mkdtempSync(join(tmpdir(), "tsgrad-run-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CELLS = [
  { cell_type: "markdown", metadata: {}, source: "# A run\nwith **markdown**" },
  { cell_type: "code", metadata: {}, source: 'console.log("hello from a cell");', outputs: [], execution_count: null },
  { cell_type: "code", metadata: {}, source: "display(plot.line([1, 3, 2]));", outputs: [], execution_count: null },
  {
    cell_type: "code",
    metadata: { tags: ["skip-execution"] },
    source: "while (true) {}",
    outputs: [],
    execution_count: null,
  },
  {
    cell_type: "code",
    metadata: {},
    source: "const answer: number = 21;\nanswer * 2",
    outputs: [],
    execution_count: null,
  },
  { cell_type: "code", metadata: {}, source: 'throw new Error("boom");', outputs: [], execution_count: null },
  {
    cell_type: "code",
    metadata: {},
    source: "answer + 1",
    outputs: [{ output_type: "stream", name: "stdout", text: "stale" }],
    execution_count: 9,
  },
];

function writeNotebook(name: string): string {
  const path = join(work, name);
  writeFileSync(
    path,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: CELLS.map((cell, i) => ({ ...cell, id: `c${i}` })),
    }),
  );
  return path;
}

/** `tsgrad run` with only Node's own folder on PATH: no Python, no Jupyter reachable. */
function run(args: string[]) {
  return spawnSync(process.execPath, [join(REPO_ROOT, "bin", "tsgrad.js"), "run", ...args], {
    cwd: work,
    encoding: "utf8",
    env: { ...process.env, PATH: dirname(process.execPath) },
    timeout: 240_000,
  });
}

interface SavedCell {
  execution_count?: number | null;
  outputs?: {
    output_type: string;
    text?: string[];
    data?: Record<string, unknown>;
    ename?: string;
    execution_count?: number;
  }[];
}

describe("tsgrad run", () => {
  it("executes the notebook, writes outputs back and the HTML, and exits 1 at the first error", () => {
    const path = writeNotebook("course.ipynb");
    const result = run([path, "--html"]);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/\[1\/5\] ✓ console\.log/);
    expect(result.stderr).toMatch(/\[4\/5\] ✗ throw new Error\("boom"\);.*Error: boom/);
    expect(result.stderr).toMatch(/stopped at cell 6 \(Error\)/);

    const saved = JSON.parse(readFileSync(path, "utf8")) as {
      cells: SavedCell[];
      metadata: { language_info?: { name?: string } };
    };
    expect(saved.metadata.language_info?.name).toBe("typescript");
    const [, hello, chart, skipped, answer, boom, after] = saved.cells as SavedCell[];
    expect(hello?.execution_count).toBe(1);
    expect(hello?.outputs).toEqual([{ output_type: "stream", name: "stdout", text: ["hello from a cell\n"] }]);
    expect(chart?.execution_count).toBe(2);
    expect(Object.keys(chart?.outputs?.[0]?.data ?? {})).toEqual(
      expect.arrayContaining(["application/vnd.vegalite.v5+json", "image/png"]),
    );
    expect(skipped?.execution_count).toBeNull();
    expect(answer?.execution_count).toBe(3);
    expect(answer?.outputs?.[0]).toMatchObject({
      output_type: "execute_result",
      data: { "text/plain": ["42"] },
      execution_count: 3,
    });
    expect(boom?.outputs?.[0]).toMatchObject({ output_type: "error", ename: "Error" });
    // Cells after a failure stay as they were, as with nbclient.
    expect(after?.execution_count).toBe(9);

    const html = readFileSync(join(work, "course.html"), "utf8");
    expect(html).toContain("<strong>markdown</strong>");
    expect(html).toMatch(/<img src="data:image\/png;base64,iVBOR/);
    expect(html).toContain("hello from a cell");
  }, 300_000);

  it("runs on past errors with --allow-errors, exits 0, writes to --output, and the file is valid nbformat", () => {
    const path = writeNotebook("allow.ipynb");
    const output = join(work, "allow-out.ipynb");
    const result = run([path, "--allow-errors", "--output", output]);
    expect(result.status, result.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(output, "utf8")) as { cells: SavedCell[] };
    expect(saved.cells.map((cell) => cell.execution_count ?? null)).toEqual([null, 1, 2, null, 3, 4, 5]);
    expect(saved.cells[6]?.outputs?.[0]).toMatchObject({
      output_type: "execute_result",
      data: { "text/plain": ["22"] },
    });
    // The input notebook is left alone when --output names another file.
    expect(JSON.parse(readFileSync(path, "utf8")).cells[1].outputs).toEqual([]);
    if (existsSync("/usr/bin/python3")) {
      // nbformat's own validator, where Jupyter is installed (it is in CI): the file must load in any client.
      execFileSync("/usr/bin/python3", [
        "-c",
        "import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))",
        output,
      ]);
    }
  }, 300_000);

  it("explains bad input and exits 2: a missing file, a file that is not a notebook", () => {
    const missing = run([join(work, "nope.ipynb")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.ipynb/);
    writeFileSync(join(work, "bad.ipynb"), "{ not json");
    const bad = run([join(work, "bad.ipynb")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.ipynb is not JSON/);
  });
});
