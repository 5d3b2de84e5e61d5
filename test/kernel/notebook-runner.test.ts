import { describe, expect, it } from "vitest";
import { notebookToHtml, stripAnsi } from "../../kernel/notebook-runner/html.js";
import { renderMarkdown } from "../../kernel/notebook-runner/markdown.js";
import { parseNotebook, serializeNotebook, splitLines } from "../../kernel/notebook-runner/notebook-file.js";
import { type IopubMessage, OutputRecorder } from "../../kernel/notebook-runner/outputs.js";
import { parseRunArgs } from "../../kernel/notebook-runner/run.js";

const message = (msg_type: string, content: Record<string, unknown>): IopubMessage => ({
  header: { msg_type },
  content,
});

describe("OutputRecorder (nbclient's rules)", () => {
  it("keeps one output per message, in order, with the execute_result's count", () => {
    const recorder = new OutputRecorder();
    const outputs = recorder.startCell();
    recorder.record(message("status", { execution_state: "busy" }));
    expect(recorder.record(message("execute_input", { code: "x", execution_count: 3 }))).toBe(3);
    recorder.record(message("stream", { name: "stdout", text: "a\n" }));
    recorder.record(message("stream", { name: "stdout", text: "b\n" }));
    recorder.record(message("execute_result", { data: { "text/plain": "42" }, metadata: {}, execution_count: 3 }));
    expect(outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "a\n" },
      { output_type: "stream", name: "stdout", text: "b\n" },
      { output_type: "execute_result", data: { "text/plain": "42" }, metadata: {}, execution_count: 3 },
    ]);
  });

  it("defers clear_output(wait) to the next output, and clears at once without wait", () => {
    const recorder = new OutputRecorder();
    const outputs = recorder.startCell();
    recorder.record(message("stream", { name: "stdout", text: "epoch 1\n" }));
    recorder.record(message("clear_output", { wait: true }));
    expect(outputs).toHaveLength(1);
    recorder.record(message("stream", { name: "stdout", text: "epoch 2\n" }));
    expect(outputs).toEqual([{ output_type: "stream", name: "stdout", text: "epoch 2\n" }]);
    recorder.record(message("clear_output", { wait: false }));
    expect(outputs).toEqual([]);
  });

  it("rewrites every output with a display_id on update_display_data, in earlier cells too", () => {
    const recorder = new OutputRecorder();
    const first = recorder.startCell();
    recorder.record(
      message("display_data", { data: { "text/plain": "0%" }, metadata: {}, transient: { display_id: "p" } }),
    );
    const second = recorder.startCell();
    recorder.record(
      message("display_data", { data: { "text/plain": "0%" }, metadata: {}, transient: { display_id: "p" } }),
    );
    recorder.record(
      message("update_display_data", {
        data: { "text/plain": "100%" },
        metadata: { done: true },
        transient: { display_id: "p" },
      }),
    );
    expect(first).toEqual([{ output_type: "display_data", data: { "text/plain": "100%" }, metadata: { done: true } }]);
    expect(second).toEqual(first);
  });

  it("records errors as nbformat error outputs", () => {
    const recorder = new OutputRecorder();
    const outputs = recorder.startCell();
    recorder.record(
      message("error", { ename: "TypeError", evalue: "x is undefined", traceback: ["TypeError: x is undefined"] }),
    );
    expect(outputs).toEqual([
      { output_type: "error", ename: "TypeError", evalue: "x is undefined", traceback: ["TypeError: x is undefined"] },
    ]);
  });
});

