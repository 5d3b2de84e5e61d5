// Tables of numbers for a notebook: metrics per epoch, a comparison of optimizers, a small
// tensor. The same table as HTML (numbers right-aligned and rounded), Markdown and aligned
// text; long tables show their head and tail.
import { JUPYTER_DISPLAY, type MimeBundle } from "../display.js";
import { escapeHtml } from "../html.js";
import { Tensor } from "../tensor.js";
import { isNumbers, type Numbers, toNumbers } from "./data.js";

type Cell = number | string | boolean | null | undefined;

export interface TableOptions {
  /** Digits after the decimal point for non-integers (default 4). */
  precision?: number;
  caption?: string;
  /** Rows shown before the table is abbreviated to its head and tail (default 30). */
  maxRows?: number;
  /** Column order (default: first-seen order). */
  columns?: string[];
}

/** A table that shows itself as HTML, Markdown or text. Example: `table(history, { precision: 3 })` */
export class Table {
  readonly columns: string[];
  readonly rows: Record<string, Cell>[];

  constructor(
    rows: Record<string, Cell>[],
    readonly options: TableOptions = {},
  ) {
    this.rows = rows;
    const seen = new Set<string>(options.columns ?? []);
    if (!options.columns) for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
    this.columns = [...seen];
  }

  /** An HTML `<table>` (numbers right-aligned). Example: `table({ a: [1, 2] }).html()` */
  html(): string {
    const numeric = this.columns.map((c) => this.isNumeric(c));
    const align = (i: number) => (numeric[i] ? ' style="text-align:right"' : ' style="text-align:left"');
    const head = `<thead><tr>${this.columns.map((c, i) => `<th${align(i)}>${escapeHtml(c)}</th>`).join("")}</tr></thead>`;
    const body = this.shownRows()
      .map((row) =>
        row === null
          ? `<tr>${this.columns.map((_, i) => `<td${align(i)}>…</td>`).join("")}</tr>`
          : `<tr>${this.columns.map((c, i) => `<td${align(i)}>${escapeHtml(this.cellText(row[c], c))}</td>`).join("")}</tr>`,
      )
      .join("");
    const caption = this.options.caption ? `<caption>${escapeHtml(this.options.caption)}</caption>` : "";
    return `<table>${caption}${head}<tbody>${body}</tbody></table>${this.footer() ? `<p>${escapeHtml(this.footer())}</p>` : ""}`;
  }

  /** A GitHub-flavoured Markdown table. Example: `table({ a: [1, 2] }).markdown()` */
  markdown(): string {
    const numeric = this.columns.map((c) => this.isNumeric(c));
    const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
    const rows = this.shownRows().map((row) =>
      line(this.columns.map((c) => (row === null ? "…" : escapeMarkdown(this.cellText(row[c], c))))),
    );
    const parts = [
      ...(this.options.caption ? [`**${escapeMarkdown(this.options.caption)}**`, ""] : []),
      line(this.columns.map(escapeMarkdown)),
      line(numeric.map((n) => (n ? "---:" : ":---"))),
      ...rows,
      ...(this.footer() ? ["", this.footer()] : []),
    ];
    return parts.join("\n");
  }

  /** Aligned columns of text. Example: `console.log(String(table(history)))` */
  toString(): string {
    const numeric = this.columns.map((c) => this.isNumeric(c));
    const cells = [
      this.columns,
      ...this.shownRows().map((row) => this.columns.map((c) => (row === null ? "…" : this.cellText(row[c], c)))),
    ];
    const widths = this.columns.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
    const lines = cells.map((r) =>
      r
        .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    );
    return [
      ...(this.options.caption ? [this.options.caption] : []),
      ...lines,
      ...(this.footer() ? [this.footer()] : []),
    ].join("\n");
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return { "text/html": this.html(), "text/markdown": this.markdown(), "text/plain": this.toString() };
  }

  private integral(column: string): boolean {
    return this.rows.every((r) => typeof r[column] !== "number" || Number.isInteger(r[column]));
  }

  private isNumeric(column: string): boolean {
    const values = this.rows.map((r) => r[column]).filter((v) => v !== null && v !== undefined);
    return values.length > 0 && values.every((v) => typeof v === "number");
  }

  /** Rounded numbers; a column with any fraction shows every number with the same decimals. */
  private cellText(value: Cell, column: string): string {
    if (value === null || value === undefined) return "";
    if (typeof value !== "number") return String(value);
    if (Number.isInteger(value) && this.integral(column)) return String(value);
    if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
    const precision = this.options.precision ?? 4;
    const a = Math.abs(value);
    if (a !== 0 && (a < 10 ** -precision || a >= 1e12)) return value.toExponential(Math.max(1, precision - 1));
    return value.toFixed(precision);
  }

  /** The rows shown, with null where the middle of a long table is left out. */
  private shownRows(): (Record<string, Cell> | null)[] {
    const max = this.options.maxRows ?? 30;
    if (this.rows.length <= max) return this.rows;
    const half = Math.floor(max / 2);
    return [...this.rows.slice(0, half), null, ...this.rows.slice(this.rows.length - half)];
  }

  private footer(): string {
    const max = this.options.maxRows ?? 30;
    return this.rows.length > max ? `${this.rows.length} rows × ${this.columns.length} columns` : "";
  }
}

/**
 * A table from records, columns of values, or a 1-D/2-D tensor.
 * Example: `table({ optimizer: ["SGD", "Adam"], loss: [0.31, 0.05] }, { precision: 3, caption: "final loss" })`
 */
export function table(
  data: readonly Record<string, Cell>[] | Record<string, Numbers | readonly Cell[]> | Tensor,
  options: TableOptions = {},
): Table {
  if (data instanceof Tensor) {
    const rows = tensorRows(data);
    // Explicit order: integer-like keys ("0", "1") would otherwise come before the index column.
    return new Table(rows, {
      columns: data.ndim === 2 ? ["", ...Array.from({ length: data.shape[1]! }, (_, j) => String(j))] : undefined,
      ...options,
    });
  }
  if (Array.isArray(data))
    return new Table(
      data.map((r) => ({ ...r })),
      options,
    );
  const columns = Object.entries(data as Record<string, Numbers | readonly Cell[]>).map(
    ([k, v]) => [k, isNumbers(v) ? toNumbers(v, k) : Array.from(v as readonly Cell[])] as const,
  );
  const length = Math.max(0, ...columns.map(([, v]) => v.length));
  const rows = Array.from(
    { length },
    (_, i) => Object.fromEntries(columns.map(([k, v]) => [k, v[i] ?? null])) as Record<string, Cell>,
  );
  return new Table(rows, options);
}

function tensorRows(t: Tensor): Record<string, Cell>[] {
  if (t.ndim === 0) return [{ value: t.data[0]! }];
  if (t.ndim === 1) return Array.from(t.data, (v, i) => ({ "": i, value: v }));
  if (t.ndim !== 2)
    throw new Error(`table(): a tensor must be 1-D or 2-D to show as a table, got shape [${t.shape.join(", ")}]`);
  const [rows, cols] = t.shape as [number, number];
  return Array.from({ length: rows }, (_, i) => {
    const row: Record<string, Cell> = { "": i };
    for (let j = 0; j < cols; j++) row[String(j)] = t.data[i * cols + j]!;
    return row;
  });
}

function escapeMarkdown(text: string): string {
  return text.replace(/\|/g, "\\|");
}
