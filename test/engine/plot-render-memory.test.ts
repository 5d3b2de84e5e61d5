// Charts drawn inside a synchronous loop (a live chart during training) leave nothing behind
// once drawn, though the loop never lets the thread's event loop turn: no Vega view is kept by a
// pending promise job, and the PNG's native image is made and freed on the rasterizer thread.
// Measured after full collections (V8's gc, exposed for this test), not timed.
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type * as ResvgModule from "@resvg/resvg-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { plot } from "../../engine/index.js";
import { clearInterrupt, requestInterrupt } from "../../engine/interrupt.js";
import { rasterizeOnThread, rasterizerThreadId } from "../../engine/plot/rasterizer.js";
import { renderPng, renderSvg } from "../../engine/plot/render.js";

// The rasterizer schedules with node:timers (the kernel tracks the global ones as cells'); route
// its timeouts to the global ones, which the fake clock drives.
vi.mock("node:timers", async (original) => ({
  ...(await original<typeof import("node:timers")>()),
  setTimeout: (callback: () => void, ms: number) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle: NodeJS.Timeout | undefined) => globalThis.clearTimeout(handle),
}));

const { Resvg } = createRequire(import.meta.url)("@resvg/resvg-js") as typeof ResvgModule;

function heapAfterCollections(): number {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const spec = plot.line(
  Array.from({ length: 200 }, (_, i) => Math.exp(-i / 50)),
  { title: "loss", logY: true },
).spec;

describe("charts drawn in a synchronous loop", () => {
  afterEach(() => {
    clearInterrupt();
    vi.useRealTimers();
  });

  // First in this file: no other test has started the rasterizer thread yet.
  it("draw a lone chart in place, and the second of a synchronous stretch on the rasterizer thread", async () => {
    await new Promise((resolve) => setImmediate(resolve));
    const lone = renderPng(spec).data;
    await new Promise((resolve) => setImmediate(resolve));
    expect(rasterizerThreadId()).toBeUndefined();
    const first = renderPng(spec).data;
    expect(rasterizerThreadId()).toBeUndefined();
    const second = renderPng(spec).data;
    expect(rasterizerThreadId()).toBeGreaterThan(0);
    expect(Buffer.from(first).equals(Buffer.from(lone))).toBe(true);
    expect(Buffer.from(second).equals(Buffer.from(lone))).toBe(true);
  });

  it("keep no Vega view once drawn (40 SVGs: under 2 MiB of heap; Vega's run() kept ~15)", () => {
    // The first few dozen grow the heap by ~2 MiB once (compiled code, caches).
    for (let i = 0; i < 40; i++) renderSvg(spec);
    const before = heapAfterCollections();
    for (let i = 0; i < 40; i++) renderSvg(spec);
    const grown = heapAfterCollections() - before;
    expect(grown).toBeLessThan(2 * 2 ** 20);
  });

  it("draw on the rasterizer thread the same PNG resvg draws on the calling thread", () => {
    const svg = renderSvg(spec).data;
    const options = { fitTo: { mode: "zoom" as const, value: 2 }, font: { loadSystemFonts: false } };
    const onThread = rasterizeOnThread(svg, options);
    expect(rasterizerThreadId()).toBeGreaterThan(0);
    expect(onThread).toBeDefined();
    expect(Buffer.from(onThread!).equals(new Resvg(svg, options).render().asPng())).toBe(true);
    const png = renderPng(spec).data;
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
  });

  it("stop waiting at an interrupt, and the next PNG is its own, not the abandoned one", () => {
    const big = renderSvg(plot.line(Array.from({ length: 2000 }, (_, i) => Math.sin(i / 10))).spec).data;
    const small = renderSvg(spec).data;
    const options = { fitTo: { mode: "zoom" as const, value: 1 }, font: { loadSystemFonts: false } };
    requestInterrupt();
    // The thread cannot answer within the caller's first look at its port: the wait is interrupted.
    expect(() => rasterizeOnThread(big, { ...options, fitTo: { mode: "zoom", value: 4 } })).toThrow(
      expect.objectContaining({ name: "KeyboardInterrupt" }),
    );
    const next = rasterizeOnThread(small, options);
    expect(Buffer.from(next!).equals(new Resvg(small, options).render().asPng())).toBe(true);
  });

  it("end the rasterizer thread 30 s after its last PNG; the next PNG starts it again", async () => {
    vi.useFakeTimers();
    const svg = renderSvg(spec).data;
    const options = { fitTo: { mode: "zoom" as const, value: 1 }, font: { loadSystemFonts: false } };
    rasterizeOnThread(svg, options);
    const first = rasterizerThreadId();
    expect(first).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(rasterizerThreadId()).toBe(first);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(rasterizerThreadId()).toBeUndefined();
    expect(rasterizeOnThread(svg, options)).toBeDefined();
    expect(rasterizerThreadId()).toBeGreaterThan(first!);
  });
});
