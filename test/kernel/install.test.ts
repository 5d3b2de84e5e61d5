import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  installKernelSpec,
  kernelSpec,
  kernelsDir,
  LOGO_FILES,
  PACKAGE_ROOT,
  userDataDir,
} from "../../kernel/install.js";

const temps: string[] = [];
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), "tsgrad-install-"));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("kernelspec", () => {
  it("launches node on the built kernel by absolute paths, with message interrupts and quiet Node", () => {
    const spec = kernelSpec();
    expect(spec.argv).toHaveLength(3);
    expect(isAbsolute(spec.argv[0]!)).toBe(true);
    expect(spec.argv[1]).toBe(join(PACKAGE_ROOT, "dist", "kernel", "main.js"));
    expect(spec.argv[2]).toBe("{connection_file}");
    expect(spec).toMatchObject({
      display_name: "tsgrad (TypeScript)",
      language: "typescript",
      interrupt_mode: "message",
      env: { NODE_NO_WARNINGS: "1" },
    });
  });

  it("matches the top-level kernel.json except for argv (which there relies on `tsgrad` on PATH)", () => {
    const topLevel = JSON.parse(readFileSync(join(PACKAGE_ROOT, "kernel.json"), "utf8"));
    const { argv: _a, ...fromInstaller } = kernelSpec();
    const { argv, ...handWritten } = topLevel;
    expect(handWritten).toEqual(fromInstaller);
    expect(argv).toEqual(["tsgrad", "kernel", "{connection_file}"]);
  });
});

describe("installKernelSpec", () => {
  it("--prefix DIR writes kernel.json and the three logos to DIR/share/jupyter/kernels/NAME", () => {
    const prefix = temp();
    const folder = installKernelSpec({
      target: { kind: "prefix", dir: prefix },
      name: "My-Kernel",
      displayName: "Mine",
    });
    expect(folder).toBe(join(prefix, "share", "jupyter", "kernels", "my-kernel"));
    const written = JSON.parse(readFileSync(join(folder, "kernel.json"), "utf8"));
    expect(written.display_name).toBe("Mine");
    expect(existsSync(written.argv[1])).toBe(true);
    for (const logo of LOGO_FILES) expect(existsSync(join(folder, logo))).toBe(true);
    // The PNGs really are PNGs of the named sizes.
    const png = readFileSync(join(folder, "logo-64x64.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([64, 64]);
  });

  it("--user follows JUPYTER_DATA_DIR, then XDG_DATA_HOME, then ~/.local/share/jupyter", () => {
    expect(kernelsDir({ kind: "user" }, { JUPYTER_DATA_DIR: "/data/j" })).toBe("/data/j/kernels");
    if (process.platform === "linux") {
      expect(userDataDir({ XDG_DATA_HOME: "/xdg", HOME: "/home/u" })).toBe("/xdg/jupyter");
      expect(userDataDir({ HOME: "/home/u" })).toBe("/home/u/.local/share/jupyter");
    }
  });

  it("--sys-prefix uses the prefix of the jupyter on PATH", () => {
    const prefix = temp();
    mkdirSync(join(prefix, "bin"));
    writeFileSync(join(prefix, "bin", "jupyter"), "#!/bin/sh\n");
    chmodSync(join(prefix, "bin", "jupyter"), 0o755);
    expect(kernelsDir({ kind: "sys-prefix" }, { PATH: `/nonexistent:${join(prefix, "bin")}` })).toBe(
      join(prefix, "share", "jupyter", "kernels"),
    );
    expect(() => kernelsDir({ kind: "sys-prefix" }, { PATH: "/nonexistent" })).toThrow(/--prefix/);
  });

  it("refuses kernel names Jupyter would not accept", () => {
    expect(() => installKernelSpec({ target: { kind: "prefix", dir: temp() }, name: "bad name/x" })).toThrow(
      /invalid kernel name/,
    );
  });
});

describe("bin/tsgrad.js", () => {
  it("installs with --prefix and --display-name from the command line", () => {
    const prefix = temp();
    const run = spawnSync(
      process.execPath,
      [join(PACKAGE_ROOT, "bin", "tsgrad.js"), "install", "--prefix", prefix, "--display-name", "TS (test)"],
      {
        encoding: "utf8",
      },
    );
    expect(run.status).toBe(0);
    const spec = JSON.parse(readFileSync(join(prefix, "share/jupyter/kernels/tsgrad/kernel.json"), "utf8"));
    expect(spec.display_name).toBe("TS (test)");
  });

  it("fails with usage on an unknown option", () => {
    const run = spawnSync(process.execPath, [join(PACKAGE_ROOT, "bin", "tsgrad.js"), "install", "--bogus"], {
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown option --bogus[\s\S]*usage/);
  });
});
