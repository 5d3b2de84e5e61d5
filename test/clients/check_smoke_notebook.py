"""Checks what nbconvert stored for test/notebooks/smoke.ipynb: the outputs a reader would see."""

import sys

import nbformat

nb = nbformat.read(sys.argv[1], as_version=4)
cells = [c for c in nb.cells if c.cell_type == "code"]


def text_of(cell):
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
    return "".join(parts)


problems = []
expected = {0: "hello from tsgrad", 1: "42", 2: "x is 2"}
for index, needle in expected.items():
    if needle not in text_of(cells[index]):
        problems.append(f"cell {index}: expected {needle!r} in {text_of(cells[index])!r}")
counts = [c.execution_count for c in cells]
if counts != list(range(1, len(cells) + 1)):
    problems.append(f"execution counts {counts}")
for i, cell in enumerate(cells):
    for out in cell.outputs:
        if out.output_type == "stream" and out.name == "stderr":
            problems.append(f"cell {i} wrote to stderr: {out.text!r}")
if problems:
    sys.exit("smoke notebook: " + "; ".join(problems))
print(f"smoke notebook: {len(cells)} cells, outputs as expected")
