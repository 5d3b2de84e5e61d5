#!/usr/bin/env bash
# Real Jupyter clients against the built kernel: install the kernelspec with our own installer
# into a throwaway prefix, then run the official jupyter_kernel_test suite (our subclass) and
# `jupyter nbconvert --execute` over the smoke notebook and every notebook in notebooks/ (the
# teacher's versions: every exercise check passes), then the student versions of the tutorials.
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=/usr/bin/python3
# The Debian Jupyter stack, whatever else (pyenv, venvs) is first on PATH.
jupyter() { "$PYTHON" -m jupyter "$@"; }
KERNEL_NAME=tsgrad-test-$$
PREFIX=$(mktemp -d)
OUT=$(mktemp -d)
trap 'rm -rf "$PREFIX" "$OUT"' EXIT

node bin/tsgrad.js install --prefix "$PREFIX" --name "$KERNEL_NAME" --display-name "tsgrad (test)"
export JUPYTER_PATH="$PREFIX/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export TSGRAD_KERNEL_NAME="$KERNEL_NAME"
# Python 3.11's debugger notice about frozen modules is noise on every jupyter command.
export PYDEVD_DISABLE_FILE_VALIDATION=1

echo "== jupyter kernelspec list"
jupyter kernelspec list | grep -F "$KERNEL_NAME"

echo "== jupyter_kernel_test"
(cd test/clients && "$PYTHON" -m unittest -v test_jupyter_kernel_test)

echo "== jupyter console"
# (Not `jupyter run`: it gives a fresh kernel's first cell only 10 s, which the TypeScript
# compiler's first load can exceed on a busy CI machine.)
consoled=$(printf 'const b: number = 21\nb * 2\n' | jupyter console --kernel="$KERNEL_NAME" --simple-prompt 2>/dev/null || true)
[[ "$consoled" == *"Out[2]: 42"* ]] || { echo "jupyter console printed: $consoled"; exit 1; }
echo "ok"

echo "== nbconvert --execute"
jupyter nbconvert --to notebook --execute \
  --ExecutePreprocessor.kernel_name="$KERNEL_NAME" --ExecutePreprocessor.timeout=600 \
  --output-dir "$OUT" test/notebooks/smoke.ipynb
"$PYTHON" test/clients/check_smoke_notebook.py "$OUT/smoke.ipynb"

# Every tutorial runs, even after one fails, so a run names all the broken ones.
failed=()
shopt -s nullglob
# test/notebooks/pytorch-*: well-known PyTorch tutorials ported cell by cell; each ends in a cell
# that throws unless the numbers PyTorch reaches are reached.
for notebook in notebooks/*.ipynb test/notebooks/pytorch-*.ipynb; do
  echo "-- $notebook"
  jupyter nbconvert --to notebook --execute \
    --ExecutePreprocessor.kernel_name="$KERNEL_NAME" --ExecutePreprocessor.timeout=600 \
    --output-dir "$OUT" "$notebook" || failed+=("$notebook")
done
if ((${#failed[@]})); then
  echo "notebooks that failed: ${failed[*]}"
  exit 1
fi

echo "== student versions (tsgrad student): exactly the grade cells fail, each with its hint"
node bin/tsgrad.js student notebooks/*.ipynb -o "$OUT/student/"
"$PYTHON" test/clients/check_student_versions.py "$KERNEL_NAME" notebooks "$OUT/student"
echo "== all client tests passed"
