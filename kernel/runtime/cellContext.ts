// Which execute the code running now belongs to: the latest cell started. Output, displays and
// input requests made later by a finished cell's timers or promises go to it as well, as
// ipykernel does for background output.
//
// Deliberately not AsyncLocalStorage: its promise hooks leave Node's async-id stack unbalanced
// when the watchdog terminates a runaway loop (watchdog.ts), and Node then aborts.

export interface CellRun {
  execId: number;
  allowStdin: boolean;
}

let latest: CellRun | undefined;

/** Marks `run` as the cell that output from now on belongs to. */
export function startRun(run: CellRun): void {
  latest = run;
}

/** The cell output belongs to (undefined before the first cell). */
export function currentRun(): CellRun | undefined {
  return latest;
}
