// The student version of a notebook: nbgrader's ClearSolutions, ClearHiddenTests, ClearOutput
// and LockCells, on notebooks built here and on the course's own.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { type Cell, type Notebook, studentVersion } from "../../kernel/notebook/student.js";
import { studentCommand } from "../../kernel/notebook/student-command.js";

const STUB = '// YOUR CODE HERE\nthrow new Error("not implemented yet");';

function notebook(cells: Cell[], language = "typescript"): Notebook {
  return {
    cells,
    metadata: { kernelspec: { language }, celltoolbar: "Create Assignment" },
    nbformat: 4,
    nbformat_minor: 5,
  };
}
const solutionMeta = (id: string) => ({
  nbgrader: { grade: false, grade_id: id, locked: false, schema_version: 3, solution: true, task: false },
});
const gradeMeta = (id: string, points = 1) => ({
  nbgrader: { grade: true, grade_id: id, locked: true, points, schema_version: 3, solution: false, task: false },
});
const code = (source: string, metadata: Record<string, unknown> = {}, id = "c"): Cell => ({
  cell_type: "code",
  id,
  metadata,
  source,
  outputs: [{ output_type: "stream", name: "stdout", text: "old" }],
  execution_count: 7,
});
const text = (cell: Cell) => (Array.isArray(cell.source) ? cell.source.join("") : cell.source);

describe("studentVersion", () => {
  test("a solution region becomes the stub at the marker's indent; the rest of the cell stays", () => {
    const teacher = notebook([
      code(
        "function mse(p: Tensor, t: Tensor): Tensor {\n  // BEGIN SOLUTION\n  return p.sub(t).pow(2).mean();\n  // END SOLUTION\n}",
        solutionMeta("mse"),
      ),
    ]);
    const { notebook: student, report } = studentVersion(teacher);
    expect(text(student.cells[0]!)).toBe(
      'function mse(p: Tensor, t: Tensor): Tensor {\n  // YOUR CODE HERE\n  throw new Error("not implemented yet");\n}',
    );
    expect(student.cells[0]!.source).toEqual([
      "function mse(p: Tensor, t: Tensor): Tensor {\n",
      "  // YOUR CODE HERE\n",
      '  throw new Error("not implemented yet");\n',
      "}",
    ]);
    expect(report).toEqual({ solutions: 1, gradeCells: 0, points: 0 });
    expect(text(teacher.cells[0]!)).toContain("return p.sub(t)"); // the teacher's notebook is untouched
  });

  test("any comment mark works (### BEGIN SOLUTION, /* BEGIN SOLUTION */), and several regions in a cell", () => {
    const source =
      "const a = 1;\n### BEGIN SOLUTION\nsecret();\n### END SOLUTION\nconst b = 2;\n    /* BEGIN SOLUTION */\n    more();\n    /* END SOLUTION */";
    const out = text(studentVersion(notebook([code(source, solutionMeta("s"))])).notebook.cells[0]!);
    expect(out).toBe(
      `const a = 1;\n${STUB}\nconst b = 2;\n    // YOUR CODE HERE\n    throw new Error("not implemented yet");`,
    );
  });

  test("a solution cell without markers becomes the stub whole; a markdown one the text stub", () => {
    const cells: Cell[] = [
      code("const answer = 42;", solutionMeta("a")),
      {
        cell_type: "markdown",
        id: "m",
        metadata: { nbgrader: { ...solutionMeta("m").nbgrader, grade: true, points: 2 } },
        source: ["Because the chain rule.\n", "Really."],
      },
    ];
    const { notebook: student, report } = studentVersion(notebook(cells));
    expect(text(student.cells[0]!)).toBe(STUB);
    expect(text(student.cells[1]!)).toBe("YOUR ANSWER HERE");
    expect(report).toEqual({ solutions: 2, gradeCells: 1, points: 2 });
  });

  test("outputs and execution counts are cleared, with output metadata; cell ids and other cells stay", () => {
    const cells = [
      code("1 + 1", { collapsed: true, scrolled: true, tags: ["keep"] }, "plain"),
      code("check.true(true)", gradeMeta("g", 3), "grade"),
    ];
    const { notebook: student, report } = studentVersion(notebook(cells));
    for (const cell of student.cells) {
      expect(cell.outputs).toEqual([]);
      expect(cell.execution_count).toBeNull();
    }
    expect(student.cells.map((c) => c.id)).toEqual(["plain", "grade"]);
    expect(student.cells[0]!.metadata).toEqual({ tags: ["keep"] });
    expect(text(student.cells[1]!)).toBe("check.true(true)");
    expect(report).toEqual({ solutions: 0, gradeCells: 1, points: 3 });
    expect(student.metadata.celltoolbar).toBeUndefined();
  });

  test("cells are locked as nbgrader's LockCells does", () => {
    const cells = [
      code("x", solutionMeta("s"), "s"),
      code("y", gradeMeta("g"), "g"),
      code("z", { nbgrader: { grade: false, solution: false, locked: true, grade_id: "r", schema_version: 3 } }, "r"),
      code("w", {}, "w"),
    ];
    const [s, g, r, w] = studentVersion(notebook(cells)).notebook.cells;
    expect([s!.metadata.deletable, s!.metadata.editable]).toEqual([false, undefined]);
    expect([g!.metadata.deletable, g!.metadata.editable]).toEqual([false, false]);
    expect([r!.metadata.deletable, r!.metadata.editable]).toEqual([false, false]);
    expect([w!.metadata.deletable, w!.metadata.editable]).toEqual([undefined, undefined]);
  });

  test("hidden tests leave grade cells", () => {
    const out = studentVersion(
      notebook([
        code("check.true(a());\n// BEGIN HIDDEN TESTS\ncheck.true(b());\n// END HIDDEN TESTS", gradeMeta("g")),
      ]),
    ).notebook;
    expect(text(out.cells[0]!)).toBe("check.true(a());");
  });

  test("mistakes a teacher can make are refused, naming the cell", () => {
    expect(() => studentVersion(notebook([code("// BEGIN SOLUTION\nx\n// END SOLUTION", {}, "loose")]))).toThrow(
      "cell 0 (id loose): a solution region in a cell not marked as a solution cell",
    );
    expect(() => studentVersion(notebook([code("// BEGIN SOLUTION\nx", solutionMeta("s"))]))).toThrow(
      '"BEGIN SOLUTION" without "END SOLUTION"',
    );
    expect(() =>
      studentVersion(notebook([code("// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION", solutionMeta("s"))])),
    ).toThrow("inside another one");
    expect(() => studentVersion(notebook([code("a", solutionMeta("same")), code("b", gradeMeta("same"))]))).toThrow(
      'grade_id "same" is already cell 0',
    );
    expect(() =>
      studentVersion(notebook([code("a", { nbgrader: { ...gradeMeta("g").nbgrader, points: undefined } })])),
    ).toThrow("has no points");
    expect(() => studentVersion(notebook([code("a", solutionMeta("ex 1"))]))).toThrow(
      'grade_id "ex 1" may hold only letters, digits, - and _',
    );
    expect(() => studentVersion(notebook([code("a", solutionMeta("s"))], "python"))).toThrow(
      'no code stub for the notebook\'s language "python"',
    );
    expect(() => studentVersion(notebook([code("x = 1\n### BEGIN HIDDEN TESTS\ny\n### END HIDDEN TESTS")]))).toThrow(
      "hidden tests in a cell not marked as a grade cell",
    );
  });
});

