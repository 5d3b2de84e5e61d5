// The runtime's threads collect their garbage once idle, or after a run of work without a pause.
import { describe, expect, it } from "vitest";
import { IdleCollector } from "../../kernel/runtime/child/idle-gc.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("IdleCollector", () => {
  it("collects twice once the thread has been idle for its delay, not while work goes on", async () => {
    let collections = 0;
    const collector = new IdleCollector(30, Number.POSITIVE_INFINITY, () => collections++);
    collector.worked();
    collector.busy();
    await sleep(80);
    expect(collections).toBe(0); // busy again before the delay: nothing
    collector.worked();
    await sleep(150);
    expect(collections).toBe(2);
    await sleep(80);
    expect(collections).toBe(2); // nothing new to collect
  });

  it("collects after `atMostEvery` units of work without a pause, and counts again from there", () => {
    let collections = 0;
    const collector = new IdleCollector(60_000, 40, () => collections++);
    for (let i = 0; i < 39; i++) collector.worked();
    expect(collections).toBe(0);
    collector.worked();
    expect(collections).toBe(2);
    for (let i = 0; i < 39; i++) collector.worked();
    expect(collections).toBe(2);
    collector.worked();
    expect(collections).toBe(4);
    collector.busy(); // leaves no timer behind
  });
});
