import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { RESERVED_MB, type ReadFile, readCgroupLimits, readFileIfAny, runtimeLimits } from "../../kernel/limits.js";

const GIB = 2 ** 30;
const MIB = 2 ** 20;

/** A fake filesystem: path → content; everything else is missing. */
function fake(files: Record<string, string>): ReadFile {
  return (path) => files[path];
}

const V2_MOUNT = "35 25 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n";

describe("readCgroupLimits, cgroup v2", () => {
  it("reads a container's own group (cgroup namespace: the path is /)", () => {
    const read = fake({
      "/proc/self/cgroup": "0::/\n",
      "/proc/self/mountinfo": V2_MOUNT,
      "/sys/fs/cgroup/memory.max": "1073741824\n",
      "/sys/fs/cgroup/cpu.max": "150000 100000\n",
    });
    expect(readCgroupLimits(read)).toEqual({ memoryBytes: GIB, cpus: 1.5 });
  });

  it("reports nothing where the files say max", () => {
    const read = fake({
      "/proc/self/cgroup": "0::/\n",
      "/proc/self/mountinfo": V2_MOUNT,
      "/sys/fs/cgroup/memory.max": "max\n",
      "/sys/fs/cgroup/cpu.max": "max 100000\n",
    });
    expect(readCgroupLimits(read)).toEqual({});
  });

  it("takes the smallest limit on the way up (a pod's limit binds its container)", () => {
    const group = "/kubepods.slice/kubepods-pod1.slice/cri-abc.scope";
    const read = fake({
      "/proc/self/cgroup": `0::${group}\n`,
      "/proc/self/mountinfo": V2_MOUNT,
      [`/sys/fs/cgroup${group}/memory.max`]: "max\n",
      [`/sys/fs/cgroup${group}/cpu.max`]: "400000 100000\n",
      "/sys/fs/cgroup/kubepods.slice/kubepods-pod1.slice/memory.max": `${512 * MIB}\n`,
      "/sys/fs/cgroup/kubepods.slice/kubepods-pod1.slice/cpu.max": "50000 100000\n",
      "/sys/fs/cgroup/kubepods.slice/memory.max": `${8 * GIB}\n`,
    });
    expect(readCgroupLimits(read)).toEqual({ memoryBytes: 512 * MIB, cpus: 0.5 });
  });
});

describe("readCgroupLimits, cgroup v1", () => {
  it("reads Docker's v1 layout (the mount's root is the container's group)", () => {
    const read = fake({
      "/proc/self/cgroup": "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n",
      "/proc/self/mountinfo":
        "40 31 0:36 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n" +
        "41 31 0:37 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct\n",
      "/sys/fs/cgroup/memory/memory.limit_in_bytes": `${2 * GIB}\n`,
      "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "50000\n",
      "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
    });
    expect(readCgroupLimits(read)).toEqual({ memoryBytes: 2 * GIB, cpus: 0.5 });
  });

  it("reads v1 no-limit values (the 63-bit page-aligned maximum, quota -1) as none", () => {
    const read = fake({
      "/proc/self/cgroup": "4:memory:/\n2:cpu:/\n",
      "/proc/self/mountinfo":
        "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n" +
        "31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n",
      "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
      "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n",
      "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
    });
    expect(readCgroupLimits(read)).toEqual({});
  });

  it("reads each controller where it is mounted on a hybrid host (v1 memory beside an empty v2)", () => {
    const read = fake({
      "/proc/self/cgroup": "4:memory:/jobs/j7\n1:cpu:/\n0::/\n",
      "/proc/self/mountinfo":
        "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n" +
        "31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n" +
        "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
      "/sys/fs/cgroup/memory/jobs/j7/memory.limit_in_bytes": "9223372036854771712\n",
      "/sys/fs/cgroup/memory/jobs/memory.limit_in_bytes": `${3 * GIB}\n`,
      "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "200000\n",
      "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
    });
    expect(readCgroupLimits(read)).toEqual({ memoryBytes: 3 * GIB, cpus: 2 });
  });

  it("unescapes mount points with spaces", () => {
    const read = fake({
      "/proc/self/cgroup": "4:memory:/\n",
      "/proc/self/mountinfo": "34 30 0:31 / /mnt/my\\040cgroups rw - cgroup cgroup rw,memory\n",
      "/mnt/my cgroups/memory.limit_in_bytes": `${GIB}\n`,
    });
    expect(readCgroupLimits(read)).toEqual({ memoryBytes: GIB });
  });
});

