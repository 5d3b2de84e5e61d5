// save/load: both formats round-trip bit for bit, nested optimizer state included, and a model
// saved by one Node process loads in another (the engine is transpiled to a temporary folder and
// a child `node` trains and saves, or loads and predicts).
import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { load, manualSeed, nn, optim, randn, save, Tensor, tensor } from "../../engine/index.js";
import { deserialize, serialize } from "../../engine/io.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
let work = "";

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "tsgrad-io-"));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const bits = (t: Tensor): string => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString("hex");

describe.each(["binary", "json"] as const)("%s format", (format) => {
  it("round-trips every dtype bit for bit, with non-finite values", () => {
    const value = {
      weights: tensor([
        [0.1, -2.5e-8],
        [Math.PI, 1e30],
      ]),
      double: tensor([0.1, 1 / 3], { dtype: "float64" }),
      ids: tensor([[1, -2, 2147483647]], { dtype: "int32" }),
      special: tensor([Infinity, -Infinity, NaN, -0]),
      scalar: tensor(7),
    };
    const back = deserialize(serialize(value, format)) as Record<string, Tensor>;
    for (const [key, t] of Object.entries(value)) {
      expect(back[key]).toBeInstanceOf(Tensor);
      expect([back[key]!.dtype, back[key]!.shape, bits(back[key]!)]).toEqual([t.dtype, t.shape, bits(t)]);
    }
  });

  it("keeps nesting, numbers, strings and booleans (an optimizer's state dict)", () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.Adam([p], { lr: 0.01 });
    p.grad = tensor([0.5, -1]);
    opt.step();
    const state = { optimizer: opt.stateDict(), epoch: 3, note: "after warm-up", done: false, none: null };
    const back = deserialize(serialize(state, format));
    expect(back.epoch).toBe(3);
    expect(back.note).toBe("after warm-up");
    expect([back.done, back.none]).toEqual([false, null]);
    expect(back.optimizer.paramGroups).toEqual([
      { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, params: [0] },
    ]);
    expect(back.optimizer.state[0].step).toBe(1);
    expect(bits(back.optimizer.state[0].expAvg)).toBe(bits(opt.stateDict().state[0]!.expAvg as Tensor));
  });

  it("save → load through a file restores a model", () => {
    manualSeed(0);
    const a = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
    const path = join(work, `model.${format === "json" ? "json" : "safetensors"}`);
    save(a, path); // a module is saved through its stateDict()
    manualSeed(1);
    const b = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
    b.loadStateDict(load(path));
    const x = randn([5, 3]);
    expect(bits(b.forward(x))).toBe(bits(a.forward(x)));
  });
});

describe("the binary format is safetensors", () => {
  it("has an 8-byte header length, a JSON header with dtypes, shapes and offsets, 8-byte aligned", () => {
    const bytes = serialize({
      "fc.weight": tensor([
        [1, 2],
        [3, 4],
      ]),
      "fc.bias": tensor([5, 6]),
    });
    const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header["fc.weight"]).toEqual({ dtype: "F32", shape: [2, 2], data_offsets: [0, 16] });
    expect(header["fc.bias"]).toEqual({ dtype: "F32", shape: [2], data_offsets: [16, 24] });
    expect(bytes.length).toBe(8 + headerLength + 24);
    const data = new Float32Array(bytes.slice(8 + headerLength).buffer);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("is much smaller than JSON for float weights", () => {
    manualSeed(0);
    const state = new nn.Linear(100, 100).stateDict();
    expect(serialize(state, "binary").length).toBeLessThan(serialize(state, "json").length / 3);
  });

  it("reads a plain safetensors file written by another tool (no tsgrad metadata)", () => {
    const header = JSON.stringify({ w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } });
    const headerBytes = new TextEncoder().encode(header);
    const bytes = new Uint8Array(8 + headerBytes.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
    bytes.set(headerBytes, 8);
    bytes.set(new Uint8Array(new Float32Array([1.5, -2]).buffer), 8 + headerBytes.length);
    expect(Array.from((deserialize(bytes) as { w: Tensor }).w.data)).toEqual([1.5, -2]);
  });

  it("explains what cannot be saved", () => {
    expect(() => serialize({ f: (() => 1) as unknown as number })).toThrow("save: f is function");
    expect(() => deserialize(new TextEncoder().encode('{"hello": 1}'))).toThrow('JSON without "format": "tsgrad"');
  });
});

describe("across processes", () => {
  let engineDir = "";

  beforeAll(() => {
    // Transpile the engine's TypeScript to JavaScript a plain `node` child can import.
    engineDir = join(work, "dist");
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
    for (const file of walk(join(root, "engine")).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))) {
      const out = ts.transpileModule(readFileSync(file, "utf8"), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      const target = join(engineDir, relative(root, file)).replace(/\.ts$/, ".js");
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, out.outputText);
    }
    writeFileSync(join(engineDir, "package.json"), '{ "type": "module" }');
    symlinkSync(join(root, "node_modules"), join(engineDir, "node_modules"), "dir"); // the engine's own dependencies
    writeFileSync(
      join(engineDir, "child.js"),
      `import { manualSeed, nn, optim, randn, tensor, save, load } from "./engine/index.js";
const [mode, path] = process.argv.slice(2);
const makeModel = () => new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 1));
const probe = tensor([[0.5, -1, 2, 0.25], [1, 1, 1, 1]]);
manualSeed(mode === "train-and-save" ? 123 : 999);
const model = makeModel();
if (mode === "train-and-save") {
  const x = randn([64, 4]);
  const y = x.sum(1, true);
  const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
  for (let i = 0; i < 20; i++) {
    const loss = new nn.MSELoss().forward(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  save(model.stateDict(), path);
} else {
  model.loadStateDict(load(path));
}
console.log(JSON.stringify(Array.from(model.forward(probe).data)));
`,
    );
  });

  const runChild = (mode: string, path: string): number[] => {
    const child = spawnSync(process.execPath, [join(engineDir, "child.js"), mode, path], { encoding: "utf8" });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    return JSON.parse(child.stdout) as number[];
  };

  const makeModel = (): nn.Sequential => new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 1));
  const probe = (): Tensor =>
    tensor([
      [0.5, -1, 2, 0.25],
      [1, 1, 1, 1],
    ]);

  it.each([
    "model.safetensors",
    "model.json",
  ])("a model trained and saved by another process (%s) predicts the same here", (file) => {
    const path = join(work, `child-${file}`);
    const childPredictions = runChild("train-and-save", path);
    manualSeed(5);
    const model = makeModel();
    expect(Array.from(model.forward(probe()).data)).not.toEqual(childPredictions);
    model.loadStateDict(load(path));
    expect(Array.from(model.forward(probe()).data)).toEqual(childPredictions);
  });

  it("the same seeded training gives bit-identical weights in another process", () => {
    const childPredictions = runChild("train-and-save", join(work, "repeat.safetensors"));
    manualSeed(123);
    const model = makeModel();
    const x = randn([64, 4]);
    const y = x.sum(1, true);
    const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
    for (let i = 0; i < 20; i++) {
      const loss = new nn.MSELoss().forward(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    expect(Array.from(model.forward(probe()).data)).toEqual(childPredictions);
  });

  it("a model saved here loads in another process", () => {
    manualSeed(77);
    const model = makeModel();
    const path = join(work, "parent.safetensors");
    save(model.stateDict(), path);
    expect(runChild("load", path)).toEqual(Array.from(model.forward(probe()).data));
  });
});
