#!/usr/bin/env bash
# Docker Stacks runs this before each server starts (/usr/local/bin/before-notebook.d/): the
# tutorials go into the student's home, which on a hub is a persistent volume mounted over the
# image's. Files a student already has are never overwritten (`cp -n`): their work survives a
# new image, and a tutorial added to the image appears beside it.
set -eu
source_dir=${TSGRAD_TUTORIALS_SOURCE:-/opt/tsgrad/tutorials}
home=${HOME}
# start.sh runs hooks as root when the container starts as root (it drops to NB_USER later).
[ "$(id -u)" = 0 ] && [ -n "${NB_USER:-}" ] && home=/home/${NB_USER}
target_dir=${TSGRAD_TUTORIALS_DIR:-${home}/tsgrad-tutorials}
if [ -d "$source_dir" ]; then
  mkdir -p "$target_dir"
  cp -Rn "$source_dir"/. "$target_dir"/ || echo "tsgrad: could not copy every tutorial into $target_dir" >&2
  if [ "$(id -u)" = 0 ] && [ -n "${NB_UID:-}" ]; then chown -R "${NB_UID}:${NB_GID:-100}" "$target_dir"; fi
fi
