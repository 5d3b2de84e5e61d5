// nn.Module and the layers: discovery of parameters from fields, modes, state dicts, repr, and
// each layer against outputs worked out by hand.
import { describe, expect, expectTypeOf, it } from "vitest";
import { gradcheck, manualSeed, nn, randn, relu, type Tensor, tensor, zeros } from "../../engine/index.js";

class Net extends nn.Module {
  fc1 = new nn.Linear(4, 10);
  fc2 = new nn.Linear(10, 1);
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(relu(this.fc1.forward(x)));
  }
}

const rows = (t: Tensor): number[][] => t.toArray() as number[][];

describe("Module discovers parameters from its fields", () => {
  it("names them as PyTorch does, in declaration order", () => {
    const net = new Net();
    expect(net.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ["fc1.weight", [10, 4]],
      ["fc1.bias", [10]],
      ["fc2.weight", [1, 10]],
      ["fc2.bias", [1]],
    ]);
    expect(net.parameters()[0]).toBe(net.fc1.weight);
    expect(net.numParameters()).toBe(4 * 10 + 10 + 10 * 1 + 1);
    expect(net.children()).toEqual([net.fc1, net.fc2]);
  });

  it("finds raw tensors a student declares with requiresGrad", () => {
    class Perceptron extends nn.Module {
      w = randn([2, 1], { requiresGrad: true });
      b = zeros([1], { requiresGrad: true });
      override forward(x: Tensor): Tensor {
        return x.matmul(this.w).add(this.b);
      }
    }
    const p = new Perceptron();
    expect(p.namedParameters().map(([n, t]) => [n, t.shape])).toEqual([
      ["w", [2, 1]],
      ["b", [1]],
    ]);
    expect(p.forward(zeros([5, 2])).shape).toEqual([5, 1]);
  });

  it("Sequential names its layers by index; layers are readable as seq[i]", () => {
    const seq = new nn.Sequential(new nn.Linear(4, 10), new nn.ReLU(), new nn.Linear(10, 1));
    expect(seq.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(seq.length).toBe(3);
    expect(seq[1]).toBeInstanceOf(nn.ReLU);
    expect(seq.at(-1)).toBe(seq[2]);
    expect(seq.numParameters()).toBe(61);
  });

  it("finds modules and tensors in arrays, counts a shared parameter once, keeps frozen ones", () => {
    class Tied extends nn.Module {
      blocks = [new nn.Linear(2, 2), new nn.Linear(2, 2)];
      scale = nn.parameter(tensor([1]));
      constant = tensor([5]); // no gradient, not a buffer: ignored
      constructor() {
        super();
        this.blocks[1]!.weight = this.blocks[0]!.weight;
      }
    }
    const m = new Tied();
    expect(m.namedParameters().map(([n]) => n)).toEqual(["scale", "blocks.0.weight", "blocks.0.bias", "blocks.1.bias"]);
    m.requiresGrad_(false);
    expect(m.parameters()).toHaveLength(4);
    expect(Object.keys(m.stateDict())).toEqual(["scale", "blocks.0.weight", "blocks.0.bias", "blocks.1.bias"]);
  });

  it("registerBuffer puts state in the state dict but not in parameters()", () => {
    class WithBuffer extends nn.Module {
      fc = new nn.Linear(2, 1);
      constructor() {
        super();
        this.registerBuffer("runningMean", zeros([2]));
      }
    }
    const m = new WithBuffer();
    expect(m.parameters()).toHaveLength(2);
    expect(Object.keys(m.stateDict())).toEqual(["fc.weight", "fc.bias", "runningMean"]);
  });

  it("train()/eval() set the mode on the whole tree", () => {
    const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.Dropout(0.5));
    expect(seq.training).toBe(true);
    seq.eval();
    expect(seq.modules().every((m) => !m.training)).toBe(true);
    seq.train();
    expect(seq[1]!.training).toBe(true);
  });

  it("zeroGrad clears every parameter's gradient", () => {
    const net = new Net();
    net
      .forward(randn([3, 4]))
      .sum()
      .backward();
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it("a module without forward says so", () => {
    class Empty extends nn.Module {}
    expect(() => new Empty().forward(zeros([1]))).toThrow(
      "Empty has no forward() method: define forward(x) { … } in the class",
    );
  });

  it("prints a PyTorch-style summary", () => {
    expect(String(new Net())).toBe(
      "Net(\n" +
        "  (fc1): Linear(inFeatures=4, outFeatures=10, bias=true)\n" +
        "  (fc2): Linear(inFeatures=10, outFeatures=1, bias=true)\n" +
        ")",
    );
    expect(String(new nn.Sequential(new nn.Linear(2, 3, { bias: false }), new nn.ReLU()))).toBe(
      "Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=false)\n  (1): ReLU()\n)",
    );
  });
});

describe("state dicts", () => {
  it("loadStateDict makes a fresh model compute the same outputs", () => {
    manualSeed(1);
    const a = new Net();
    manualSeed(2);
    const b = new Net();
    const x = randn([5, 4]);
    expect(rows(b.forward(x))).not.toEqual(rows(a.forward(x)));
    b.loadStateDict(a.stateDict());
    expect(rows(b.forward(x))).toEqual(rows(a.forward(x)));
    expect(b.fc1.weight).not.toBe(a.fc1.weight); // values copied, tensors kept
  });

  it("stateDict is a snapshot, not a view of the live weights", () => {
    const net = new Net();
    const snapshot = net.stateDict();
    const before = snapshot["fc1.weight"]!.data[0];
    net.fc1.weight.data[0] = 123;
    expect(snapshot["fc1.weight"]!.data[0]).toBe(before);
  });

  it("names missing, unexpected and mis-shaped entries", () => {
    const net = new Net();
    const state = net.stateDict();
    const { "fc2.bias": _dropped, ...missing } = state;
    expect(() => net.loadStateDict(missing)).toThrow('loadStateDict for Net: missing key(s): "fc2.bias"');
    expect(() => net.loadStateDict({ ...state, "fc3.weight": zeros([1]) })).toThrow('unexpected key(s): "fc3.weight"');
    expect(() => net.loadStateDict({ ...state, "fc1.weight": zeros([10, 3]) })).toThrow(
      '"fc1.weight" has shape [10,3] in the state dict but [10,4] in the model',
    );
    expect(net.loadStateDict(missing, { strict: false })).toEqual({ missingKeys: ["fc2.bias"], unexpectedKeys: [] });
  });
});

describe("Linear", () => {
  it("computes x Wᵀ + b", () => {
    const fc = new nn.Linear(2, 3);
    fc.weight.data.set([1, 2, 3, 4, 5, 6]); // rows [1,2], [3,4], [5,6]
    fc.bias!.data.set([0.5, -1, 2]);
    // [1,1]  → [1+2, 3+4, 5+6] + b = [3.5, 6, 13]
    // [2,-1] → [2−2, 6−4, 10−6] + b = [0.5, 1, 6]
    expect(
      rows(
        fc.forward(
          tensor([
            [1, 1],
            [2, -1],
          ]),
        ),
      ),
    ).toEqual([
      [3.5, 6, 13],
      [0.5, 1, 6],
    ]);
    expect(fc.forward(zeros([7, 5, 2])).shape).toEqual([7, 5, 3]); // batched leading dims
  });

  it("initialises W and b from U(−1/√in, 1/√in), as torch.nn.Linear", () => {
    manualSeed(0);
    const fc = new nn.Linear(400, 300);
    const bound = 1 / Math.sqrt(400); // 0.05
    const w = Array.from(fc.weight.data);
    const b = Array.from(fc.bias!.data);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.999 * bound); // 120k draws reach the edge
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.001);
    expect(variance).toBeCloseTo((bound * bound) / 3, 5); // uniform on [−b, b] has variance b²/3
  });

  it("is repeatable under manualSeed", () => {
    manualSeed(7);
    const a = Array.from(new nn.Linear(3, 2).weight.data);
    manualSeed(7);
    expect(Array.from(new nn.Linear(3, 2).weight.data)).toEqual(a);
  });

  it("rejects input whose last size is wrong, naming the layer", () => {
    expect(() => new nn.Linear(4, 10).forward(zeros([32, 3]))).toThrow(
      "Linear(4, 10) got input of shape [32,3]: last size must be 4",
    );
  });
});

