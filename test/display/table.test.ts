// Tables, tensors and models as notebook bundles: the exact MIME keys, numbers right-aligned and
// rounded, long tables abbreviated.
import { describe, expect, it } from "vitest";
import { tensor, zeros } from "../../engine/creation.js";
import { ReLU } from "../../engine/nn/activation.js";
import { layerRows } from "../../engine/nn/layer-summary.js";
import { Linear } from "../../engine/nn/linear.js";
import { Module } from "../../engine/nn/module.js";
import { Sequential } from "../../engine/nn/sequential.js";
import { summaryHtml } from "../../engine/nn/summary.js";
import { table } from "../../engine/plot/table.js";
import type { Tensor } from "../../engine/tensor.js";
import { format } from "../../kernel/display/format.js";

describe("table()", () => {
  const history = [
    { epoch: 1, loss: 0.51234567, optimizer: "SGD" },
    { epoch: 2, loss: 0.25, optimizer: "Adam" },
  ];

  it("shows as HTML + Markdown + text", () => {
    expect(Object.keys(format(table(history)).data).sort()).toEqual(["text/html", "text/markdown", "text/plain"]);
  });

  it("rounds numbers to the precision, integers stay integers, numbers right-aligned", () => {
    const t = table(history, { precision: 3, caption: "training" });
    expect(t.toString()).toBe(
      ["training", "epoch   loss  optimizer", "    1  0.512  SGD", "    2  0.250  Adam"].join("\n"),
    );
    expect(t.markdown()).toBe(
      [
        "**training**",
        "",
        "| epoch | loss | optimizer |",
        "| ---: | ---: | :--- |",
        "| 1 | 0.512 | SGD |",
        "| 2 | 0.250 | Adam |",
      ].join("\n"),
    );
    expect(t.html()).toContain('<td style="text-align:right">0.512</td><td style="text-align:left">SGD</td>');
    expect(t.html()).toContain("<caption>training</caption>");
  });

  it("takes columns of values and tensors", () => {
    expect(table({ optimizer: ["SGD", "Adam"], loss: tensor([0.5, 0.25]) }).rows).toEqual([
      { optimizer: "SGD", loss: 0.5 },
      { optimizer: "Adam", loss: 0.25 },
    ]);
    expect(
      table(
        tensor(
          [
            [1, 2],
            [3, 4],
          ],
          { dtype: "int32" },
        ),
      ).toString(),
    ).toBe(["   0  1", "0  1  2", "1  3  4"].join("\n"));
  });

  it("abbreviates long tables to head and tail with the full size", () => {
    const t = table({ i: Array.from({ length: 100 }, (_, i) => i) }, { maxRows: 6 });
    expect(t.toString().split("\n")).toEqual([" i", " 0", " 1", " 2", " …", "97", "98", "99", "100 rows × 1 columns"]);
  });

  it("escapes HTML in cells", () => {
    expect(table([{ name: "<b>" }]).html()).toContain('<td style="text-align:left">&lt;b&gt;</td>');
  });
});

describe("tensors as a cell's value", () => {
  it("PyTorch-like text plus an HTML table with shape, dtype and requiresGrad", () => {
    const t = tensor([
      [1, 2.5],
      [-3, 4],
    ]);
    t.requiresGrad = true;
    const { data } = format(t);
    expect(Object.keys(data).sort()).toEqual(["text/html", "text/plain"]);
    expect(data["text/plain"]).toBe(t.toString());
    const html = data["text/html"] as string;
    expect(html).toContain("tensor of shape [2, 2] · float32 · requiresGrad");
    expect(html).toContain('<td style="text-align:right">2.5000</td>');
    expect(html.match(/<td/g)).toHaveLength(4);
  });

  it("abbreviates big tensors to their corners", () => {
    const html = format(zeros([1000, 50])).data["text/html"] as string;
    expect(html.match(/<tr>/g)).toHaveLength(1 + 11); // header + 5 + … + 5
    expect(html.match(/<td/g)).toHaveLength(11 * 9); // 4 + … + 4 columns
  });

  it("labels rows of 3-D tensors by their leading indices", () => {
    const html = format(zeros([2, 2, 3])).data["text/html"] as string;
    expect(html).toContain('<th style="text-align:right">1, 0</th>');
  });
});

describe("models as a cell's value", () => {
  it("a summary table of layers with output shapes and parameter counts, then the model's own display", () => {
    const model = new Sequential(new Linear(4, 10), new ReLU(), new Linear(10, 3));
    const { data } = format(model);
    expect(Object.keys(data).sort()).toEqual(["text/html", "text/plain"]);
    expect((data["text/plain"] as string).split("\n").slice(0, 5)).toEqual([
      "layer       output shape  parameters",
      "0 (Linear)       [*, 10]          50",
      "1 (ReLU)         [*, 10]           0",
      "2 (Linear)        [*, 3]          33",
      "Sequential: 83 parameters (83 trainable)",
    ]);
    expect(data["text/plain"]).toContain(String(model));
    expect(data["text/html"]).toContain(
      '<td style="text-align:right">[*, 10]</td><td style="text-align:right">50</td>',
    );
    expect(data["text/html"]).toContain(summaryHtml(model)); // the model's own parameter table follows
  });

  it("names layers of custom models by field, with [*, n] where a layer says its width", () => {
    class Net extends Module {
      fc1 = new Linear(2, 5);
      fc2 = new Linear(5, 1);
      override forward(x: Tensor): Tensor {
        return this.fc2.forward(this.fc1.forward(x).tanh());
      }
    }
    expect(layerRows(new Net())).toEqual([
      { layer: "fc1", type: "Linear", outputShape: "[*, 5]", parameters: 15 },
      { layer: "fc2", type: "Linear", outputShape: "[*, 1]", parameters: 6 },
    ]);
  });
});
