// The student version of a teacher's notebook, as `nbgrader generate_assignment` makes it,
// without nbgrader: solution regions (`// BEGIN SOLUTION` … `// END SOLUTION`, any comment mark)
// become the language's stub, solution cells without markers become the stub whole, hidden
// tests and mark schemes go, outputs and execution counts are cleared, and nbgrader's cells are
// locked the way its LockCells does. Semantics follow nbgrader's ClearSolutions,
// ClearHiddenTests, ClearMarkScheme, ClearOutput and LockCells preprocessors.

/** A notebook as nbformat 4 stores it (only what this transformation reads). */
export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown> & { kernelspec?: { language?: string } };
  nbformat: number;
  nbformat_minor: number;
}

export interface Cell {
  cell_type: "code" | "markdown" | "raw";
  id?: string;
  metadata: Record<string, unknown> & { nbgrader?: NbgraderCell };
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
}

/** nbgrader's cell metadata (schema 3). */
export interface NbgraderCell {
  grade?: boolean;
  solution?: boolean;
  locked?: boolean;
  task?: boolean;
  grade_id?: string;
  points?: number;
  schema_version?: number;
}

/** The stubs nbgrader's `ClearSolutions.code_stub` should hold for tsgrad's languages. */
export const CODE_STUBS: Readonly<Record<string, string>> = {
  typescript: '// YOUR CODE HERE\nthrow new Error("not implemented yet");',
  javascript: '// YOUR CODE HERE\nthrow new Error("not implemented yet");',
};
/** nbgrader's `ClearSolutions.text_stub`. */
export const TEXT_STUB = "YOUR ANSWER HERE";

export interface StudentOptions {
  /** Code stubs by the notebook's `kernelspec.language` (default CODE_STUBS). */
  codeStubs?: Readonly<Record<string, string>>;
  textStub?: string;
}

/** What the transformation did, for the command's report. */
export interface StudentReport {
  solutions: number;
  gradeCells: number;
  points: number;
}

const DELIMITERS = {
  solution: ["BEGIN SOLUTION", "END SOLUTION"],
  hiddenTests: ["BEGIN HIDDEN TESTS", "END HIDDEN TESTS"],
  markScheme: ["BEGIN MARK SCHEME", "END MARK SCHEME"],
} as const;

/**
 * The student version of `teacher` (a new notebook; `teacher` is left as it is).
 * Example: `studentVersion(JSON.parse(readFileSync("01.ipynb", "utf8"))).notebook`
 */
export function studentVersion(
  teacher: Notebook,
  options: StudentOptions = {},
): { notebook: Notebook; report: StudentReport } {
  const notebook = structuredClone(teacher);
  const language = notebook.metadata.kernelspec?.language ?? "python";
  const codeStub = (options.codeStubs ?? CODE_STUBS)[language];
  if (codeStub === undefined) throw new Error(`no code stub for the notebook's language ${JSON.stringify(language)}`);
  const textStub = options.textStub ?? TEXT_STUB;
  checkGradeIds(notebook.cells);
  const report: StudentReport = { solutions: 0, gradeCells: 0, points: 0 };
  notebook.cells.forEach((cell, index) => {
    const where = `cell ${index}${cell.id ? ` (id ${cell.id})` : ""}`;
    const meta = cell.metadata.nbgrader;
    const isSolution = Boolean(meta?.solution);
    const isGrade = Boolean(meta?.grade);
    const lines = sourceText(cell.source).split("\n");

    const stub = (cell.cell_type === "code" ? codeStub : textStub).split("\n");
    const solution = replaceRegion(lines, DELIMITERS.solution, stub, where);
    if (solution.replaced && !isSolution)
      throw new Error(
        `${where}: a solution region in a cell not marked as a solution cell (nbgrader's enforce_metadata)`,
      );
    const tests = replaceRegion(solution.lines, DELIMITERS.hiddenTests, undefined, where);
    if (tests.replaced && !isGrade) throw new Error(`${where}: hidden tests in a cell not marked as a grade cell`);
    const marks = replaceRegion(tests.lines, DELIMITERS.markScheme, undefined, where);
    if (marks.replaced && !meta?.task) throw new Error(`${where}: a mark scheme in a cell not marked as a task cell`);
    let source = marks.lines.join("\n");
    // A solution cell without markers is the solution whole.
    if (isSolution && !solution.replaced) source = cell.cell_type === "code" ? codeStub : textStub;
    if (isSolution) report.solutions++;
    if (isGrade) {
      report.gradeCells++;
      report.points += Number(meta?.points ?? 0);
    }
    cell.source = sourceLines(source);
    lock(cell);
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
      delete cell.metadata.collapsed;
      delete cell.metadata.scrolled;
    }
  });
  delete notebook.metadata.celltoolbar;
  return { notebook, report };
}

/** Lines outside `begin`…`end` kept; the region replaced by `stub` at the begin line's indent (or dropped). */
function replaceRegion(
  lines: string[],
  [begin, end]: readonly [string, string],
  stub: string[] | undefined,
  where: string,
): { lines: string[]; replaced: boolean } {
  const out: string[] = [];
  let inside = false;
  let replaced = false;
  for (const line of lines) {
    if (line.includes(begin)) {
      if (inside) throw new Error(`${where}: "${begin}" inside another one`);
      inside = true;
      replaced = true;
      const indent = /^\s*/.exec(line)![0];
      if (stub) for (const stubLine of stub) out.push(indent + stubLine);
    } else if (line.includes(end)) {
      inside = false; // (a stray end line goes too, as in nbgrader)
    } else if (!inside) out.push(line);
  }
  if (inside) throw new Error(`${where}: "${begin}" without "${end}"`);
  return { lines: out, replaced };
}

/** nbgrader's LockCells with generate_assignment's defaults. */
function lock(cell: Cell): void {
  const meta = cell.metadata.nbgrader;
  if (!meta) return;
  if (meta.solution) cell.metadata.deletable = false;
  else if (meta.grade || meta.locked) {
    cell.metadata.deletable = false;
    cell.metadata.editable = false;
  }
}

/** Grade ids must be there and unique (nbgrader refuses the notebook otherwise). */
function checkGradeIds(cells: Cell[]): void {
  const seen = new Map<string, number>();
  cells.forEach((cell, index) => {
    const meta = cell.metadata.nbgrader;
    if (!meta || !(meta.grade || meta.solution || meta.locked)) return;
    if (!meta.grade_id) throw new Error(`cell ${index}: nbgrader cell without a grade_id`);
    // nbgrader's schema: the id names files and database rows.
    if (!/^[a-zA-Z0-9_-]+$/.test(meta.grade_id)) {
      throw new Error(
        `cell ${index}: grade_id ${JSON.stringify(meta.grade_id)} may hold only letters, digits, - and _`,
      );
    }
    const before = seen.get(meta.grade_id);
    if (before !== undefined)
      throw new Error(`cell ${index}: grade_id ${JSON.stringify(meta.grade_id)} is already cell ${before}'s`);
    seen.set(meta.grade_id, index);
    if (meta.grade && typeof meta.points !== "number")
      throw new Error(`cell ${index}: grade cell ${JSON.stringify(meta.grade_id)} has no points`);
  });
}

function sourceText(source: string | string[]): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** nbformat's list form: each line keeps its newline, the last has none. */
function sourceLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  return lines.map((line, i) => (i < lines.length - 1 ? `${line}\n` : line)).filter((line) => line !== "");
}
