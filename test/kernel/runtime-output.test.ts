// The child's output channel: batching of stream text and ordering with other messages.
import { describe, expect, it } from "vitest";
import { OutputChannel } from "../../kernel/runtime/child/output.js";
import type { FromChild } from "../../kernel/runtime/ipc.js";

function channel(flushAboveChars = 1000) {
  const sent: FromChild[] = [];
  const timers: (() => void)[] = [];
  const output = new OutputChannel(
    (message) => sent.push(message),
    (flush) => {
      timers.push(flush);
      return setTimeout(() => {}, 0);
    },
    50,
    flushAboveChars,
  );
  const fireTimers = () => timers.splice(0).forEach((flush) => flush());
  return { output, sent, fireTimers };
}

const text = (sent: FromChild[]) => sent.map((m) => (m.type === "stream" ? `${m.name}:${m.text}` : m.type));

describe("OutputChannel", () => {
  it("sends the first write after a quiet spell at once and batches the rest of the burst", () => {
    const { output, sent, fireTimers } = channel();
    output.stream(1, "stdout", "a\n");
    expect(text(sent)).toEqual(["stdout:a\n"]);
    output.stream(1, "stdout", "b\n");
    output.stream(1, "stdout", "c\n");
    expect(sent).toHaveLength(1);
    fireTimers();
    expect(text(sent)).toEqual(["stdout:a\n", "stdout:b\nc\n"]);
  });

  it("flushes at once past the size limit", () => {
    const { output, sent } = channel(10);
    output.stream(1, "stdout", "first\n");
    output.stream(1, "stdout", "0123456789\n");
    expect(text(sent)).toEqual(["stdout:first\n", "stdout:0123456789\n"]);
  });

  it("keeps streams, other messages and executes apart and in order", () => {
    const { output, sent } = channel();
    output.stream(1, "stdout", "x");
    output.stream(1, "stdout", "out");
    output.stream(1, "stderr", "err");
    output.stream(2, "stderr", "other cell");
    output.message({ type: "clearOutput", execId: 2, wait: false });
    expect(sent).toEqual([
      { type: "stream", execId: 1, name: "stdout", text: "x" },
      { type: "stream", execId: 1, name: "stdout", text: "out" },
      { type: "stream", execId: 1, name: "stderr", text: "err" },
      { type: "stream", execId: 2, name: "stderr", text: "other cell" },
      { type: "clearOutput", execId: 2, wait: false },
    ]);
  });
});
