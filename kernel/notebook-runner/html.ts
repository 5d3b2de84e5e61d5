// An executed notebook as one self-contained HTML page (`tsgrad run --html`): markdown cells
// rendered, code cells with their prompts, and each output in the richest form a page shows
// without scripts — charts as their PNG (the kernel renders one into every chart bundle), tables
// as their HTML, tracebacks without terminal colour codes. No CDN, no JavaScript: it opens
// offline and in any mail client or LMS that shows HTML.

import { basename } from "node:path";
import { escapeHtml, renderMarkdown } from "./markdown.js";
import type { Cell, Notebook } from "./notebook-file.js";
import type { Output } from "./outputs.js";

/** MIME types a static page shows, richest first (nbconvert's HTML exporter's order, minus scripts). */
const DISPLAY_ORDER = [
  "text/html",
  "image/png",
  "image/jpeg",
  "image/svg+xml",
  "text/markdown",
  "text/latex",
  "text/plain",
];

/** The notebook as an HTML document; `title` is usually the notebook's file name. */
export function notebookToHtml(notebook: Notebook, title: string): string {
  const body = notebook.cells.map(renderCell).join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tsgrad run">
<title>${escapeHtml(basename(title))}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function renderCell(cell: Cell): string {
  if (cell.cell_type === "markdown") return `<section class="cell markdown">${renderMarkdown(cell.source)}</section>`;
  if (cell.cell_type === "raw") return `<section class="cell raw"><pre>${escapeHtml(cell.source)}</pre></section>`;
  const count = cell.execution_count ?? " ";
  const outputs = (cell.outputs ?? []).map(renderOutput).join("\n");
  return `<section class="cell code">
<div class="input"><span class="prompt">In [${count}]:</span><pre><code class="language-typescript">${escapeHtml(cell.source)}</code></pre></div>
${outputs ? `<div class="outputs">${outputs}</div>` : ""}
</section>`;
}

/** One output in the richest form listed in DISPLAY_ORDER. */
export function renderOutput(output: Output): string {
  switch (output.output_type) {
    case "stream":
      return `<pre class="stream ${output.name === "stderr" ? "stderr" : "stdout"}">${escapeHtml(output.text)}</pre>`;
    case "error":
      return `<pre class="error">${escapeHtml(stripAnsi(output.traceback.join("\n") || `${output.ename}: ${output.evalue}`))}</pre>`;
    default: {
      const mime = DISPLAY_ORDER.find((type) => output.data[type] !== undefined);
      if (!mime) return "";
      const prompt =
        output.output_type === "execute_result"
          ? `<span class="prompt">Out[${output.execution_count ?? " "}]:</span>`
          : "";
      return `<div class="display">${prompt}${renderData(mime, output.data[mime], output.metadata[mime])}</div>`;
    }
  }
}

function renderData(mime: string, value: unknown, metadata: unknown): string {
  const text = Array.isArray(value) ? value.join("") : String(value);
  const size =
    metadata !== null && typeof metadata === "object" ? (metadata as { width?: unknown; height?: unknown }) : {};
  const dims = ["width", "height"]
    .filter((key) => typeof size[key as "width"] === "number")
    .map((key) => ` ${key}="${size[key as "width"]}"`)
    .join("");
  switch (mime) {
    case "text/html":
      // Rich HTML from the kernel (tables, summaries) is the kernel's own markup; nbconvert
      // includes it as is, and so do we.
      return `<div class="html">${text}</div>`;
    case "image/png":
    case "image/jpeg":
      return `<img src="data:${mime};base64,${text.replace(/\s/g, "")}"${dims} alt="">`;
    case "image/svg+xml":
      return `<img src="data:image/svg+xml;base64,${Buffer.from(text).toString("base64")}"${dims} alt="">`;
    case "text/markdown":
      return `<div class="markdown">${renderMarkdown(text)}</div>`;
    default:
      return `<pre>${escapeHtml(stripAnsi(text))}</pre>`;
  }
}

/** Terminal colour and cursor codes (ESC [ … letter), as tracebacks carry them. */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ESC is the point
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
}

const STYLE = `
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #fff; }
main { max-width: 960px; margin: 0 auto; padding: 24px 16px 64px; }
.cell { margin: 12px 0; }
.input { display: flex; gap: 8px; }
.prompt { flex: 0 0 72px; color: #6e7781; font: 12px/2 ui-monospace, monospace; text-align: right; }
.input pre { flex: 1; margin: 0; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 4px; padding: 8px; overflow-x: auto; }
.outputs { margin-left: 80px; }
.display { display: flex; gap: 8px; } .display .prompt { margin-left: -80px; }
pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; margin: 4px 0; }
pre.stderr { background: #fff5f5; } pre.error { background: #ffebe9; padding: 8px; border-radius: 4px; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 8px 0; } th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: right; }
th { background: #f6f8fa; } code { font-family: ui-monospace, monospace; font-size: 90%; }
.markdown code { background: #f6f8fa; padding: 1px 4px; border-radius: 3px; }
blockquote { margin: 8px 0; padding-left: 12px; border-left: 4px solid #d0d7de; color: #57606a; }
`;
