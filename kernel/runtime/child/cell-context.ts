// Which execute the code running now belongs to. A timer callback belongs to the cell that
// started the timer (timers.ts runs it under that cell); anything else, such as a promise
// continuation, to the latest cell started, as ipykernel does for background output.
//
// Deliberately not AsyncLocalStorage: its promise hooks leave Node's async-id stack unbalanced
// when the watchdog terminates a runaway loop (watchdog.ts), and Node then aborts.

export interface CellRun {
  execId: number;
  allowStdin: boolean;
}

let latest: CellRun | undefined;
let callbackOwner: CellRun | undefined;

/** Marks `run` as the cell that output from now on belongs to. */
export function startRun(run: CellRun): void {
  latest = run;
}

/** Runs a callback (synchronously) on behalf of the cell that scheduled it. */
export function runOnBehalfOf<T>(run: CellRun | undefined, callback: () => T): T {
  const previous = callbackOwner;
  callbackOwner = run;
  try {
    return callback();
  } finally {
    callbackOwner = previous;
  }
}

/** After the watchdog unwound a timer's callback (its `finally` never ran): no callback runs now. */
export function forgetCallbackOwner(): void {
  callbackOwner = undefined;
}

/** The cell output belongs to (undefined before the first cell). */
export function currentRun(): CellRun | undefined {
  return callbackOwner ?? latest;
}
