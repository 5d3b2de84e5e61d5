import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RequestOutput } from "../../kernel/iopub.js";

describe("RequestOutput", () => {
  let sent: Array<[string, Record<string, unknown>]>;
  let output: RequestOutput;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    output = new RequestOutput(async (type, content) => {
      sent.push([type, content]);
    }, 50);
  });
  afterEach(() => vi.useRealTimers());

  it("batches consecutive text of one stream into one message after the batch interval", () => {
    for (let i = 0; i < 1000; i++) output.stream("stdout", `${i}\n`);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(sent).toHaveLength(1);
    const text = sent[0]![1].text as string;
    expect(text.split("\n").slice(0, -1)).toEqual(Array.from({ length: 1000 }, (_, i) => `${i}`));
  });

  it("keeps the order of stdout, stderr and displays", async () => {
    output.stream("stdout", "a");
    output.stream("stderr", "b");
    output.stream("stdout", "c");
    void output.message("display_data", { data: { "text/plain": "d" } });
    output.stream("stdout", "e");
    await output.flush();
    expect(sent.map(([type, c]) => (type === "stream" ? `${c.name}:${c.text}` : type))).toEqual([
      "stdout:a",
      "stderr:b",
      "stdout:c",
      "display_data",
      "stdout:e",
    ]);
  });
});
