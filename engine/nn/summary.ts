// A model's parameter table (name, shape, count, trainable), as text for the console and as
// HTML for a notebook, where a Module displays itself through Symbol.for("Jupyter.display").

import { escapeHtml } from "../html.js";
import { formatShape } from "../shape.js";
import type { Module } from "./module.js";

/** One parameter of a model, as the summary lists it. */
export interface ParameterRow {
  name: string;
  shape: number[];
  count: number;
  trainable: boolean;
}

/** Every parameter with its shape and size. Example: `nn.parameterRows(model)[0] // { name: "fc1.weight", … }` */
export function parameterRows(module: Module): ParameterRow[] {
  return module
    .namedParameters()
    .map(([name, p]) => ({ name, shape: [...p.shape], count: p.numel(), trainable: p.requiresGrad }));
}

/** The table as aligned text with a total line. Example: `console.log(nn.summaryText(model))` */
export function summaryText(module: Module): string {
  const rows = parameterRows(module);
  const cells = [
    ["parameter", "shape", "count"],
    ...rows.map((r) => [r.name + (r.trainable ? "" : " (frozen)"), formatShape(r.shape), String(r.count)]),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...cells.map((row) => row[c]!.length)));
  const lines = cells.map(
    (row) => `${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]!.padStart(widths[2]!)}`,
  );
  return [...lines, totalLine(module.constructor.name, rows)].join("\n");
}

/** The repr and the table as HTML for a notebook. Example: `nn.summaryHtml(model)` */
export function summaryHtml(module: Module): string {
  const rows = parameterRows(module);
  const body = rows
    .map(
      (r) =>
        `<tr><td><code>${escapeHtml(r.name)}</code>${r.trainable ? "" : " (frozen)"}</td><td>${formatShape(r.shape)}</td><td style="text-align:right">${r.count.toLocaleString("en-US")}</td></tr>`,
    )
    .join("");
  return (
    `<pre>${escapeHtml(module.toString())}</pre>` +
    `<table><thead><tr><th>parameter</th><th>shape</th><th>count</th></tr></thead><tbody>${body}</tbody></table>` +
    `<p>${escapeHtml(totalLine(module.constructor.name, rows))}</p>`
  );
}

function totalLine(name: string, rows: ParameterRow[]): string {
  const total = rows.reduce((n, r) => n + r.count, 0);
  const trainable = rows.filter((r) => r.trainable).reduce((n, r) => n + r.count, 0);
  return `${name}: ${total.toLocaleString("en-US")} parameters (${trainable.toLocaleString("en-US")} trainable)`;
}