describe("readCgroupLimits, elsewhere", () => {
  it("finds nothing without /proc (macOS, Windows) and garbage in the files changes nothing", () => {
    expect(readCgroupLimits(fake({}))).toEqual({});
    const read = fake({
      "/proc/self/cgroup": "0::/\n",
      "/proc/self/mountinfo": V2_MOUNT,
      "/sys/fs/cgroup/memory.max": "lots\n",
      "/sys/fs/cgroup/cpu.max": "0 100000\n",
    });
    expect(readCgroupLimits(read)).toEqual({});
  });

  it("reads real files through readFileIfAny (a fake tree on disk)", () => {
    const root = mkdtempSync(join(tmpdir(), "tsgrad-cgroup-"));
    try {
      const files: Record<string, string> = {
        "proc/self/cgroup": "0::/user.slice/app.scope\n",
        "proc/self/mountinfo": `35 25 0:30 / ${root}/sys/fs/cgroup rw - cgroup2 cgroup2 rw\n`,
        "sys/fs/cgroup/user.slice/app.scope/memory.max": `${768 * MIB}\n`,
        "sys/fs/cgroup/user.slice/cpu.max": "100000 100000\n",
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      const read: ReadFile = (path) => readFileIfAny(path.startsWith("/proc/") ? join(root, path) : path);
      expect(readCgroupLimits(read)).toEqual({ memoryBytes: 768 * MIB, cpus: 1 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("runtimeLimits", () => {
  const host = { totalMemoryBytes: 24 * GIB, cores: 2 };

  it("follows the host where nothing limits: a quarter of RAM (1–8 GiB), the engine's own thread count", () => {
    expect(runtimeLimits({ env: {}, cgroup: {}, ...host })).toEqual({
      runtimeMemoryMb: 6144,
      heapMb: 6144,
      warnings: [],
    });
    expect(runtimeLimits({ env: {}, cgroup: {}, totalMemoryBytes: 2 * GIB, cores: 1 }).heapMb).toBe(1024);
    expect(runtimeLimits({ env: {}, cgroup: {}, totalMemoryBytes: 256 * GIB, cores: 64 }).heapMb).toBe(8192);
  });

  it("sizes the runtime inside a container's limit, leaving room for the rest of the kernel and the server", () => {
    const limits = runtimeLimits({
      env: {},
      cgroup: { memoryBytes: GIB, cpus: 1.5 },
      totalMemoryBytes: 16 * GIB,
      cores: 8,
    });
    expect(limits).toEqual({ memoryLimitMb: 1024, runtimeMemoryMb: 601, heapMb: 601, threads: 1, warnings: [] });
    for (const mb of [512, 768, 1024, 2048, 4096, 16384]) {
      const { runtimeMemoryMb, heapMb } = runtimeLimits({ env: {}, cgroup: { memoryBytes: mb * MIB }, ...host });
      expect(runtimeMemoryMb + RESERVED_MB).toBeLessThanOrEqual(mb);
      expect(heapMb).toBeLessThanOrEqual(runtimeMemoryMb);
    }
    // A container larger than a quarter of the host keeps the host's heap cap.
    expect(runtimeLimits({ env: {}, cgroup: { memoryBytes: 64 * GIB }, ...host }).heapMb).toBe(6144);
    // A tiny one still gets a runtime that starts.
    expect(runtimeLimits({ env: {}, cgroup: { memoryBytes: 256 * MIB }, ...host }).heapMb).toBe(128);
  });

  it("hands the child a thread count from the CPU limit, within the cores, never below one", () => {
    const threads = (cpus: number, cores = 8) =>
      runtimeLimits({ env: {}, cgroup: { cpus }, totalMemoryBytes: 16 * GIB, cores }).threads;
    expect(threads(0.25)).toBe(1);
    expect(threads(2)).toBe(2);
    expect(threads(2.9)).toBe(2);
    expect(threads(16)).toBe(8);
  });

  it("lets the user's knobs win: TSGRAD_THREADS, TSGRAD_RUNTIME_HEAP_MB, TSGRAD_MEMORY_LIMIT_MB", () => {
    const cgroup = { memoryBytes: GIB, cpus: 1 };
    expect(runtimeLimits({ env: { TSGRAD_THREADS: "2" }, cgroup, ...host }).threads).toBeUndefined();
    expect(runtimeLimits({ env: { TSGRAD_RUNTIME_HEAP_MB: "300" }, cgroup, ...host }).heapMb).toBe(300);
    expect(runtimeLimits({ env: { TSGRAD_MEMORY_LIMIT_MB: "2048" }, cgroup, ...host })).toMatchObject({
      memoryLimitMb: 2048,
      heapMb: 1523,
    });
    const ignored = runtimeLimits({ env: { TSGRAD_MEMORY_LIMIT_MB: "0" }, cgroup, ...host });
    expect(ignored.memoryLimitMb).toBeUndefined();
    expect(ignored.heapMb).toBe(6144);
  });

  it("takes JupyterHub's MEM_LIMIT and CPU_LIMIT when smaller than the cgroup's (or where there is none)", () => {
    const env = { MEM_LIMIT: String(GIB), CPU_LIMIT: "0.5" };
    expect(runtimeLimits({ env, cgroup: {}, ...host })).toMatchObject({ memoryLimitMb: 1024, threads: 1 });
    expect(runtimeLimits({ env, cgroup: { memoryBytes: 512 * MIB }, ...host }).memoryLimitMb).toBe(512);
  });

  it("ignores malformed knobs with a warning instead of failing to start", () => {
    const limits = runtimeLimits({
      env: { TSGRAD_RUNTIME_HEAP_MB: "lots", TSGRAD_MEMORY_LIMIT_MB: "-5", MEM_LIMIT: "1G" },
      cgroup: { memoryBytes: 2 * GIB },
      ...host,
    });
    expect(limits.heapMb).toBe(1523);
    expect(limits.warnings).toEqual([
      'TSGRAD_MEMORY_LIMIT_MB="-5" ignored: expected MiB, or 0 for none',
      'MEM_LIMIT="1G" ignored: expected bytes',
      'TSGRAD_RUNTIME_HEAP_MB="lots" ignored: expected MiB (at least 16)',
    ]);
  });
});
