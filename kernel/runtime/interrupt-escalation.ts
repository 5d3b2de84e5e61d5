// What the parent does while an interrupted cell goes on running. The interrupt itself (the
// engine's flag, the "interrupt" message) stops most cells at once; past TERMINATE_AFTER_MS the
// child's watchdog terminates the cell's JavaScript, and only a cell still running after
// RESTART_AFTER_MS (native code that never returns) costs the runtime and every variable.
// While the runtime is still compiling the cell, the watchdog says so instead of terminating
// (the compiler must not be unwound), and the clock starts again.

/**
 * After TERMINATE_AFTER_MS the watchdog terminates; the restart waits long enough for a loaded
 * machine (at 1.5 s, 2 interrupts in 100 of a tensor loop restarted the runtime).
 */
const TERMINATE_AFTER_MS = 250;
const RESTART_AFTER_MS = 5000;

export interface EscalationSteps {
  /** Asks the child's watchdog to terminate execute `execId`'s JavaScript. */
  terminate(execId: number): void;
  /** Gives up on execute `execId`: replaces the runtime. */
  restart(execId: number): void;
}

export class InterruptEscalation {
  private execId: number | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly steps: EscalationSteps) {}

  /** An interrupt of the running execute `execId`; a repeated interrupt does not restart the clock. */
  begin(execId: number): void {
    if (this.execId === execId) return;
    this.cancel();
    this.execId = execId;
    this.arm(execId);
  }

  /** The watchdog found the runtime compiling execute `execId`: ask again later. */
  stillCompiling(execId: number): void {
    if (this.execId !== execId) return;
    this.clearTimers();
    this.arm(execId);
  }

  /** The execute ended, or its runtime is gone. */
  cancel(): void {
    this.clearTimers();
    this.execId = undefined;
  }

  private arm(execId: number): void {
    this.timers.push(
      setTimeout(() => this.steps.terminate(execId), TERMINATE_AFTER_MS),
      setTimeout(() => {
        this.cancel();
        this.steps.restart(execId);
      }, RESTART_AFTER_MS),
    );
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}

/** Also used after an interrupt while idle: a cell's timer callback may spin. */
export const IDLE_TERMINATE_AFTER_MS = TERMINATE_AFTER_MS;
