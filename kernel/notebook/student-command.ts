// `tsgrad student <notebook>... [-o <out>]`: writes the student version of each teacher's
// notebook (see student.ts). One notebook may go to a file or a folder; several go to a folder,
// each under its own name. Without -o, a `student/` folder beside each notebook.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { type Notebook, studentVersion } from "./student.js";

export const STUDENT_USAGE = `usage: tsgrad student <notebook.ipynb>... [-o <file or folder>]
  Write the student version of a teacher's notebook, as nbgrader's generate_assignment does:
  solution regions (// BEGIN SOLUTION … // END SOLUTION) and solution cells become the stub
  ${JSON.stringify('// YOUR CODE HERE\nthrow new Error("not implemented yet");')}, hidden tests are removed,
  outputs and execution counts cleared, nbgrader's cells locked.
  Default output: student/<name>.ipynb beside each notebook.
`;

/** Runs the command on its arguments; returns the files written. */
export function studentCommand(
  args: readonly string[],
  log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): string[] {
  const inputs: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-h" || arg === "--help") {
      log(STUDENT_USAGE.trimEnd());
      return [];
    }
    if (arg === "-o" || arg === "--output") {
      out = args[++i];
      if (out === undefined) throw new Error(`${arg} needs a file or folder`);
    } else if (arg.startsWith("--output=")) out = arg.slice("--output=".length);
    else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
    else inputs.push(arg);
  }
  if (inputs.length === 0) throw new Error("no notebook given");
  const toFolder =
    out !== undefined && (inputs.length > 1 || out.endsWith("/") || (existsSync(out) && statSync(out).isDirectory()));
  // Read and transform everything first: a bad notebook writes nothing.
  const results = inputs.map((input) => {
    let teacher: Notebook;
    try {
      teacher = JSON.parse(readFileSync(input, "utf8")) as Notebook;
    } catch (error) {
      throw new Error(`${input}: ${(error as Error).message}`);
    }
    if (!Array.isArray(teacher.cells) || teacher.nbformat !== 4)
      throw new Error(`${input}: not an nbformat 4 notebook`);
    try {
      return { input, ...studentVersion(teacher) };
    } catch (error) {
      throw new Error(`${input}: ${(error as Error).message}`);
    }
  });
  return results.map(({ input, notebook, report }) => {
    const target =
      out === undefined
        ? join(dirname(input), "student", basename(input))
        : toFolder
          ? join(out, basename(input))
          : out;
    if (target === input) throw new Error(`${input}: the student version would overwrite the teacher's notebook`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `${JSON.stringify(notebook, null, 1)}\n`);
    log(
      `${target}: ${report.solutions} solution cell${report.solutions === 1 ? "" : "s"} cleared, ${report.gradeCells} grade cells (${report.points} points)`,
    );
    return target;
  });
}
