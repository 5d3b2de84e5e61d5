// What the kernel may use on this machine: the cell runtime's memory and heap limits and the
// worker count of the engine's pool. On a host they follow the host (as before); in a container
// (Docker, Kubernetes, a JupyterHub spawner) they follow the cgroup's memory and CPU limits,
// because the host's RAM and cores are not the student's: a heap sized from 24 GiB of host RAM
// inside a 1 GiB pod lets the kernel grow until the system's OOM killer ends it without a word,
// where tsgrad's own limit would have told the cell "the runtime ran out of memory" and restarted.
//
// Pure: the cgroup reader takes a function that reads a file, so tests feed fake cgroup trees.

import { readFileSync } from "node:fs";
import { posix } from "node:path";

/** Limits found in the kernel's cgroup (v1 or v2); a field is absent where nothing limits it. */
export interface CgroupLimits {
  /** The memory limit in bytes, the smallest on the way from the kernel's group to the root. */
  memoryBytes?: number;
  /** The CPU quota in cores (quota / period), e.g. 0.5 or 2; the smallest on the way up. */
  cpus?: number;
}

/** Reads a whole file, or undefined when it is missing or unreadable. */
export type ReadFile = (path: string) => string | undefined;

export const readFileIfAny: ReadFile = (path) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

/** cgroup v1 writes "no limit" as the largest page-aligned 63-bit number; anything this large is none. */
const V1_UNLIMITED = 2 ** 60;

interface Membership {
  /** The hierarchy id: 0 for v2's unified hierarchy. */
  id: number;
  controllers: string[];
  path: string;
}

interface CgroupMount {
  version: 1 | 2;
  root: string;
  mountPoint: string;
  /** v1: the controllers this hierarchy carries (its super options); v2: all of them. */
  controllers: string[];
}

/** Lines of /proc/self/cgroup: `id:controllers:path` (v2's line is `0::/path`). */
export function parseProcCgroup(text: string): Membership[] {
  const out: Membership[] = [];
  for (const line of text.split("\n")) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    out.push({ id: Number(match[1]), controllers: match[2] ? match[2].split(",") : [], path: match[3] as string });
  }
  return out;
}

/** cgroup and cgroup2 mounts of /proc/self/mountinfo (proc(5): fields, ` - `, fstype, source, super options). */
export function parseMountInfo(text: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of text.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const fields = left.split(" ");
    const [fstype, , superOptions = ""] = right.split(" ");
    const root = unescapeMount(fields[3] ?? "/");
    const mountPoint = unescapeMount(fields[4] ?? "");
    if (fstype === "cgroup2") out.push({ version: 2, root, mountPoint, controllers: [] });
    else if (fstype === "cgroup") out.push({ version: 1, root, mountPoint, controllers: superOptions.split(",") });
  }
  return out;
}

/**
 * The memory and CPU limits of the cgroup this process runs in, v1 or v2 (or a hybrid: each
 * controller is read where it is mounted), walking up to the mount's root since a limit set on a
 * parent group (a pod, a systemd slice) binds its children too.
 *
 * @example readCgroupLimits() // in a `docker run -m 1g --cpus 1.5` container: { memoryBytes: 1073741824, cpus: 1.5 }
 */
export function readCgroupLimits(read: ReadFile = readFileIfAny): CgroupLimits {
  const memberships = parseProcCgroup(read("/proc/self/cgroup") ?? "");
  const mounts = parseMountInfo(read("/proc/self/mountinfo") ?? "");
  const limits: CgroupLimits = {};

  const memory = controllerDirs("memory", memberships, mounts);
  if (memory) {
    const values = memory.dirs.map((dir) =>
      memory.version === 2
        ? parseV2Memory(read(posix.join(dir, "memory.max")))
        : parseV1Memory(read(posix.join(dir, "memory.limit_in_bytes"))),
    );
    const smallest = minDefined(values);
    if (smallest !== undefined) limits.memoryBytes = smallest;
  }

  const cpu = controllerDirs("cpu", memberships, mounts);
  if (cpu) {
    const values = cpu.dirs.map((dir) =>
      cpu.version === 2
        ? parseV2Cpu(read(posix.join(dir, "cpu.max")))
        : parseV1Cpu(read(posix.join(dir, "cpu.cfs_quota_us")), read(posix.join(dir, "cpu.cfs_period_us"))),
    );
    const smallest = minDefined(values);
    if (smallest !== undefined) limits.cpus = smallest;
  }
  return limits;
}

