// Writes the tsgrad kernelspec where Jupyter looks for kernels, without Python: the same
// places `jupyter kernelspec install` uses (--user, --sys-prefix, --prefix DIR).

import { copyFileSync, existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const DEFAULT_NAME = "tsgrad";
export const DEFAULT_DISPLAY_NAME = "tsgrad (TypeScript)";
export const LOGO_FILES = ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"] as const;

/** The package root (holds package.json, dist/, kernel/logos/), from dist/kernel/ or kernel/. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

export type InstallTarget = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; dir: string };

export interface InstallOptions {
  target: InstallTarget;
  name?: string;
  displayName?: string;
  env?: NodeJS.ProcessEnv;
}

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: "typescript";
  interrupt_mode: "message";
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

/** The kernel.json content: absolute node and kernel paths, so Jupyter's PATH does not matter. */
export function kernelSpec(displayName = DEFAULT_DISPLAY_NAME): KernelSpec {
  return {
    argv: [process.execPath, join(PACKAGE_ROOT, "dist", "kernel", "main.js"), "{connection_file}"],
    display_name: displayName,
    language: "typescript",
    // The protocol process answers interrupt_request on control and forwards it to the runtime.
    interrupt_mode: "message",
    // Node's own warnings must not reach a cell's stderr (graders fail cells that write there).
    env: { NODE_NO_WARNINGS: "1" },
    metadata: { debugger: false },
  };
}

/** Jupyter's user data dir, as jupyter_core computes it (JUPYTER_DATA_DIR, then the platform default). */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return resolve(env.JUPYTER_DATA_DIR);
  const home = env.HOME || homedir();
  if (process.platform === "darwin") return join(home, "Library", "Jupyter");
  if (process.platform === "win32") return join(env.APPDATA || join(home, "AppData", "Roaming"), "jupyter");
  return join(env.XDG_DATA_HOME || join(home, ".local", "share"), "jupyter");
}

/**
 * The Python environment Jupyter runs in (`sys.prefix` for `--sys-prefix`): the prefix of the
 * `jupyter` found on PATH (…/bin/jupyter → …), or of the active virtualenv / conda env.
 */
export function sysPrefix(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, "jupyter"))) return dirname(resolve(dir));
  }
  const active = env.VIRTUAL_ENV || env.CONDA_PREFIX;
  if (active) return resolve(active);
  throw new Error("--sys-prefix: no `jupyter` on PATH and no active virtualenv/conda env; use --prefix DIR");
}

export function kernelsDir(target: InstallTarget, env: NodeJS.ProcessEnv = process.env): string {
  switch (target.kind) {
    case "user":
      return join(userDataDir(env), "kernels");
    case "sys-prefix":
      return join(sysPrefix(env), "share", "jupyter", "kernels");
    case "prefix":
      return join(resolve(target.dir), "share", "jupyter", "kernels");
  }
}

/** Writes kernel.json and the logos to `<kernels dir>/<name>`; returns that folder. */
export function installKernelSpec(options: InstallOptions): string {
  const name = options.name ?? DEFAULT_NAME;
  // Jupyter kernel names: letters, digits, `-`, `.`, `_` (jupyter_client's NAME_PAT).
  if (!/^[a-z0-9._-]+$/i.test(name))
    throw new Error(`invalid kernel name ${JSON.stringify(name)}: use letters, digits, - . _`);
  const mainJs = join(PACKAGE_ROOT, "dist", "kernel", "main.js");
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run \`npm run build\` first`);
  const folder = join(kernelsDir(options.target, options.env), name.toLowerCase());
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "kernel.json"), `${JSON.stringify(kernelSpec(options.displayName), null, 2)}\n`);
  for (const logo of LOGO_FILES) copyFileSync(join(PACKAGE_ROOT, "kernel", "logos", logo), join(folder, logo));
  return folder;
}

function findPackageRoot(start: string): string {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "kernel", "logos"))) return realpathSync(dir);
  }
  throw new Error(`cannot find the tsgrad package root above ${start}`);
}
