// The one HTML escape every bundle builder uses (tables, model summaries, progress bars, tensors).

/** Text made safe inside HTML elements and double-quoted attributes. Example: `escapeHtml("a < b") // "a &lt; b"` */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
