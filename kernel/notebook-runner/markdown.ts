// Markdown cells as HTML for `tsgrad run --html`, with no dependency: the CommonMark that
// tutorials use — ATX headings, paragraphs, emphasis, inline and fenced code, links and images,
// bullet and numbered lists (one level of nesting by indent), block quotes, rules and GFM tables.
// Raw HTML is escaped, not passed through: a notebook from elsewhere must not script the page.
// TeX ($…$) stays as written.

/** Renders a markdown cell's source to HTML. */
export function renderMarkdown(source: string): string {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    const fence = /^\s*(```+|~~~+)\s*([\w+-]*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !(lines[i] as string).trim().startsWith(fence[1] as string); i++)
        body.push(lines[i] as string);
      i++;
      const lang = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : "";
      out.push(`<pre><code${lang}>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = (heading[1] as string).length;
      out.push(`<h${level}>${inline(heading[2] as string)}</h${level}>`);
      i++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push("<hr>");
      i++;
      continue;
    }
    if (/^\s*>/.test(line)) {
      const body: string[] = [];
      for (; i < lines.length && /^\s*>/.test(lines[i] as string); i++)
        body.push((lines[i] as string).replace(/^\s*> ?/, ""));
      out.push(`<blockquote>${renderMarkdown(body.join("\n"))}</blockquote>`);
      continue;
    }
    if (isTableStart(lines, i)) {
      const rows: string[] = [];
      for (; i < lines.length && (lines[i] as string).includes("|"); i++) rows.push(lines[i] as string);
      out.push(table(rows));
      continue;
    }
    if (LIST_ITEM.test(line)) {
      const items: string[] = [];
      for (; i < lines.length && (LIST_ITEM.test(lines[i] as string) || /^\s{2,}\S/.test(lines[i] as string)); i++)
        items.push(lines[i] as string);
      out.push(list(items));
      continue;
    }
    if (line.trim() === "") {
      i++;
      continue;
    }
    const paragraph: string[] = [];
    for (; i < lines.length && (lines[i] as string).trim() !== "" && !startsBlock(lines, i); i++)
      paragraph.push(lines[i] as string);
    out.push(`<p>${inline(paragraph.join("\n"))}</p>`);
  }
  return out.join("\n");
}

const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+/;

function startsBlock(lines: string[], i: number): boolean {
  const line = lines[i] as string;
  return /^(#{1,6}\s|\s*(```|~~~)|\s*>)/.test(line) || LIST_ITEM.test(line) || isTableStart(lines, i);
}

function isTableStart(lines: string[], i: number): boolean {
  return (lines[i] ?? "").includes("|") && /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(lines[i + 1] ?? "");
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

function table(rows: string[]): string {
  const [head = "", , ...body] = rows;
  const th = cells(head)
    .map((cell) => `<th>${inline(cell)}</th>`)
    .join("");
  const trs = body.map(
    (row) =>
      `<tr>${cells(row)
        .map((cell) => `<td>${inline(cell)}</td>`)
        .join("")}</tr>`,
  );
  return `<table><thead><tr>${th}</tr></thead><tbody>${trs.join("")}</tbody></table>`;
}

/** A list and the items indented under it (a nested list, or a continuation line). */
function list(lines: string[]): string {
  const ordered = /^\s*\d/.test(lines[0] as string);
  const items: string[][] = [];
  for (const line of lines) {
    if (LIST_ITEM.test(line) && !/^\s{2,}/.test(line)) items.push([line.replace(LIST_ITEM, "")]);
    else items[items.length - 1]?.push(line.replace(/^\s{2,4}/, ""));
  }
  const lis = items.map(([first = "", ...rest]) => {
    const nestedStart = rest.findIndex((line) => LIST_ITEM.test(line));
    const text = nestedStart < 0 ? [first, ...rest] : [first, ...rest.slice(0, nestedStart)];
    const nested = nestedStart < 0 ? "" : list(rest.slice(nestedStart));
    return `<li>${inline(text.join("\n"))}${nested}</li>`;
  });
  return ordered ? `<ol>${lis.join("")}</ol>` : `<ul>${lis.join("")}</ul>`;
}

/** Inline markup: code spans first (their content is literal), then images, links, emphasis. */
export function inline(text: string): string {
  const parts = text.split(/(`+)([\s\S]*?)\1/);
  let html = "";
  for (let i = 0; i < parts.length; i += 3) {
    html += spans(escapeHtml(parts[i] as string));
    if (i + 2 < parts.length) html += `<code>${escapeHtml((parts[i + 2] as string).trim())}</code>`;
  }
  return html;
}

function spans(escaped: string): string {
  return escaped
    .replace(
      /!\[([^\]]*)\]\(([^)\s]+)(?:\s+&quot;[^&]*&quot;)?\)/g,
      (_, alt: string, src: string) => `<img alt="${alt}" src="${safeUrl(src)}">`,
    )
    .replace(
      /\[([^\]]+)\]\(([^)\s]+)(?:\s+&quot;[^&]*&quot;)?\)/g,
      (_, label: string, href: string) => `<a href="${safeUrl(href)}">${label}</a>`,
    )
    .replace(
      /\*\*(\S(?:[\s\S]*?\S)?)\*\*|__(\S(?:[\s\S]*?\S)?)__/g,
      (_, a?: string, b?: string) => `<strong>${a ?? b}</strong>`,
    )
    .replace(
      /(^|[^\w*])\*(\S(?:[^*]*?\S)?)\*(?!\w)|(^|[^\w])_(\S(?:[^_]*?\S)?)_(?!\w)/g,
      (_, p1?: string, a?: string, p2?: string, b?: string) => `${p1 ?? p2}<em>${a ?? b}</em>`,
    )
    .replace(/ {2,}\n/g, "<br>\n");
}

/** Links keep http(s), mailto, relative paths and anchors; `javascript:` and the like become `#`. */
function safeUrl(url: string): string {
  return /^(https?:|mailto:|#|\.{0,2}\/|[\w.-]+(?:[/#?]|$))/i.test(url) && !/^\s*(javascript|data|vbscript):/i.test(url)
    ? url
    : "#";
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
