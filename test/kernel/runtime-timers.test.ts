// Cell timers are tracked so an interrupt can cancel them; a timer that fired or was cleared is
// forgotten, or a long session would keep every one (the runtime's own request timers too).
import { beforeAll, describe, expect, it } from "vitest";
import {
  cancelCellTimers,
  pendingCellTimers,
  runtimeSetTimeout,
  trackCellTimers,
} from "../../kernel/runtime/child/timers.js";

const pause = (ms: number) => new Promise((done) => runtimeSetTimeout(done, ms));

describe("cell timers", () => {
  beforeAll(() => trackCellTimers());

  it("are forgotten once cleared, whichever kind", () => {
    const before = pendingCellTimers();
    const timeout = setTimeout(() => {}, 60_000);
    const interval = setInterval(() => {}, 60_000);
    const immediate = setImmediate(() => {});
    expect(pendingCellTimers()).toBe(before + 3);
    clearTimeout(timeout);
    clearInterval(interval);
    clearImmediate(immediate);
    expect(pendingCellTimers()).toBe(before);
  });

  it("are forgotten once fired", async () => {
    const before = pendingCellTimers();
    await new Promise((done) => setTimeout(done, 1));
    await new Promise((done) => setImmediate(done));
    expect(pendingCellTimers()).toBe(before);
  });

  it("are all cancelled by an interrupt", async () => {
    let fired = 0;
    setTimeout(() => fired++, 5);
    setInterval(() => fired++, 5);
    expect(cancelCellTimers()).toBe(2);
    expect(pendingCellTimers()).toBe(0);
    await pause(30);
    expect(fired).toBe(0);
  });
});
