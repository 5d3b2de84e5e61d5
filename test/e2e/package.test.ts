// The package as a user gets it, with no clone involved: `npm pack`, `npm install -g` of the
// tarball into a temporary prefix, `tsgrad install --sys-prefix` from that installed copy, then a
// kernel started from the kernelspec it wrote runs a cell that needs the whole package (the
// engine, the language service's declarations, the chart fonts).

import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, startKernel } from "../e2e/client.js";

const work = mkdtempSync(join(tmpdir(), "tsgrad-package-"));
const npmPrefix = join(work, "npm-prefix");
const jupyterPrefix = join(work, "jupyter-env");
let tarball = "";
let packedFiles: string[] = [];

function npm(args: string[], cwd = REPO_ROOT): string {
  return execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_update_notifier: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

beforeAll(() => {
  // --ignore-scripts: `prepare` would rebuild dist/ under the other tests' feet; the suite builds first.
  const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work])) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = join(work, (packed as { filename: string }).filename);
  packedFiles = (packed as { files: { path: string }[] }).files.map((file) => file.path);
  // The registry (or npm's cache) supplies the dependencies, as for any user.
  npm(["install", "--global", "--prefix", npmPrefix, "--prefer-offline", "--no-audit", "--no-fund", tarball], work);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the packed tarball", () => {
  it("holds what the kernel needs and no tests or benchmarks", () => {
    for (const needed of [
      "bin/tsgrad.js",
      "dist/kernel/main.js",
      "dist/engine/index.js",
      "dist/engine/index.d.ts",
      "kernel/logos/logo-64x64.png",
      "engine/plot/fonts/tsgradSans-Regular.ttf",
    ]) {
      expect(packedFiles).toContain(needed);
    }
    expect(
      packedFiles.filter((path) => /^(test|bench|dist\/bench|dist\/test)\//.test(path) || /\.test\.[jt]s$/.test(path)),
    ).toEqual([]);
  });

  it("installs with `npm install -g`, and `tsgrad install --sys-prefix` writes a kernelspec naming this Node and the installed copy", () => {
    const packageDir = join(npmPrefix, "lib", "node_modules", "tsgrad");
    const bin = join(npmPrefix, "bin", "tsgrad");
    expect(existsSync(bin)).toBe(true);
    // A stand-in for the Python environment Jupyter runs in: its bin/ holds `jupyter`.
    mkdirSync(join(jupyterPrefix, "bin"), { recursive: true });
    writeFileSync(join(jupyterPrefix, "bin", "jupyter"), "#!/bin/sh\n");
    chmodSync(join(jupyterPrefix, "bin", "jupyter"), 0o755);
    const out = execFileSync(process.execPath, [bin, "install", "--sys-prefix"], {
      cwd: work,
      encoding: "utf8",
      env: { ...process.env, PATH: `${join(jupyterPrefix, "bin")}:${process.env.PATH}` },
    });
    const folder = join(jupyterPrefix, "share", "jupyter", "kernels", "tsgrad");
    expect(out).toContain(folder);
    const spec = JSON.parse(readFileSync(join(folder, "kernel.json"), "utf8")) as { argv: string[] };
    expect(spec.argv).toEqual([process.execPath, join(packageDir, "dist", "kernel", "main.js"), "{connection_file}"]);
    expect(existsSync(join(folder, "logo-64x64.png"))).toBe(true);
  });

  it("runs a cell in the installed kernel: engine, type check and a chart's PNG", async () => {
    const spec = JSON.parse(
      readFileSync(join(jupyterPrefix, "share", "jupyter", "kernels", "tsgrad", "kernel.json"), "utf8"),
    ) as {
      argv: string[];
      env: Record<string, string>;
    };
    const kernel = await startKernel({ command: spec.argv.slice(1, -1), cwd: work, env: spec.env });
    try {
      const info = await kernel.request("shell", "kernel_info_request");
      expect(info.content.implementation).toBe("tsgrad");
      const { reply, outputs } = await kernel.execute(
        "const t: Tensor = tensor([1, 2, 3]).mul(2);\ndisplay(plot.line([1, 3, 2]));\nt.sum().item()",
        { timeoutMs: 120_000 },
      );
      expect(reply.content.status).toBe("ok");
      const result = outputs.find((m) => m.header.msg_type === "execute_result");
      expect((result?.content.data as Record<string, string>)["text/plain"]).toBe("12");
      const chart = outputs.find((m) => m.header.msg_type === "display_data");
      expect(Object.keys(chart?.content.data as object)).toContain("image/png");
      // Node's own types come from the package's @types/node (a dependency for this reason).
      const nodeTyped = await kernel.execute("const platform: NodeJS.Platform = process.platform;", {
        timeoutMs: 60_000,
      });
      expect(nodeTyped.reply.content.status).toBe("ok");
      // A type error is caught by the language service, which needs the package's declarations.
      const typed = await kernel.execute('const n: number = "two";', { timeoutMs: 60_000 });
      expect(typed.reply.content.status).toBe("error");
    } finally {
      await kernel.shutdown();
    }
  }, 180_000);
});