describe("tsgrad student", () => {
  const out = mkdtempSync(join(tmpdir(), "tsgrad-student-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test("every course notebook: solutions cleared, grade cells kept, nothing else changed but outputs", () => {
    const notebooks = readdirSync("notebooks")
      .filter((name) => name.endsWith(".ipynb"))
      .map((name) => join("notebooks", name));
    const lines: string[] = [];
    const written = studentCommand([...notebooks, "-o", out], (line) => lines.push(line));
    expect(written).toHaveLength(notebooks.length);
    for (const [i, path] of written.entries()) {
      const teacher = JSON.parse(readFileSync(notebooks[i]!, "utf8")) as Notebook;
      const student = JSON.parse(readFileSync(path, "utf8")) as Notebook;
      expect(student.cells.map((c) => c.id)).toEqual(teacher.cells.map((c) => c.id));
      student.cells.forEach((cell, k) => {
        const before = teacher.cells[k]!;
        expect(text(cell)).not.toMatch(/BEGIN SOLUTION|END SOLUTION/);
        if (before.metadata.nbgrader?.solution) {
          expect(text(cell)).toContain(
            cell.cell_type === "code" ? 'throw new Error("not implemented yet");' : "YOUR ANSWER HERE",
          );
        } else expect(text(cell)).toBe(text(before));
        if (cell.cell_type === "code") expect([cell.outputs, cell.execution_count]).toEqual([[], null]);
      });
    }
    expect(lines[0]).toMatch(/solution cells? cleared/);
  });

  test("without -o, a student/ folder beside the notebook; a bad notebook writes nothing", () => {
    const folder = mkdtempSync(join(out, "course-"));
    const good = join(folder, "a.ipynb");
    const bad = join(folder, "b.ipynb");
    writeFileSync(good, JSON.stringify(notebook([code("// BEGIN SOLUTION\nx\n// END SOLUTION", solutionMeta("s"))])));
    writeFileSync(bad, JSON.stringify(notebook([code("// BEGIN SOLUTION\nx", solutionMeta("s"))])));
    expect(() => studentCommand([good, bad], () => {})).toThrow(
      `${bad}: cell 0 (id c): "BEGIN SOLUTION" without "END SOLUTION"`,
    );
    expect(existsSync(join(folder, "student"))).toBe(false);
    expect(studentCommand([good], () => {})).toEqual([join(folder, "student", "a.ipynb")]);
    expect(() => studentCommand([good, "-o", good], () => {})).toThrow("would overwrite");
    expect(() => studentCommand([], () => {})).toThrow("no notebook given");
    expect(() => studentCommand([good, "--frobnicate"], () => {})).toThrow("unknown option --frobnicate");
  });
});
