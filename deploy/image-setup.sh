#!/usr/bin/env bash
# Installs a packed tsgrad (the tarball of `npm pack`) system-wide, registers its kernel with the
# Jupyter on PATH, and runs a notebook in it to prove the install: what deploy/Dockerfile runs,
# and what a teacher runs on a shared server.
#   NPM_PREFIX=/usr/local bash deploy/image-setup.sh tsgrad-0.1.0.tgz
# NPM_PREFIX     where `npm install -g` puts the package (default: npm's own global prefix)
# KERNEL_TARGET  tsgrad install's target: --sys-prefix (default: the environment of the
#                `jupyter` on PATH) or "--prefix DIR" (--prefix /usr/local: every Jupyter sees it)
set -euo pipefail
tarball=${1:?usage: image-setup.sh TSGRAD_TARBALL}
prefix=${NPM_PREFIX:-$(npm config get prefix)}
target=${KERNEL_TARGET:---sys-prefix}

npm install --global --prefix "$prefix" --no-audit --no-fund --omit=dev "$tarball"
# shellcheck disable=SC2086 # KERNEL_TARGET may be two words (--prefix DIR)
"$prefix/bin/tsgrad" install $target
"$prefix/bin/tsgrad" --version

# A cell through the installed kernel (engine, type check, a chart's PNG), without Jupyter.
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
cat >"$check/check.ipynb" <<'NOTEBOOK'
{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
 {"cell_type": "code", "id": "check", "metadata": {}, "execution_count": null, "outputs": [],
  "source": "const t: Tensor = tensor([1, 2, 3]).mul(2);\ndisplay(plot.line([1, 3, 2]));\nt.sum().item()"}]}
NOTEBOOK
"$prefix/bin/tsgrad" run "$check/check.ipynb"
grep -q '"image/png"' "$check/check.ipynb"
