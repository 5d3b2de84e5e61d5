// Modules and losses are callable, as in PyTorch: `model(x)` runs forward, and a model stays an
// ordinary module for everything else (instanceof, parameters, state dicts, repr, save/load).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import { load, manualSeed, nn, optim, randn, relu, save, type Tensor, tensor } from "../../engine/index.js";

class Net extends nn.Module {
  fc1 = new nn.Linear(4, 10);
  fc2 = new nn.Linear(10, 1);
  override forward(x: Tensor): Tensor {
    return this.fc2(relu(this.fc1(x)));
  }
}

describe("calling a module runs its forward", () => {
  it("model(x) equals model.forward(x), for a user model, Sequential and a layer", () => {
    manualSeed(0);
    const x = randn([3, 4]);
    const net = new Net();
    expect(net(x).toArray()).toEqual(net.forward(x).toArray());
    const seq = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
    expect(seq(x).shape).toEqual([3, 2]);
    expect(seq(x).toArray()).toEqual(seq.forward(x).toArray());
    expect(seq[0]!(x).toArray()).toEqual(seq[0]!.forward(x).toArray());
  });

  it("losses take (prediction, target)", () => {
    const criterion = new nn.MSELoss();
    expect(criterion(tensor([1, 2, 3]), tensor([1, 2, 5])).item()).toBeCloseTo(4 / 3, 6);
    const ce = new nn.CrossEntropyLoss();
    expect(ce(tensor([[0, 0]]), tensor([1], { dtype: "int32" })).item()).toBeCloseTo(Math.log(2), 6);
  });

  it("gradients flow through calls as through forward", () => {
    manualSeed(1);
    const net = new Net();
    const loss = new nn.MSELoss()(net(randn([5, 4])), randn([5, 1]));
    loss.backward();
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
  });

  it("is typed by the subclass's forward", () => {
    const net = new Net();
    expectTypeOf(net).parameter(0).toEqualTypeOf<Tensor>();
    expectTypeOf(net).returns.toEqualTypeOf<Tensor>();
    expectTypeOf(new nn.MSELoss()).parameters.toEqualTypeOf<[input: Tensor, target: Tensor]>();
    // @ts-expect-error: forward takes one tensor
    expect(() => net(1, 2)).toThrow();
  });
});

describe("a callable module is still an ordinary module", () => {
  it("instanceof, fields, parameters, repr and Object.keys are as before", () => {
    const net = new Net();
    expect(net).toBeInstanceOf(Net);
    expect(net).toBeInstanceOf(nn.Module);
    expect(Object.keys(net)).toEqual(["training", "fc1", "fc2"]);
    expect(net.namedParameters().map(([name]) => name)).toEqual(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
    expect(String(net)).toBe(
      "Net(\n  (fc1): Linear(inFeatures=4, outFeatures=10, bias=true)\n  (fc2): Linear(inFeatures=10, outFeatures=1, bias=true)\n)",
    );
  });

  it("fields named like a function's own properties (name, length, prototype) are the subclass's", () => {
    class Named extends nn.Module {
      // (`override` because a callable type has a function's members in TypeScript; cells are
      // checked without noImplicitOverride and write just `name = "encoder"`.)
      override name = "encoder";
      override length = 3;
      override prototype = "p";
      override forward(x: Tensor): Tensor {
        return x;
      }
    }
    const m = new Named();
    expect([m.name, m.length, m.prototype]).toEqual(["encoder", 3, "p"]);
    class Assigned extends nn.Module {
      override name: string;
      constructor(name: string) {
        super();
        this.name = name; // a PyTorch port's `self.name = name`: assignment, not a field definition
      }
    }
    expect(new Assigned("decoder").name).toBe("decoder");
    const list = new nn.ModuleList([new nn.Linear(1, 1), new nn.Linear(1, 1)]);
    expect(list.length).toBe(2);
  });

  it("stateDict, save and load round-trip a model", () => {
    manualSeed(2);
    const net = new Net();
    const file = join(mkdtempSync(join(tmpdir(), "tsgrad-callable-")), "net.safetensors");
    save(net, file);
    const copy = new Net();
    copy.loadStateDict(load(file) as Record<string, Tensor>);
    const x = randn([2, 4]);
    expect(copy(x).toArray()).toEqual(net(x).toArray());
  });

  it("an optimizer given the model instead of its parameters says what to write", () => {
    expect(() => new optim.SGD(new Net() as never, { lr: 0.1 })).toThrow("model.parameters()");
  });
});
