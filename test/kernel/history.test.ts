import { describe, expect, it } from "vitest";
import { CURRENT_SESSION, History } from "../../kernel/history.js";

function sample(): History {
  const history = new History();
  const inputs = ["let x = 1", "x + 1", "print(x)", "x + 1", "const y = 2"];
  inputs.forEach((input, i) => history.recordInput(i + 1, input));
  history.recordOutput(2, "2");
  history.recordOutput(4, "2");
  return history;
}

describe("History", () => {
  it("tail returns the last n inputs in order as [session, line, input]", () => {
    expect(sample().query({ hist_access_type: "tail", n: 2 })).toEqual([
      [CURRENT_SESSION, 4, "x + 1"],
      [CURRENT_SESSION, 5, "const y = 2"],
    ]);
  });

  it("with output: true pairs each input with its text result (null when none)", () => {
    expect(sample().query({ hist_access_type: "tail", n: 2, output: true })).toEqual([
      [CURRENT_SESSION, 4, ["x + 1", "2"]],
      [CURRENT_SESSION, 5, ["const y = 2", null]],
    ]);
  });

  it("range selects start ≤ line < stop of the current session (0 also means current)", () => {
    const history = sample();
    expect(history.query({ hist_access_type: "range", session: CURRENT_SESSION, start: 2, stop: 3 })).toEqual([
      [CURRENT_SESSION, 2, "x + 1"],
    ]);
    expect(history.query({ hist_access_type: "range", session: 0, start: 4 }).map((h) => h[1])).toEqual([4, 5]);
    expect(history.query({ hist_access_type: "range", session: 7, start: 1 })).toEqual([]);
  });

  it("search matches a glob over whole inputs; unique keeps the latest of each; n keeps the last n", () => {
    const history = sample();
    expect(history.query({ hist_access_type: "search", pattern: "x*" }).map((h) => h[1])).toEqual([2, 4]);
    expect(history.query({ hist_access_type: "search", pattern: "x*", unique: true }).map((h) => h[1])).toEqual([4]);
    expect(history.query({ hist_access_type: "search", pattern: "*x*", n: 2 }).map((h) => h[1])).toEqual([3, 4]);
  });
});

it("a search whose pattern would backtrack exponentially answers at once (14 stars against 40 characters)", () => {
  const history = new History();
  history.recordInput(1, `// ${"a".repeat(40)}`);
  history.recordInput(2, `${"a".repeat(40)}b`);
  // With a backtracking regular expression this took minutes: each extra `*` tripled the time.
  expect(history.query({ hist_access_type: "search", pattern: `${"*a".repeat(14)}*b` }).map((h) => h[1])).toEqual([2]);
});