/**
 * The folders to read a controller's files from, innermost first: the process's group under the
 * hierarchy's mount, then each parent up to the mount point. A v1 hierarchy that carries the
 * controller wins over v2 (on a hybrid host the unified hierarchy then has no such controller).
 */
function controllerDirs(
  controller: "memory" | "cpu",
  memberships: Membership[],
  mounts: CgroupMount[],
): { version: 1 | 2; dirs: string[] } | undefined {
  const v1 = memberships.find((m) => m.id !== 0 && m.controllers.includes(controller));
  if (v1) {
    const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
    const fallback = {
      version: 1 as const,
      root: "/",
      mountPoint: `/sys/fs/cgroup/${controller}`,
      controllers: [controller],
    };
    return { version: 1, dirs: groupDirs(v1.path, mount ?? fallback) };
  }
  const v2 = memberships.find((m) => m.id === 0);
  if (v2) {
    const mount = mounts.find((m) => m.version === 2) ?? {
      version: 2 as const,
      root: "/",
      mountPoint: "/sys/fs/cgroup",
      controllers: [],
    };
    return { version: 2, dirs: groupDirs(v2.path, mount) };
  }
  return undefined;
}

function groupDirs(groupPath: string, mount: CgroupMount): string[] {
  // Outside a cgroup namespace the path includes the mount's root (v1 in Docker: the mount's root
  // is the container's group), which we strip; a path elsewhere is not visible here, and the
  // mount's own folder is then the nearest group we can read.
  let relative = posix.normalize(groupPath);
  if (mount.root !== "/") {
    relative =
      relative === mount.root || relative.startsWith(`${mount.root}/`) ? relative.slice(mount.root.length) || "/" : "/";
  }
  const dirs: string[] = [];
  for (let dir = relative; ; dir = posix.dirname(dir)) {
    dirs.push(posix.join(mount.mountPoint, dir));
    if (dir === "/" || dir === ".") break;
  }
  return dirs;
}

function parseV2Memory(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (!value || value === "max") return undefined;
  const bytes = Number(value);
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}

function parseV1Memory(text: string | undefined): number | undefined {
  const bytes = Number(text?.trim());
  return Number.isFinite(bytes) && bytes > 0 && bytes < V1_UNLIMITED ? bytes : undefined;
}

function parseV2Cpu(text: string | undefined): number | undefined {
  const [quota, period = "100000"] = (text ?? "").trim().split(/\s+/);
  if (!quota || quota === "max") return undefined;
  return cores(Number(quota), Number(period));
}

function parseV1Cpu(quota: string | undefined, period: string | undefined): number | undefined {
  return cores(Number(quota?.trim()), Number(period?.trim() ?? "100000"));
}

function cores(quota: number, period: number): number | undefined {
  return Number.isFinite(quota) && quota > 0 && Number.isFinite(period) && period > 0 ? quota / period : undefined;
}

function minDefined(values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.min(...defined) : undefined;
}

/** Mount paths escape space, tab, newline and backslash as octal (`\040`). */
function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** The runtime's limits as the parent hands them to the runtime child. */
export interface RuntimeLimits {
  /** The memory the whole kernel lives in (a container's limit or TSGRAD_MEMORY_LIMIT_MB), if any. */
  memoryLimitMb?: number;
  /** What the runtime child may use in all (heap, typed arrays, WebAssembly) before tsgrad stops it. */
  runtimeMemoryMb: number;
  /** The child's V8 heap limit (`--max-old-space-size`). */
  heapMb: number;
  /** TSGRAD_THREADS for the child, from a CPU limit; absent when the user set it or nothing limits. */
  threads?: number;
  /** Knobs that were malformed and ignored, for the kernel's log. */
  warnings: string[];
}