describe("notebook files", () => {
  const text = JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tsgrad", display_name: "tsgrad (TypeScript)" } },
    cells: [
      { cell_type: "markdown", id: "m", metadata: {}, source: ["# Title\n", "text"] },
      {
        cell_type: "code",
        id: "c",
        metadata: {},
        source: "const a = 1;\na",
        execution_count: null,
        outputs: [
          {
            output_type: "display_data",
            data: {
              "image/png": "iVBOR",
              "text/plain": ["<Chart>\n", "two"],
              "application/vnd.vegalite.v5+json": { mark: "line" },
            },
            metadata: {},
          },
        ],
      },
    ],
  });

  it("joins lists of lines on reading and writes them split, keys sorted, one-space indent", () => {
    const notebook = parseNotebook(text);
    expect(notebook.cells[0]?.source).toBe("# Title\ntext");
    const written = serializeNotebook(notebook);
    expect(written.endsWith("}\n")).toBe(true);
    const reparsed = JSON.parse(written);
    expect(reparsed.cells[1].source).toEqual(["const a = 1;\n", "a"]);
    expect(reparsed.cells[1].outputs[0].data).toEqual({
      "application/vnd.vegalite.v5+json": { mark: "line" },
      "image/png": "iVBOR",
      "text/plain": ["<Chart>\n", "two"],
    });
    expect(written).toContain('\n "cells": [\n  {\n   "cell_type": "markdown",\n   "id": "m",');
    expect(Object.keys(reparsed)).toEqual(["cells", "metadata", "nbformat", "nbformat_minor"]);
  });

  it("splits lines as Python's splitlines(keepends) does", () => {
    expect(splitLines("a\nb\r\nc\rd")).toEqual(["a\n", "b\r\n", "c\r", "d"]);
    expect(splitLines("")).toEqual([]);
    expect(splitLines("x\n")).toEqual(["x\n"]);
  });

  it("names what is wrong with a file that is not a notebook", () => {
    expect(() => parseNotebook("{", "a.ipynb")).toThrow(/a\.ipynb is not JSON/);
    expect(() => parseNotebook('{"nbformat": 3, "cells": []}', "old.ipynb")).toThrow(/nbformat 3; only nbformat 4/);
    expect(() => parseNotebook('{"nbformat": 4, "cells": [{"cell_type": "python"}]}', "b.ipynb")).toThrow(
      /cell 1 has cell_type "python"/,
    );
  });
});

describe("HTML", () => {
  it("shows charts as their PNG, tables as HTML, markdown rendered and raw HTML in markdown escaped", () => {
    const notebook = parseNotebook(
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 4,
        metadata: {},
        cells: [
          {
            cell_type: "markdown",
            metadata: {},
            source: "## Loss\n\nThe **loss** falls: `loss.item()` <script>x</script>\n\n- one\n- two",
          },
          {
            cell_type: "code",
            metadata: {},
            source: "plot.line(losses)",
            execution_count: 1,
            outputs: [
              {
                output_type: "display_data",
                data: { "application/vnd.vegalite.v5+json": {}, "image/png": "iVBORw0KGgo=", "text/plain": "<Chart>" },
                metadata: { "image/png": { width: 400, height: 300 } },
              },
              { output_type: "error", ename: "Error", evalue: "boom", traceback: ["\u001b[31mError\u001b[0m: boom"] },
            ],
          },
        ],
      }),
    );
    const html = notebookToHtml(notebook, "/tmp/04.ipynb");
    expect(html).toContain('<img src="data:image/png;base64,iVBORw0KGgo=" width="400" height="300"');
    expect(html).toContain("<h2>Loss</h2>");
    expect(html).toContain("<strong>loss</strong>");
    expect(html).toContain("<code>loss.item()</code>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toContain("<script>");
    expect(html).toContain("<ul><li>one</li><li>two</li></ul>");
    expect(html).toContain("Error: boom");
    expect(html).toContain("<title>04.ipynb</title>");
  });

  it("renders markdown tables, numbered lists and fenced code; drops javascript: links", () => {
    expect(renderMarkdown("| a | b |\n| --- | --- |\n| 1 | 2 |")).toBe(
      "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>",
    );
    expect(renderMarkdown("1. x\n2. y")).toBe("<ol><li>x</li><li>y</li></ol>");
    expect(renderMarkdown("```ts\nconst a = 1 < 2;\n```")).toBe(
      '<pre><code class="language-ts">const a = 1 &lt; 2;</code></pre>',
    );
    expect(renderMarkdown("[x](javascript:alert(1))")).toBe('<p><a href="#">x</a>)</p>');
    expect(stripAnsi("\u001b[1;31mred\u001b[0m")).toBe("red");
  });
});

describe("tsgrad run's arguments", () => {
  it("parses flags and rejects what it does not know", () => {
    expect(parseRunArgs(["a.ipynb", "--html", "--timeout=30"])).toEqual({
      notebook: "a.ipynb",
      html: true,
      allowErrors: false,
      timeout: 30,
    });
    expect(parseRunArgs(["--allow-errors", "a.ipynb", "--output", "b.ipynb"])).toMatchObject({
      allowErrors: true,
      output: "b.ipynb",
    });
    expect(() => parseRunArgs([])).toThrow(/run needs a notebook/);
    expect(() => parseRunArgs(["a.ipynb", "--fast"])).toThrow(/unknown option --fast/);
    expect(() => parseRunArgs(["a.ipynb", "--timeout", "soon"])).toThrow(/--timeout needs seconds/);
  });
});