describe("activations, Dropout, Embedding, LayerNorm", () => {
  it("activations match their formulas", () => {
    const x = tensor([-2, 0, 1]);
    expect(Array.from(new nn.ReLU().forward(x).data)).toEqual([0, 0, 1]);
    expect(Array.from(new nn.LeakyReLU(0.1).forward(x).data)).toEqual([expect.closeTo(-0.2, 6), 0, 1]);
    expect(new nn.Sigmoid().forward(tensor([0])).item()).toBe(0.5);
    expect(new nn.Tanh().forward(tensor([1])).item()).toBeCloseTo(0.761594, 6);
    expect(new nn.GELU().forward(tensor([1])).item()).toBeCloseTo(0.841345, 5); // 1·Φ(1)
  });

  it("Dropout zeroes about p of the values and scales the rest by 1/(1−p); identity in eval", () => {
    manualSeed(0);
    const drop = new nn.Dropout(0.25);
    const out = Array.from(drop.forward(tensor(new Float32Array(10000).fill(1))).data);
    const zeros = out.filter((v) => v === 0).length;
    expect(zeros / out.length).toBeCloseTo(0.25, 1.5);
    expect(new Set(out.filter((v) => v !== 0))).toEqual(new Set([Math.fround(1 / 0.75)]));
    drop.eval();
    const x = randn([4]);
    expect(drop.forward(x)).toBe(x);
    expect(() => new nn.Dropout(1.5)).toThrow("probability must be between 0 and 1");
  });

  it("Embedding looks rows up and sends gradients to the rows used", () => {
    const emb = new nn.Embedding(4, 2);
    emb.weight.data.set([0, 1, 10, 11, 20, 21, 30, 31]);
    const ids = tensor(
      [
        [3, 1],
        [1, 1],
      ],
      { dtype: "int32" },
    );
    const out = emb.forward(ids);
    expect(out.toArray()).toEqual([
      [
        [30, 31],
        [10, 11],
      ],
      [
        [10, 11],
        [10, 11],
      ],
    ]);
    out.sum().backward();
    expect(rows(emb.weight.grad!)).toEqual([
      [0, 0],
      [3, 3],
      [0, 0],
      [1, 1],
    ]); // row 1 used three times
    expect(() => emb.forward(tensor([4], { dtype: "int32" }))).toThrow("Embedding(4, 2): id 4 is out of range 0..3");
  });

  it("LayerNorm normalises each row with the biased variance", () => {
    const norm = new nn.LayerNorm(3);
    // row [1,2,3]: mean 2, variance (1+0+1)/3 = 2/3 → (x − 2)/√(2/3 + 1e−5) = [−1.2247, 0, 1.2247]
    const y = norm.forward(
      tensor([
        [1, 2, 3],
        [10, 10, 10],
      ]),
    );
    const s = 1 / Math.sqrt(2 / 3 + 1e-5);
    expect(rows(y)[0]).toEqual([expect.closeTo(-s, 5), 0, expect.closeTo(s, 5)]);
    expect(rows(y)[1]).toEqual([0, 0, 0]);
    norm.weight!.data.set([2, 2, 2]);
    norm.bias!.data.set([1, 1, 1]);
    expect(rows(norm.forward(tensor([[1, 2, 3]])))[0]).toEqual([
      expect.closeTo(1 - 2 * s, 5),
      1,
      expect.closeTo(1 + 2 * s, 5),
    ]);
    expect(gradcheck((x) => new nn.LayerNorm(4).forward(x), [randn([3, 4])])).toBeLessThan(1e-6);
  });
});

