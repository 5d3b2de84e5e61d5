// A Python child that times named workloads on request, so a Python library (NumPy, PyTorch) can
// be measured round by round between our own timing blocks, in the same run, under the same load.
// The script defines `WORKLOADS = {name: setup}`, where `setup()` returns the function to time,
// and may set `INFO` (a line saying what it runs on); this module appends the request loop:
// "name reps" in, seconds per call out.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface PythonTimer {
  /** The script's `INFO` line ("" when it sets none), e.g. which BLAS library it loaded. */
  info: string;
  /** Seconds per call of workload `name`, timed over `reps` calls after one untimed call. */
  time(name: string, reps: number): Promise<number>;
  close(): void;
}

const REQUEST_LOOP = `
import sys, time
_ready = {}
print("ready", globals().get("INFO", ""), flush=True)
for _line in sys.stdin:
    _name, _reps = _line.split()
    if _name not in _ready:
        _ready[_name] = WORKLOADS[_name]()
        _ready[_name]()
    _fn = _ready[_name]
    _t = time.perf_counter()
    for _ in range(int(_reps)): _fn()
    print((time.perf_counter() - _t) / int(_reps), flush=True)
`;

/**
 * Starts `/usr/bin/python3` on `script` + the request loop; a string says why it could not start
 * (Python or a module missing), so a benchmark can skip with that reason.
 */
export async function startPythonTimer(
  script: string,
  env: Record<string, string> = {},
): Promise<PythonTimer | string> {
  const child = spawn("/usr/bin/python3", ["-c", `${script}\n${REQUEST_LOOP}`], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const spawnError = new Promise<never>((_, reject) => child.on("error", reject));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const r = await Promise.race([lines.next(), spawnError]);
    if (r.done) throw new Error(stderr.trim().split("\n").pop() ?? "python exited");
    return r.value;
  };
  let info: string;
  try {
    const first = await next();
    if (!first.startsWith("ready ")) return "the Python timer did not start";
    info = first.slice("ready ".length);
  } catch (error) {
    return `Python unavailable (${(error as Error).message})`;
  }
  return {
    info,
    async time(name, reps) {
      child.stdin.write(`${name} ${reps}\n`);
      const answer = await next();
      const seconds = Number(answer);
      if (!Number.isFinite(seconds)) throw new Error(`Python timer: ${answer}`);
      return seconds;
    },
    close: () => child.stdin.end(),
  };
}
