"""Executes the student versions of the tutorials (made by `tsgrad student`) and checks them.

usage: check_student_versions.py KERNEL_NAME TEACHER_DIR STUDENT_DIR

In every student version with exercises exactly the grade cells fail, each with a CheckError that says "not
implemented yet" and gives its hint, with no frame from the kernel or the engine in its traceback,
and nothing is written to stderr. The first notebook runs with its first exercise solved (the
teacher's solution put back): that exercise's grade cell then passes, the others still fail.
All notebooks run in this one process with nbclient, one kernel each, two at a time (most of a
notebook's time is its kernel starting and type-checking cells, not computing).
"""
import json
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import nbformat
from nbclient import NotebookClient

INTERNAL_FRAME = re.compile(r"\(node:|at node:|/dist/|/engine/|/kernel/")


def nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def run(path, kernel_name, notebook):
    client = NotebookClient(notebook, kernel_name=kernel_name, timeout=600, allow_errors=True,
                            resources={"metadata": {"path": os.path.dirname(path)}})
    client.execute()
    return notebook


def check(path, notebook, solved=()):
    problems = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cid = cell.get("id")
        errors = [o for o in cell.outputs if o.output_type == "error"]
        stderr = [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
        if stderr:
            problems.append(f"{cid}: wrote to stderr: {''.join(o.text for o in stderr)[:200]!r}")
        is_grade = nbgrader(cell).get("grade")
        should_fail = is_grade and cid not in solved
        if not should_fail:
            if errors:
                problems.append(f"{cid}: unexpected {errors[0].ename}: {errors[0].evalue[:300]}")
            if is_grade and not any("✓" in str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs):
                problems.append(f"{cid}: the solved exercise's check shows no ✓ line")
            continue
        if len(errors) != 1:
            problems.append(f"{cid}: a grade cell of an unsolved exercise did not fail")
            continue
        error = errors[0]
        if nbgrader(cell).get("solution"):
            # An answer cell that is graded itself: its stub throws as it is.
            if "not implemented yet" not in error.evalue:
                problems.append(f"{cid}: failed with {error.ename}: {error.evalue[:200]}, not the stub's error")
            continue
        if error.ename != "CheckError" or "not implemented yet" not in error.evalue:
            problems.append(f"{cid}: failed with {error.ename}: {error.evalue[:200]}, not the check's 'not implemented yet'")
        if "\nHint: " not in error.evalue:
            problems.append(f"{cid}: the failure carries no hint: {error.evalue[:200]}")
        internal = [line for line in error.traceback[1:] if INTERNAL_FRAME.search(line)]
        if internal:
            problems.append(f"{cid}: kernel-internal frames in the traceback: {internal}")
    return problems


def main():
    kernel_name, teacher_dir, student_dir = sys.argv[1:4]
    names = sorted(n for n in os.listdir(student_dir) if n.endswith(".ipynb"))
    # A notebook without exercises has nothing to check here (the teacher's run covers it).
    without = [n for n in names if not any(c.cell_type == "code" and nbgrader(c).get("grade")
                                           for c in nbformat.read(os.path.join(student_dir, n), as_version=4).cells)]
    for name in without:
        print(f"-- {name}: no exercises, not run")
    names = [n for n in names if n not in without]
    if not names:
        sys.exit(f"no student notebooks with exercises in {student_dir}")
    def one(i, name):
        path = os.path.join(student_dir, name)
        notebook = nbformat.read(path, as_version=4)
        solved = []
        if i == 0:
            # Put the teacher's solution of the first exercise back, as a student would write it:
            # the grade cells between it and the next solution cell must then pass.
            teacher = nbformat.read(os.path.join(teacher_dir, name), as_version=4)
            cells = teacher.cells
            first = next(k for k, c in enumerate(cells) if c.cell_type == "code" and nbgrader(c).get("solution") and not nbgrader(c).get("grade"))
            for c in cells[first + 1:]:
                if nbgrader(c).get("solution"):
                    break
                if c.cell_type == "code" and nbgrader(c).get("grade"):
                    solved.append(c.get("id"))
            for cell in notebook.cells:
                if cell.get("id") == cells[first].get("id"):
                    cell.source = cells[first].source
        started = time.time()
        run(path, kernel_name, notebook)
        problems = check(path, notebook, solved)
        grades = sum(1 for c in notebook.cells if nbgrader(c).get("grade"))
        solved_note = f", except {', '.join(solved)}: solved, it passes" if solved else ""
        lines = [f"-- {name}: {grades} grade cells fail as they should{solved_note} ({time.time() - started:.0f} s): {'FAILED' if problems else 'ok'}"]
        lines += [f"   {problem}" for problem in problems]
        return lines, bool(problems)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda item: one(*item), enumerate(names)))
    for lines, _ in results:
        print("\n".join(lines))
    failures = sum(failed for _, failed in results)
    if failures:
        sys.exit(f"{failures} student notebook(s) with problems")


if __name__ == "__main__":
    main()