export interface LimitsInput {
  env: NodeJS.ProcessEnv;
  cgroup: CgroupLimits;
  totalMemoryBytes: number;
  cores: number;
}

const MIB = 2 ** 20;
/**
 * Kept out of the runtime's share of a memory limit: the Jupyter server in the same container
 * (~90 MiB), the kernel's protocol process (~50 MiB), the language service's worker (~120 MiB),
 * V8's young generation and code space, plus a tenth of the limit for what grows with it
 * (allocator slack, pool workers' stacks). Measured on the tutorials; see the README.
 */
export const RESERVED_MB = 320;
export const RESERVED_SHARE = 0.1;
/** The runtime never gets less than this, even in a tiny container (it would not start). */
export const MIN_RUNTIME_MB = 128;

/**
 * The runtime child's memory, heap and thread limits from the environment's knobs, the cgroup's
 * limits, and the host. Precedence: TSGRAD_RUNTIME_HEAP_MB / TSGRAD_THREADS as set; else
 * TSGRAD_MEMORY_LIMIT_MB (0 ignores the container's limit); else the smaller of the cgroup's limit
 * and JupyterHub's MEM_LIMIT / CPU_LIMIT; else the host (a quarter of RAM, 1–8 GiB; every core).
 *
 * @example runtimeLimits({ env: {}, cgroup: { memoryBytes: 2 ** 30, cpus: 1.5 }, totalMemoryBytes: 2 ** 34, cores: 8 })
 * // → { memoryLimitMb: 1024, runtimeMemoryMb: 602, heapMb: 602, threads: 1, warnings: [] }
 */
export function runtimeLimits({ env, cgroup, totalMemoryBytes, cores }: LimitsInput): RuntimeLimits {
  const warnings: string[] = [];
  const knob = (name: string, valid: (value: number) => boolean, expected: string): number | undefined => {
    const text = env[name]?.trim();
    if (!text) return undefined;
    const value = Number(text);
    if (Number.isFinite(value) && valid(value)) return value;
    warnings.push(`${name}=${JSON.stringify(env[name])} ignored: expected ${expected}`);
    return undefined;
  };
  const positive = (value: number) => value > 0;

  const hostHeapMb = Math.min(8192, Math.max(1024, Math.floor(totalMemoryBytes / 4 / MIB)));
  const override = knob("TSGRAD_MEMORY_LIMIT_MB", (v) => v >= 0, "MiB, or 0 for none");
  const hubMemory = knob("MEM_LIMIT", positive, "bytes");
  const memoryLimitMb =
    override !== undefined
      ? override || undefined
      : minDefined(
          [cgroup.memoryBytes, hubMemory].map((bytes) => (bytes === undefined ? undefined : Math.floor(bytes / MIB))),
        );

  const runtimeMemoryMb =
    memoryLimitMb === undefined
      ? hostHeapMb
      : Math.max(MIN_RUNTIME_MB, Math.floor(memoryLimitMb * (1 - RESERVED_SHARE) - RESERVED_MB));
  const heapMb = Math.floor(
    knob("TSGRAD_RUNTIME_HEAP_MB", (v) => v >= 16, "MiB (at least 16)") ?? Math.min(hostHeapMb, runtimeMemoryMb),
  );

  const limits: RuntimeLimits = { runtimeMemoryMb, heapMb, warnings };
  if (memoryLimitMb !== undefined) limits.memoryLimitMb = memoryLimitMb;
  if (!env.TSGRAD_THREADS?.trim()) {
    const cpus = minDefined([cgroup.cpus, knob("CPU_LIMIT", positive, "cores")]);
    if (cpus !== undefined) limits.threads = Math.max(1, Math.min(cores, Math.floor(cpus)));
  }
  return limits;
}
