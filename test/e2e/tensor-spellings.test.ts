// End-to-end: the engine's PyTorch spellings in a running kernel, so the cell type checker sees
// them too (the methods merged into Tensor's type from tensor-methods.ts, the varargs creators,
// autograd.Function) and their errors reach the cell.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../kernel/protocol/messages.js";
import { type KernelClient, REPO_ROOT, startKernel } from "./client.js";

const NOTEBOOK = join(REPO_ROOT, "test/fixtures/notebook");

function stdout(outputs: Message[]): string {
  return outputs
    .filter((m) => m.header.msg_type === "stream" && m.content.name === "stdout")
    .map((m) => m.content.text as string)
    .join("");
}

describe("PyTorch spellings on tensors in a running kernel", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await startKernel({ cwd: NOTEBOOK });
    await kernel.execute("0", { timeoutMs: 120_000 });
  }, 150_000);
  afterAll(async () => {
    await kernel.close();
  });

  it("type-checks and runs in-place updates, indexing, new ops and a custom Function", async () => {
    const code = [
      "manualSeed(0);",
      "const C = randn(27, 2, { requiresGrad: true });",
      'const X = tensor([[1, 2], [3, 4]], { dtype: "int32" });',
      "const emb = C.index(X);",
      'const col = emb.index(":, 0").sum({ dim: 1, keepdim: true });',
      "class Cube extends autograd.Function {",
      "  static forward(ctx: FunctionCtx, x: Tensor) { ctx.saveForBackward(x); return x.pow(3); }",
      "  static backward(ctx: FunctionCtx, g: Tensor) { return g.mul(ctx.savedTensors[0]!.square().mul(3)); }",
      "}",
      "const loss = Cube.apply(col.sin()).mean();",
      "loss.backward();",
      "noGrad(() => C.sub_(C.grad!.mul(0.1)));",
      "C.grad!.zero_();",
      "const g = new Generator().manualSeed(1);",
      "const { values } = randn(5, { generator: g }).topk(2);",
      "console.log(emb.shape, col.shape, values.numel(), C.version, cat([values, values]).dim());",
    ].join("\n");
    const { reply, outputs } = await kernel.execute(code);
    expect(reply.content, JSON.stringify(reply.content)).toMatchObject({ status: "ok" });
    expect(stdout(outputs)).toBe("[ 2, 2, 2 ] [ 2, 1 ] 2 1 1\n");
  });

  it("reports a second backward and an in-place change on a leaf as PyTorch does", async () => {
    const twice = await kernel.execute(
      "const w = randn(2, { requiresGrad: true }); const l = w.mul(w).sum(); l.backward(); l.backward();",
    );
    expect(twice.reply.content.status).toBe("error");
    expect(twice.reply.content.evalue).toMatch(/backward through the graph a second time.*retain_graph/);
    const leaf = await kernel.execute("w.add_(1);");
    expect(leaf.reply.content.evalue).toMatch(
      /a leaf Variable that requires grad is being used in an in-place operation/,
    );
  });

  it("anomaly mode names the op and the cell line where the first Infinity was made", async () => {
    const { reply } = await kernel.execute(
      ["const p = tensor([0.5, 0, 0.5]);", "", "detectAnomaly(() => p.log().mean());"].join("\n"),
    );
    expect(reply.content.status).toBe("error");
    expect(reply.content.ename).toBe("AnomalyError");
    expect(reply.content.evalue).toMatch(
      /^anomaly: log produced -Infinity \(forward, element 1 of \[3\]\) from finite inputs of shapes \[3\]; the op was called at .*cell\[\d+\]:3:/,
    );
    const traceback = (reply.content.traceback as string[]).join("\n");
    expect(traceback).toMatch(/cell\[\d+\]:3:\d+/);
  });
});
