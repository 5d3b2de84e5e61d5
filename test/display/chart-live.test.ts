// Live training output through the built kernel (dist/kernel/main.js) over ZeroMQ: a
// 10,000-step fit stays far below jupyter_server's IOPub limits and leaves one chart and one
// progress bar, each finished before the cell's reply.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../kernel/protocol/messages.js";
import { type KernelClient, startKernel } from "../e2e/client.js";

const VEGA_LITE = "application/vnd.vegalite.v5+json";

function displayId(message: Message): string {
  return (message.content.transient as { display_id: string }).display_id;
}

describe("live training output in a notebook", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await startKernel();
  });
  afterAll(async () => {
    await kernel.close();
  });

  it("charts, tables and the autograd graph show as rich bundles when they end a cell", async () => {
    const cases: [string, string[]][] = [
      ["plot.line([3, 2, 1], { title: 'Loss' })", [VEGA_LITE, "image/png", "text/plain"]],
      [
        "const w = tensor([1, 2])\nw.requiresGrad = true\nconst loss = w.mul(w).sum()\nloss.backward()\nloss.graph({ names: { w } })",
        [VEGA_LITE, "image/png", "text/plain"],
      ],
      ["table({ optimizer: ['SGD', 'Adam'], loss: [0.31, 0.05] })", ["text/html", "text/markdown", "text/plain"]],
      ["tensor([[1, 2], [3, 4]])", ["text/html", "text/plain"]],
    ];
    for (const [code, keys] of cases) {
      const { reply, outputs } = await kernel.execute(code, { timeoutMs: 60_000 });
      expect(reply.content, JSON.stringify(reply.content)).toMatchObject({ status: "ok" });
      const result = outputs.find((m) => m.header.msg_type === "execute_result")!;
      expect(Object.keys(result.content.data as object).sort(), code).toEqual([...keys].sort());
      expect(
        outputs.filter((m) => m.header.msg_type === "stream"),
        code,
      ).toEqual([]);
    }
  }, 120_000);

  it("a 10,000-step fit sends one chart and one progress bar, updated a few times a second", async () => {
    const { reply, iopub, outputs } = await kernel.execute(
      [
        "manualSeed(0)",
        "const X = randn([32, 2])",
        "const Y = X.matmul(tensor([[2], [-1]])).add(0.5)",
        "const model = new nn.Linear(2, 1)",
        "const batches = Array.from({ length: 100 }, () => [X, Y])",
        "const history = fit(model, batches, { epochs: 100, optimizer: new optim.SGD(model.parameters(), { lr: 0.01 }), loss: new nn.MSELoss(), validation: [X, Y] })",
        "history.length",
      ].join("\n"),
      { timeoutMs: 120_000 },
    );
    expect(reply.content, JSON.stringify(reply.content)).toMatchObject({ status: "ok" });
    expect(
      (outputs.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)[
        "text/plain"
      ],
    ).toBe("100");

    const created = outputs.filter((m) => m.header.msg_type === "display_data");
    const updates = outputs.filter((m) => m.header.msg_type === "update_display_data");
    expect(
      outputs.filter((m) => !["display_data", "update_display_data", "execute_result"].includes(m.header.msg_type)),
    ).toEqual([]);
    expect(created).toHaveLength(2);
    const chart = created.find((m) => VEGA_LITE in (m.content.data as object))!;
    const bar = created.find((m) => "text/html" in (m.content.data as object))!;
    expect(chart).toBeDefined();
    expect(bar).toBeDefined();
    for (const update of updates) expect([displayId(chart), displayId(bar)]).toContain(displayId(update));

    // At most 4 updates a second per output, plus the final one.
    const seconds = (Date.parse(iopub.at(-1)!.header.date) - Date.parse(iopub[0]!.header.date)) / 1000;
    expect(updates.length).toBeLessThanOrEqual(2 * (4 * seconds + 2));
    expect(updates.length).toBeLessThan(10_000 / 20);

    // The last update of each output is complete: the chart with its PNG, the bar at 100/100.
    const lastChart = updates.filter((m) => displayId(m) === displayId(chart)).at(-1)!;
    expect(Object.keys(lastChart.content.data as object).sort()).toEqual([VEGA_LITE, "image/png", "text/plain"]);
    expect((lastChart.content.metadata as Record<string, unknown>)["image/png"]).toMatchObject({
      width: expect.any(Number),
    });
    const lastBar = updates.filter((m) => displayId(m) === displayId(bar)).at(-1)!;
    expect((lastBar.content.data as Record<string, string>)["text/plain"]).toMatch(
      /^epoch 100\/100 .*\nbatch 100\/100 /,
    );
    // The chart's spec is averaged down, not 10,000 points.
    // biome-ignore lint/suspicious/noExplicitAny: the spec is read field by field
    const spec = (lastChart.content.data as Record<string, any>)[VEGA_LITE];
    const lines = spec.data ?? spec.layer[0].data;
    const batchLosses = lines.values.filter((r: { series: string }) => r.series === "batch loss");
    expect(batchLosses.length).toBeGreaterThan(100);
    expect(batchLosses.length).toBeLessThanOrEqual(500);
    expect(lines.values.length - batchLosses.length).toBe(2 * 100); // loss and valLoss once an epoch
  }, 180_000);
});
