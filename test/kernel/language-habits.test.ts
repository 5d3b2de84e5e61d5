// PyTorch habits caught by the type check with the fix in the cell's own names: operators on
// tensors, t.size without the call, a module passed where its parameters are expected, and
// Python written in a cell (torch., keyword arguments, True, print, len, undeclared names). Needs
// `npm run build` (the engine's declarations in dist/).
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { NotebookLanguageService } from "../../kernel/runtime/child/language/service.js";

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

describe("PyTorch habits in a cell's type check", () => {
  let service: NotebookLanguageService;
  const messages = (code: string) => service.diagnose(code).map((d) => d.message);
  beforeAll(() => {
    service = new NotebookLanguageService({
      notebookDir: join(PROJECT, "test/fixtures/notebook"),
      projectDir: PROJECT,
    });
    service.commit(
      [
        "const a = randn(3, 4);",
        "const b = randn(3, 4);",
        "const model = new nn.Linear(4, 2);",
        "class Net extends nn.Module { fc = new nn.Linear(4, 2); forward(x: Tensor): Tensor { return this.fc(x); } }",
        "const net = new Net();",
      ].join("\n"),
    );
  });

  it("operators on tensors name the method, one error per operator", () => {
    expect(messages("a * 2")).toEqual([
      "JavaScript has no operators on tensors (add sub mul div pow neg, lt le gt ge eq ne; matmul for @): write a.mul(2) for a * 2.",
    ]);
    expect(messages("const c = a * b;")).toHaveLength(1);
    expect(messages("a + b")[0]).toContain("write a.add(b) for a + b.");
    expect(messages("2 * a")[0]).toContain("write a.mul(2) for 2 * a.");
    expect(messages("2 - a")[0]).toContain("write sub(2, a) for 2 - a.");
    expect(messages("2 ** a")[0]).toContain("write a.rpow(2) for 2 ** a.");
    expect(messages("a ** 2")[0]).toContain("write a.pow(2) for a ** 2.");
    expect(messages("a < 0")[0]).toContain("write a.lt(0) for a < 0.");
    expect(messages("1 > a.sum()")[0]).toContain("write a.sum().lt(1) for 1 > a.sum().");
    expect(messages("let z = a;\nz += 1;")[0]).toContain(
      "write z = z.add(1) for z += 1, or z.add_(1) to change it in place",
    );
    expect(messages("a % 2")[0]).toContain("% has no tensor method");
    expect(service.diagnose("const d = (a.sum() - 1);")[0]).toMatchObject({ line: 1, column: 12, code: 2362 });
  });

  it("leaves what TypeScript allows and other errors alone", () => {
    expect(messages("const s = a + ' is a tensor';\nconst same = a === b;")).toEqual([]);
    expect(messages("a.mul(nothing)")).toEqual(["Cannot find name 'nothing'."]);
  });

  it("t.size without the call says size() is the shape and numel() the count", () => {
    const advice =
      "size is a method, as in PyTorch: write a.numel() for the number of elements, a.size() for the shape (a.shape), a.size(0) for one dimension.";
    expect(messages("a.size * 2")).toEqual([advice]);
    expect(messages("for (let i = 0; i < a.size; i++) {}")).toEqual([advice]);
    expect(messages("a.size === 12")).toEqual([advice]);
    expect(messages("console.log(a.size);")).toEqual([advice]);
    expect(messages("const n: number = a.size;")).toContain(advice);
    expect(messages("a.size(0) * a.size().length * a.numel();\nconst f = typeof a.size;")).toEqual([]);
    expect(messages("const m = new Map<string, number>();\nm.size * 2;")).toEqual([]);
    expect(messages("const l = a.sum();\nl.item * 2")).toEqual(["item is a method: write l.item() for the number."]);
    expect(messages("const k: number = a.numel;")[0]).toBe("numel is a method: write a.numel().");
  });

  it("a == b between tensors, legal JavaScript comparing objects, names eq()", () => {
    expect(messages("const e = a == b;")[0]).toBe(
      "JavaScript has no operators on tensors (add sub mul div pow neg, lt le gt ge eq ne; matmul for @): write a.eq(b) for a == b. (== on objects asks whether they are the same object; === says so on purpose.)",
    );
    expect(messages("const same = a === b;\nif (a.grad == null || a.grad != undefined) {}")).toEqual([]);
  });

  it("Python in a cell: torch., keyword arguments, True/None, print, len, range, undeclared names", () => {
    expect(messages("torch.manual_seed(0)")[0]).toMatch(
      /^The library is in scope without a prefix: write manualSeed\(…\) for torch\.manual_seed\(…\); torch\.nn is nn/,
    );
    expect(messages("randn(3, 4, requires_grad=True)")).toEqual([
      "JavaScript has no keyword arguments (requires_grad=True assigns a variable): pass the value by position, or as an option: { requiresGrad: true }.",
      "Python's True is true in JavaScript.",
    ]);
    expect(messages("const s = a.sum(dim=1);")[0]).toContain("{ dim: 1 }");
    expect(messages("print(a)")[0]).toBe("print is console.log(…) here; or end the cell with the value to show it.");
    expect(messages("len(a)")[0]).toBe(
      "len is not a function here: write a.shape[0] for a tensor, a.length for an array or a string.",
    );
    expect(messages("for (const i of range(3)) {}")[0]).toContain("write arange(n) for a tensor of 0…n-1");
    expect(messages("x = randn(3)")[0]).toBe(
      "x is not declared: write const x = … (or let x = … if you assign it again later).",
    );
    expect(messages("undefinedThing + 1")[0]).toBe("Cannot find name 'undefinedThing'.");
  });

  it("PyTorch members spelled otherwise here name ours: numpy(), nelement(), cuda(), mT", () => {
    expect(messages("a.numpy()")).toEqual([
      "numpy is not a member of a Tensor: write a.toArray() for nested arrays, or a.data for the flat typed array (PyTorch's .numpy()).",
    ]);
    expect(messages("a.detach().cpu().nelement()")).toEqual([
      "nelement is not a member of a Tensor: write a.detach().cpu().numel().",
    ]);
    expect(messages("net.cuda()")).toEqual([
      "cuda is not a member of a module: tsgrad computes on the CPU only: leave out .cuda().",
    ]);
    expect(messages("a.mT")[0]).toContain("write a.transpose(-2, -1)");
    expect(messages("a.to('cpu').to('float64')")).toEqual([]);
    expect(messages("a.foo")).toEqual(["Property 'foo' does not exist on type 'Tensor'."]);
  });

  it("a module passed where its parameters are expected says model.parameters()", () => {
    expect(messages("new optim.SGD(model, { lr: 0.1 })")).toEqual([
      "model is a module; this takes its parameters (tensors): write model.parameters(), as in PyTorch's model.parameters().",
    ]);
    expect(messages("new optim.Adam(net.fc, { lr: 0.1 })")[0]).toContain("write net.fc.parameters()");
    expect(messages("optim.clipGradNorm(net, 1)")[0]).toContain("write net.parameters()");
    expect(messages("new optim.SGD(net.parameters, { lr: 0.1 })")).toEqual([
      "parameters is a method: write net.parameters() (the call gives the list of tensors).",
    ]);
    // A module where a tensor is expected is another mistake: TypeScript's words stay.
    expect(messages("relu(model)")[0]).toContain(
      "Argument of type 'Linear' is not assignable to parameter of type 'Tensor'",
    );
  });
});