describe("MultiHeadAttention and TransformerBlock", () => {
  /** One head with every projection the identity, so attention(x) = softmax(x xᵀ/√d) x. */
  function identityAttention(causal: boolean): nn.MultiHeadAttention {
    const attn = new nn.MultiHeadAttention(2, 1, { causal });
    for (const lin of [attn.query, attn.key, attn.value, attn.out]) {
      lin.weight.data.set([1, 0, 0, 1]);
      lin.bias!.data.fill(0);
    }
    return attn;
  }

  it("computes softmax(QKᵀ/√d)V by hand", () => {
    // x = [[1,0],[0,1]]: scores = x xᵀ/√2 = [[0.7071, 0], [0, 0.7071]];
    // softmax row 0 = [e^0.7071, 1]/(e^0.7071 + 1) = [0.669762, 0.330238]; output = weights · x
    const x = tensor([
      [1, 0],
      [0, 1],
    ]);
    const p = Math.exp(Math.SQRT1_2) / (Math.exp(Math.SQRT1_2) + 1);
    expect(rows(identityAttention(false).forward(x))).toEqual([
      [expect.closeTo(p, 5), expect.closeTo(1 - p, 5)],
      [expect.closeTo(1 - p, 5), expect.closeTo(p, 5)],
    ]);
    // causal: position 0 sees only itself → [1, 0]; position 1 sees both as before
    expect(rows(identityAttention(true).forward(x))).toEqual([
      [1, 0],
      [expect.closeTo(1 - p, 5), expect.closeTo(p, 5)],
    ]);
  });

  it("with a causal mask, later tokens cannot change earlier outputs", () => {
    manualSeed(3);
    const causal = new nn.MultiHeadAttention(8, 2, { causal: true });
    const open = new nn.MultiHeadAttention(8, 2);
    open.loadStateDict(causal.stateDict());
    const x = randn([2, 5, 8]);
    const changed = tensor(x);
    changed.data.fill(9, 4 * 8, 5 * 8); // change the last token of the first sequence
    const firstFour = (t: Tensor): number[] => Array.from(t.slice(1, 0, 4).data);
    expect(firstFour(causal.forward(changed))).toEqual(firstFour(causal.forward(x)));
    expect(firstFour(open.forward(changed))).not.toEqual(firstFour(open.forward(x)));
  });

  it("is differentiable with respect to its input (gradcheck)", () => {
    manualSeed(4);
    const attn = new nn.MultiHeadAttention(4, 2, { causal: true });
    expect(gradcheck((x) => attn.forward(x), [randn([2, 3, 4])])).toBeLessThan(1e-4);
  });

  it("a TransformerBlock keeps the shape and trains every parameter", () => {
    manualSeed(5);
    const block = new nn.TransformerBlock(8, 2, { causal: true });
    const x = randn([2, 4, 8]);
    const y = block.forward(x);
    expect(y.shape).toEqual([2, 4, 8]);
    y.square().mean().backward();
    const withoutGrad = block
      .namedParameters()
      .filter(([, p]) => p.grad === null || Array.from(p.grad.data).every((v) => v === 0));
    expect(withoutGrad.map(([n]) => n)).toEqual([]);
    expect(block.namedParameters().map(([n]) => n)).toContain("mlp.2.weight");
  });

  it("rejects an embedDim that heads cannot split", () => {
    expect(() => new nn.MultiHeadAttention(10, 3)).toThrow("embedDim 10 must be divisible by numHeads 3");
  });
});

