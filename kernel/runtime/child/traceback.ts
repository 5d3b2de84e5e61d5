// Errors as the user should see them: `ename`, `evalue` and a traceback whose frames name
// the TypeScript cell's own line and column (`at f (cell[3]:4:11)`), with the runtime's own
// frames (node internals, tsgrad's dist/) left out.

import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inspect } from "node:util";
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";

export interface DescribedError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/**
 * Source maps of every cell run so far, by file name (`cell[3]`): functions outlive cells. Each
 * is kept as its `mappings` (and `names`, when there are any), the only fields a position needs,
 * and parsed when an error needs it: parsed, every cell of a long session would keep ~0.6 KiB,
 * and errors come from a few cells only. The whole JSON text kept ~150 bytes more per cell
 * (`version`, `file`, `sources`…).
 */
export class CellSourceMaps {
  private readonly maps = new Map<string, CompactMap>();
  /** The most recently used parsed maps, a few (a traceback names a few cells). */
  private readonly parsed = new Map<string, TraceMap>();

  /** `wrapperCallLine`: the compiled line that starts the cell's body (`})();`), not user code. */
  add(fileName: string, sourceMap: string, wrapperCallLine: number): void {
    this.parsed.delete(fileName);
    // None: the script keeps the cell's positions (plain-script.ts), and an older map of the same name is stale.
    if (!sourceMap) {
      this.maps.delete(fileName);
      return;
    }
    const { mappings, names } = JSON.parse(sourceMap) as { mappings: string; names?: string[] };
    this.maps.set(fileName, names?.length ? { mappings, names, wrapperCallLine } : { mappings, wrapperCallLine });
  }

  /** `cell[3]:7:5` (compiled) → `cell[3]:4:11` (TypeScript); undefined for the runtime's wrapper. */
  mapLocation(fileName: string, line: number, column: number): string | undefined {
    const entry = this.maps.get(fileName);
    if (!entry) return `${fileName}:${line}:${column}`;
    if (line === entry.wrapperCallLine) return undefined;
    const original = originalPositionFor(this.traceMap(fileName, entry), { line, column: column - 1 });
    if (original.line === null) return `${fileName}:${line}:${column}`;
    return `${fileName}:${original.line}:${original.column + 1}`;
  }

  private traceMap(fileName: string, entry: CompactMap): TraceMap {
    const map =
      this.parsed.get(fileName) ??
      new TraceMap({ version: 3, sources: [`${fileName}.ts`], names: entry.names ?? [], mappings: entry.mappings });
    this.parsed.delete(fileName); // most recently used goes last
    this.parsed.set(fileName, map);
    if (this.parsed.size > PARSED_MAPS) this.parsed.delete(this.parsed.keys().next().value!);
    return map;
  }
}

/** What a cell's source map needs to map a position. */
interface CompactMap {
  mappings: string;
  names?: string[];
  wrapperCallLine: number;
}

const PARSED_MAPS = 8;

// tsgrad's own code (dist/, and engine/ and kernel/ sources that source maps point back to):
// never the user's business.
const HERE = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const REPO_ROOT = basename(HERE) === "dist" ? dirname(HERE) : HERE;
const INTERNAL_PREFIXES = ["dist", "engine", "kernel"].flatMap((dir) => {
  const path = `${join(REPO_ROOT, dir)}/`;
  return [path, pathToFileURL(path).href];
});
const CELL_LOCATION = /(cell\[[^\]]*\]):(\d+):(\d+)/g;

/** Name, message and a cell-mapped traceback for anything a cell threw. */
export function describeError(error: unknown, maps: CellSourceMaps): DescribedError {
  if (!(error instanceof Error) && !looksLikeError(error)) {
    const evalue = inspect(error, { colors: false, depth: 2 });
    return { ename: "Uncaught", evalue, traceback: [`Uncaught ${evalue}`] };
  }
  const e = error as Error;
  const ename = e.name || e.constructor?.name || "Error";
  const message = typeof e.message === "string" ? e.message : String(e.message);
  // A message may name where in a cell something happened (anomaly mode names the op's line):
  // in the cell's TypeScript positions, as the frames are.
  const evalue = message.replace(
    CELL_LOCATION,
    (found, file: string, l: string, c: string) => maps.mapLocation(file, Number(l), Number(c)) ?? found,
  );
  const frames = userFrames(typeof e.stack === "string" ? e.stack : "", maps);
  return { ename, evalue, traceback: [`${ename}: ${evalue}`, ...frames] };
}

function looksLikeError(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as Error).message === "string" &&
    typeof (value as Error).stack === "string"
  );
}

/** The `at ...` lines of a V8 stack that belong to the user, with cell positions mapped. */
export function userFrames(stack: string, maps: CellSourceMaps): string[] {
  const lines = stack.split("\n").filter((line) => /^\s+at /.test(line));
  const kept: string[] = [];
  let lastUser = -1;
  for (const line of lines) {
    if (isInternalFrame(line)) continue;
    let wrapper = false;
    const mapped = line.replace(CELL_LOCATION, (_, file: string, l: string, c: string) => {
      const location = maps.mapLocation(file, Number(l), Number(c));
      wrapper ||= location === undefined;
      return location ?? "";
    });
    if (wrapper) continue;
    kept.push(mapped.replace(/^\s+/, "    "));
    if (!line.includes("(<anonymous>)") && !/at <anonymous>$/.test(line.trim())) lastUser = kept.length - 1;
  }
  return collapseRepeats(kept.slice(0, lastUser + 1));
}

function isInternalFrame(line: string): boolean {
  return /\(node:|at node:/.test(line) || INTERNAL_PREFIXES.some((prefix) => line.includes(prefix));
}

/** A stack overflow repeats one frame ten times; say so once. */
function collapseRepeats(frames: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < frames.length; ) {
    let j = i + 1;
    while (j < frames.length && frames[j] === frames[i]) j++;
    out.push(frames[i]!);
    if (j - i > 1) out.push(`    ... (the line above repeated ${j - i - 1} more times)`);
    i = j;
  }
  return out;
}
