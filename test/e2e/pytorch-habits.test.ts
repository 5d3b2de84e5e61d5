// End-to-end: what a PyTorch user types, through the built kernel: models and losses called as
// functions, cell names that reuse a preloaded one, and what a cell shows and type-checks.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../kernel/protocol/messages.js";
import { type ExecuteOptions, type KernelClient, REPO_ROOT, startKernel } from "./client.js";

const NOTEBOOK = join(REPO_ROOT, "test/fixtures/notebook");

function resultText(outputs: Message[]): string | undefined {
  const result = outputs.find((m) => m.header.msg_type === "execute_result");
  return result ? (result.content.data as Record<string, string>)["text/plain"] : undefined;
}

function stdout(outputs: Message[]): string {
  return outputs
    .filter((m) => m.header.msg_type === "stream" && m.content.name === "stdout")
    .map((m) => m.content.text as string)
    .join("");
}

describe("PyTorch habits in a running kernel", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await startKernel({ cwd: NOTEBOOK });
    // The first cell waits for the runtime to load the compiler: slow on a busy machine.
    await kernel.execute("0", { timeoutMs: 120_000 });
  }, 150_000);
  afterAll(async () => {
    await kernel.close();
  });

  async function run(code: string, options: ExecuteOptions = {}): Promise<Message[]> {
    const { reply, outputs } = await kernel.execute(code, options);
    expect(reply.content, JSON.stringify(reply.content)).toMatchObject({ status: "ok" });
    return outputs;
  }

  async function failure(code: string, options: ExecuteOptions = {}): Promise<{ ename: string; evalue: string }> {
    const { reply } = await kernel.execute(code, options);
    expect(reply.content.status).toBe("error");
    return { ename: reply.content.ename as string, evalue: reply.content.evalue as string };
  }

  it("calls a model and a loss as functions, trains, and shows the model as a cell's value", async () => {
    await run(
      [
        "manualSeed(0);",
        "class Net extends nn.Module {",
        "  name = 'regressor';",
        "  fc1 = new nn.Linear(1, 8);",
        "  fc2 = new nn.Linear(8, 1);",
        "  forward(x: Tensor): Tensor { return this.fc2(relu(this.fc1(x))); }",
        "}",
        "const model = new Net();",
        "const criterion = new nn.MSELoss();",
        "const optimizer = new optim.Adam(model.parameters(), { lr: 0.05 });",
        "const xs = linspace(-1, 1, 32).reshape([32, 1]);",
        "const ys = xs.mul(2).add(1);",
      ].join("\n"),
    );
    const trained = await run(
      [
        "const first = criterion(model(xs), ys).item();",
        "for (let step = 0; step < 200; step++) {",
        "  const loss = criterion(model(xs), ys);",
        "  optimizer.zeroGrad();",
        "  loss.backward();",
        "  optimizer.step();",
        "}",
        "const last = criterion(model(xs), ys).item();",
        "console.log(model instanceof nn.Module, model.name, first > 10 * last, last < 0.01);",
        "model",
      ].join("\n"),
    );
    expect(stdout(trained)).toBe("true regressor true true\n");
    const shown = resultText(trained) ?? "";
    expect(shown).toContain("Net(\n  (fc1): Linear(inFeatures=1, outFeatures=8, bias=true)");
    expect(shown).toContain("25 parameters");
    expect(resultText(await run("model(tensor([[0.5]])).shape"))).toBe("[ 1, 1 ]");
    expect(resultText(await run("new nn.Sequential(new nn.Linear(2, 3), new nn.Tanh())(zeros([4, 2])).shape"))).toBe(
      "[ 4, 3 ]",
    );
  });

  it("has no preloaded t: a forgotten variable is a clear error", async () => {
    const { ename, evalue } = await failure("t");
    expect(ename).toBe("TypeScriptError");
    expect(evalue).toContain("Cannot find name 't'");
    const unchecked = await failure("// @ts-nocheck\nt");
    expect(unchecked).toMatchObject({ ename: "ReferenceError", evalue: "t is not defined" });
    expect(resultText(await run("randn([2, 3]).t().shape"))).toBe("[ 3, 2 ]");
  });

  it("stops x[0] on a tensor before it runs, naming the method to write", async () => {
    const { ename, evalue } = await failure("const x = randn([3, 4]);\nconst row = x[0];");
    expect(ename).toBe("TypeScriptError");
    expect(evalue).toContain("cell");
    expect(evalue).toContain("write x.at(0)");
  });

  it("says what to write for a * 2, t.size and a module given to an optimizer", async () => {
    expect((await failure("const q = randn(2, 2);\nq * 2")).evalue).toContain("write q.mul(2) for q * 2");
    expect((await failure("randn(2, 3).size * 2")).evalue).toContain("size is a method, as in PyTorch");
    expect((await failure("new optim.SGD(new nn.Linear(2, 1), { lr: 0.1 })")).evalue).toContain(
      "write (new nn.Linear(2, 1)).parameters()",
    );
    expect(resultText(await run("const r = randn(2, 3);\n[r.size(), r.size(-1), r.numel()]"))).toBe(
      "[ [ 2, 3 ], 3, 6 ]",
    );
  });

  it("prompt() returns the line typed, synchronously, as in browsers", async () => {
    const prompts: string[] = [];
    const answers = ["Ada", ""];
    const outputs = await run(
      [
        'console.log("before");',
        'const who: string = prompt("Name? ");',
        'const level = prompt("Level? ", "beginner");',
        "`${who} (${level})`",
      ].join("\n"),
      {
        onInput: (prompt) => {
          prompts.push(prompt);
          return answers.shift() ?? "";
        },
      },
    );
    expect(prompts).toEqual(["Name? ", "Level? "]);
    expect(stdout(outputs)).toBe("before\n");
    expect(resultText(outputs)).toBe("'Ada (beginner)'");
    // Inside a loop over tensors too, and `await input()` stays.
    const summed = await run(
      "let total = zeros([1]);\nfor (let i = 0; i < 3; i++) total = total.add(Number(prompt(`x${i}? `)));\n[total.item(), await input('ok? ')]",
      { onInput: (prompt) => (prompt === "ok? " ? "yes" : prompt.slice(1, 2)) },
    );
    expect(resultText(summed)).toBe("[ 3, 'yes' ]");
  });

  it("prompt() without stdin says so", async () => {
    const { ename, evalue } = await failure('prompt("Name? ")');
    expect(ename).toBe("StdinNotAllowedError");
    expect(evalue).toContain("prompt() needs a client that accepts input");
  });

  it("type-checks a call against forward's signature before running", async () => {
    const { ename, evalue } = await failure('model("x")');
    expect(ename).toBe("TypeScriptError");
    expect(evalue).toContain("not assignable to parameter of type 'Tensor'");
  });

  // Last: the names it declares stay declared for the rest of the notebook.
  it("lets a cell reuse a preloaded name (input, prompt, clearOutput) in later cells", async () => {
    await run('const input = randn([1, 1, 32, 32]);\nconst prompt = "Q:";\nfunction clearOutput() { return "mine"; }');
    expect(resultText(await run("[input.shape, prompt, clearOutput()]"))).toBe("[ [ 1, 1, 32, 32 ], 'Q:', 'mine' ]");
  });
});