describe("nn.init", () => {
  it("xavierUniform_ and kaimingUniform_ respect their bounds", () => {
    manualSeed(0);
    const w = zeros([200, 100]);
    nn.init.xavierUniform_(w);
    const xb = Math.sqrt(6 / 300);
    expect(Math.max(...Array.from(w.data).map(Math.abs))).toBeLessThanOrEqual(xb);
    expect(Math.max(...Array.from(w.data).map(Math.abs))).toBeGreaterThan(0.99 * xb);
    nn.init.kaimingUniform_(w, { nonlinearity: "relu" });
    const kb = Math.sqrt(2) * Math.sqrt(3 / 100);
    expect(Math.max(...Array.from(w.data).map(Math.abs))).toBeLessThanOrEqual(kb);
    expect(Math.max(...Array.from(w.data).map(Math.abs))).toBeGreaterThan(0.99 * kb);
  });

  it("gains and fans follow PyTorch's table", () => {
    expect(nn.init.calculateGain("tanh")).toBeCloseTo(5 / 3, 12);
    expect(nn.init.calculateGain("relu")).toBeCloseTo(Math.SQRT2, 12);
    expect(nn.init.calculateGain("leaky_relu", Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(nn.init.fans([10, 4, 3, 3])).toEqual([36, 90]);
    expect(Array.from(nn.init.zeros_(randn([3])).data)).toEqual([0, 0, 0]);
  });
});

describe("summaries", () => {
  it("summary() lists parameters with shapes and counts, and the total", () => {
    const net = new Net();
    net.fc2.requiresGrad_(false);
    expect(net.summary()).toBe(
      [
        "parameter            shape   count",
        "fc1.weight           [10,4]     40",
        "fc1.bias             [10]       10",
        "fc2.weight (frozen)  [1,10]     10",
        "fc2.bias (frozen)    [1]         1",
        "Net: 61 parameters (50 trainable)",
      ].join("\n"),
    );
  });

  it("a module displays itself in a notebook: layers, repr and parameter table, the totals once", () => {
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    const { data } = (seq as unknown as Record<symbol, () => { data: Record<string, string> }>)[
      Symbol.for("Jupyter.display")
    ]!();
    expect(data["text/plain"]).toBe(
      [
        "layer       output shape  parameters",
        "0 (Linear)        [*, 3]           9",
        "1 (ReLU)          [*, 3]           0",
        "Sequential: 9 parameters (9 trainable)",
        "",
        "Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n  (1): ReLU()\n)",
      ].join("\n"),
    );
    expect(data["text/html"]).toContain(
      '<tr><td><code>0.weight</code></td><td>[3,2]</td><td style="text-align:right">6</td></tr>',
    );
    expect(data["text/html"]!.split("9 parameters (9 trainable)")).toHaveLength(2);
  });
});

describe("MultiHeadAttention initialisation", () => {
  it("follows torch.nn.MultiheadAttention: Xavier-uniform Q/K/V over [3E, E], zero biases", () => {
    manualSeed(0);
    const attn = new nn.MultiHeadAttention(64, 4);
    const bound = Math.sqrt(6 / (64 + 3 * 64));
    const q = Array.from(attn.query.weight.data).map(Math.abs);
    expect(Math.max(...q)).toBeLessThanOrEqual(bound);
    expect(Math.max(...q)).toBeGreaterThan(0.99 * bound);
    expect(
      [attn.query, attn.key, attn.value, attn.out].every((l) => Array.from(l.bias!.data).every((v) => v === 0)),
    ).toBe(true);
  });
});

describe("modules that point back up the tree", () => {
  it("are listed, printed and applied once, without looping forever", () => {
    class Child extends nn.Module {
      fc = new nn.Linear(1, 1);
      owner: nn.Module | null = null;
    }
    class Parent extends nn.Module {
      child = new Child();
    }
    const parent = new Parent();
    parent.child.owner = parent;
    expect(parent.modules()).toHaveLength(3);
    expect(parent.numParameters()).toBe(2);
    expect(String(parent)).toBe(
      "Parent(\n  (child): Child(\n    (fc): Linear(inFeatures=1, outFeatures=1, bias=true)\n    (owner): Parent(…)\n  )\n)",
    );
    const visited: string[] = [];
    parent.apply((m) => visited.push(m.constructor.name));
    expect(visited).toEqual(["Linear", "Child", "Parent"]);
  });
});

describe("frozen layers", () => {
  it("a layer frozen before anything asked for its parameters still lists and saves them", () => {
    const fc = new nn.Linear(2, 2);
    fc.weight.requiresGrad = false;
    expect(fc.namedParameters().map(([n]) => n)).toEqual(["weight", "bias"]);
    expect(fc.summary()).toContain("weight (frozen)");
  });
});

describe("Sequential", () => {
  it("runs layers in order, appends, and refuses things that are not layers", () => {
    const seq = new nn.Sequential(new nn.Linear(1, 1, { bias: false }));
    (seq.at(0) as nn.Linear).weight.data.set([2]);
    seq.append(new nn.ReLU());
    expect(Array.from(seq.forward(tensor([[3], [-3]])).data)).toEqual([6, 0]);
    expect([...seq].map((l) => l.constructor.name)).toEqual(["Linear", "ReLU"]);
    expect(() => new nn.Sequential(relu as unknown as nn.Layer)).toThrow(
      "Sequential: item 0 is not a layer with forward(x)",
    );
    expect(() => seq.at(5)).toThrow("index 5 is out of range for 2 layers");
  });
});

describe("Module.forward's type", () => {
  // Checked by `npm run typecheck` (expectTypeOf and @ts-expect-error); the calls also run.
  it("lets code holding any nn.Module call forward", () => {
    const predict = (model: nn.Module, x: Tensor): Tensor => model.forward(x);
    expect(predict(new Net(), zeros([3, 4])).shape).toEqual([3, 1]);
    // biome-ignore lint/suspicious/noExplicitAny: the type under test
    expectTypeOf<nn.Module["forward"]>().parameters.toEqualTypeOf<any[]>();
    expectTypeOf<nn.Module["forward"]>().returns.toBeAny();
    // A model's children, whatever their classes.
    let h = zeros([2, 4]);
    for (const child of new Net().children()) h = child.forward(h);
    expect(h.shape).toEqual([2, 1]);
  });

  it("keeps each subclass's own signature", () => {
    expectTypeOf<Net["forward"]>().toEqualTypeOf<(x: Tensor) => Tensor>();
    expectTypeOf<nn.Linear["forward"]>().toEqualTypeOf<(x: Tensor) => Tensor>();
    expectTypeOf<nn.MSELoss["forward"]>().toEqualTypeOf<(input: Tensor, target: Tensor) => Tensor>();
    // Sequential's layers are typed one tensor in, one out.
    const seq = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU());
    expectTypeOf(seq.at(0).forward).toEqualTypeOf<(x: Tensor) => Tensor>();
    expect(seq.at(0).forward(zeros([2, 4])).shape).toEqual([2, 3]);
    const misuse = (net: Net, loss: nn.MSELoss): void => {
      // @ts-expect-error Net.forward takes a Tensor
      net.forward("x");
      // @ts-expect-error MSELoss.forward takes two tensors
      loss.forward(zeros([1]));
    };
    expect(misuse).toBeTypeOf("function");
  });

  it("lets a subclass choose other inputs and outputs", () => {
    class TwoHeads extends nn.Module {
      left = new nn.Linear(2, 1);
      right = new nn.Linear(2, 1);
      override forward(x: Tensor, scale = 1): [Tensor, Tensor] {
        return [this.left.forward(x).mul(scale), this.right.forward(x)];
      }
    }
    const [a, b] = new TwoHeads().forward(zeros([5, 2]), 2);
    expectTypeOf(a).toEqualTypeOf<Tensor>();
    expect([a.shape, b.shape]).toEqual([
      [5, 1],
      [5, 1],
    ]);
  });
});

describe("ModuleList", () => {
  it("holds modules by index, names their parameters 0.…, 1.…, and iterates", () => {
    class Stack extends nn.Module {
      layers = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 1)]);
      override forward(x: Tensor): Tensor {
        let h = x;
        for (const layer of this.layers) h = layer.forward(h);
        return h;
      }
    }
    const m = new Stack();
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      "layers.0.weight",
      "layers.0.bias",
      "layers.1.weight",
      "layers.1.bias",
    ]);
    expect(m.forward(zeros([3, 2])).shape).toEqual([3, 1]);
    expect(m.layers.length).toBe(2);
    expect(m.layers.at(-1)).toBe(m.layers[1]);
  });
});
