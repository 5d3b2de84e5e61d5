// Reading and writing .ipynb files (nbformat 4) as Jupyter does: multi-line strings may be
// stored as lists of lines and are joined on reading; on writing, keys are sorted, the indent is
// one space, and sources, streams and text outputs are split into lines (nbformat's
// `split_lines`), so a notebook `tsgrad run` wrote diffs cleanly against one JupyterLab saved.

import { randomUUID } from "node:crypto";
import type { Output } from "./outputs.js";

export interface Cell {
  cell_type: "code" | "markdown" | "raw";
  id?: string;
  metadata: Record<string, unknown>;
  source: string;
  outputs?: Output[];
  execution_count?: number | null;
  attachments?: Record<string, unknown>;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** A notebook file that is not one; the message says what is wrong and where. */
export class NotebookFormatError extends Error {}

/** Parses an .ipynb file's text; throws NotebookFormatError naming the first thing that is wrong. */
export function parseNotebook(text: string, name = "notebook"): Notebook {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new NotebookFormatError(`${name} is not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(json)) throw new NotebookFormatError(`${name} is not a JSON object`);
  if (json.nbformat !== 4)
    throw new NotebookFormatError(
      `${name} is nbformat ${JSON.stringify(json.nbformat)}; only nbformat 4 is supported (convert it with \`jupyter nbconvert --to notebook\`)`,
    );
  if (!Array.isArray(json.cells)) throw new NotebookFormatError(`${name} has no "cells" list`);
  const minor = typeof json.nbformat_minor === "number" ? json.nbformat_minor : 0;
  const cells = json.cells.map((raw, index): Cell => {
    if (!isRecord(raw)) throw new NotebookFormatError(`${name}: cell ${index + 1} is not an object`);
    const type = raw.cell_type;
    if (type !== "code" && type !== "markdown" && type !== "raw") {
      throw new NotebookFormatError(`${name}: cell ${index + 1} has cell_type ${JSON.stringify(type)}`);
    }
    const cell: Cell = {
      ...raw,
      cell_type: type,
      metadata: isRecord(raw.metadata) ? raw.metadata : {},
      source: joinLines(raw.source),
    };
    // nbformat 4.5 made cell ids required; a notebook upgraded by hand may lack them.
    if (minor >= 5 && typeof cell.id !== "string") cell.id = randomUUID().slice(0, 8);
    if (type === "code") {
      cell.outputs = Array.isArray(raw.outputs) ? (raw.outputs as Output[]).map(joinOutput) : [];
      cell.execution_count = typeof raw.execution_count === "number" ? raw.execution_count : null;
    }
    return cell;
  });
  return { nbformat: 4, nbformat_minor: minor, metadata: isRecord(json.metadata) ? json.metadata : {}, cells };
}

/** The file's text as nbformat.write gives it. */
export function serializeNotebook(notebook: Notebook): string {
  const cells = notebook.cells.map((cell) => {
    const out: Record<string, unknown> = { ...cell, source: splitLines(cell.source) };
    if (cell.outputs) out.outputs = cell.outputs.map(splitOutput);
    return out;
  });
  return `${JSON.stringify(sortKeys({ ...notebook, cells }), null, 1)}\n`;
}

/** Python's str.splitlines(True) for the line ends notebooks hold. */
export function splitLines(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

function joinLines(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join("");
  return typeof value === "string" ? value : "";
}

function joinOutput(output: Output): Output {
  const copy = { ...output } as Output & { text?: unknown; data?: Record<string, unknown> };
  if ("text" in copy && copy.text !== undefined) copy.text = joinLines(copy.text);
  if (copy.data) copy.data = mapBundle(copy.data, (value) => (Array.isArray(value) ? joinLines(value) : value));
  return copy;
}

function splitOutput(output: Output): unknown {
  if (output.output_type === "stream") return { ...output, text: splitLines(output.text) };
  if (output.output_type === "display_data" || output.output_type === "execute_result") {
    return {
      ...output,
      data: mapBundle(output.data, (value, mime) =>
        typeof value === "string" && splitsAsText(mime) ? splitLines(value) : value,
      ),
    };
  }
  return output;
}

/** nbformat splits text/* and two more text-like types; JSON and base64 images stay whole. */
function splitsAsText(mime: string): boolean {
  return mime.startsWith("text/") || mime === "application/javascript" || mime === "image/svg+xml";
}

function isJsonMime(mime: string): boolean {
  return mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"));
}

function mapBundle(
  data: Record<string, unknown>,
  map: (value: unknown, mime: string) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(data)) out[mime] = isJsonMime(mime) ? value : map(value, mime);
  return out;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
