// The inputs (and text outputs) of this kernel session, answering `history_request` the way
// IPython's HistoryManager does: `tail`, `range` and `search` (a glob, with `unique` and `n`).
// Entries are `[session, line, input]`, or `[session, line, [input, output]]` with output.

import { Glob } from "./glob.js";
import type { HistoryRequest } from "./protocol/messages.js";

/** IPython numbers sessions; this kernel only ever has its current one. */
export const CURRENT_SESSION = 1;

interface Entry {
  line: number;
  input: string;
  output: string | null;
}

export type HistoryItem = [session: number, line: number, source: string | [input: string, output: string | null]];

export class History {
  private readonly entries: Entry[] = [];

  /** Remembers the input of execution `line` (an execution count). */
  recordInput(line: number, input: string): void {
    this.entries.push({ line, input, output: null });
  }

  /** Remembers the `text/plain` result of execution `line`. */
  recordOutput(line: number, output: string): void {
    const entry = this.entries.findLast((candidate) => candidate.line === line);
    if (entry) entry.output = output;
  }

  query(request: HistoryRequest): HistoryItem[] {
    const selected = this.select(request);
    return selected.map((entry) => [
      CURRENT_SESSION,
      entry.line,
      request.output ? [entry.input, entry.output] : entry.input,
    ]);
  }

  private select(request: HistoryRequest): Entry[] {
    switch (request.hist_access_type) {
      case "tail":
        return lastN(this.entries, request.n ?? 10);
      case "range":
        return this.range(request.session ?? 0, request.start ?? 1, request.stop);
      case "search":
        return this.search(request.pattern ?? "*", request.unique ?? false, request.n);
      default:
        return [];
    }
  }

  private range(session: number, start: number, stop: number | undefined): Entry[] {
    // Session 0 means "the current one" in IPython; earlier sessions are not kept.
    if (session !== 0 && session !== CURRENT_SESSION) return [];
    return this.entries.filter(
      (entry) => entry.line >= start && (stop === undefined || stop === null || entry.line < stop),
    );
  }

  private search(pattern: string, unique: boolean, n: number | undefined | null): Entry[] {
    const matcher = new Glob(pattern);
    let found = this.entries.filter((entry) => matcher.test(entry.input));
    if (unique) {
      // Keep the latest occurrence of each input, as IPython's GROUP BY source does.
      const latest = new Map<string, Entry>();
      for (const entry of found) latest.set(entry.input, entry);
      found = found.filter((entry) => latest.get(entry.input) === entry);
    }
    return n === undefined || n === null ? found : lastN(found, n);
  }
}

function lastN<T>(items: T[], n: number): T[] {
  return n <= 0 ? [] : items.slice(-n);
}
