// nn.Module: the base of every layer and model. A model is a plain class whose fields hold
// layers and tensors; the module finds its parameters and sub-modules by looking at its own
// fields each time it is asked, so a subclass needs no registration:
//
//   class Net extends nn.Module {
//     fc1 = new nn.Linear(4, 10);
//     fc2 = new nn.Linear(10, 1);
//     forward(x: Tensor): Tensor { return this.fc2(relu(this.fc1(x))); }
//   }
//
// (Lazily, because class fields of a subclass are assigned after the base constructor runs.)
// A field is a parameter when it holds a leaf tensor that requires a gradient, or one made by
// `nn.parameter()`; a sub-module when it holds a Module; arrays of either count too (`blocks.0`).
// Module declares `forward` with any inputs and any output (PyTorch's is `Callable[..., Any]`),
// so code holding any module can call it, and a subclass's own signature is whatever it needs.
// A module is callable, as in PyTorch: `model(x)` is `model.forward(x)`, typed by the
// subclass's forward (the call signature below reads `this["forward"]`). JavaScript calls only
// functions, so every module is one (callable-object.ts); `instanceof`, fields and methods work
// as on any object.
// Cells are checked without noImplicitOverride, so a student writes `forward(x)` as above; the
// engine's own layers, compiled with it, say `override forward`.

import { type DisplayData, JUPYTER_DISPLAY } from "../display.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { CallableObject } from "./callable-object.js";
import { modelDisplayData } from "./layer-summary.js";
import { summaryText } from "./summary.js";

/** Parameter and buffer tensors by dotted name (`fc1.weight`), as `stateDict()` returns them. */
export type StateDict = Record<string, Tensor>;

const knownParameters = new WeakSet<Tensor>();

/**
 * Marks a tensor as a module parameter (a trainable leaf); it stays one even if frozen later.
 * Example: `this.scale = nn.parameter(ones([1]))`
 */
export function parameter(t: Tensor): Tensor {
  if (!t.isLeaf) throw new Error("nn.parameter: a parameter must be a leaf tensor (use .detach() first)");
  t.requiresGrad = true;
  knownParameters.add(t);
  return t;
}

function isParameter(value: unknown): value is Tensor {
  if (!(value instanceof Tensor)) return false;
  if (knownParameters.has(value)) return true;
  if (value.requiresGrad && value.isLeaf) {
    knownParameters.add(value); // remembered, so freezing it later keeps it a parameter
    return true;
  }
  return false;
}

/** A module called as a function runs its forward: `model(x)` is `model.forward(x)`. */
export interface Module {
  /**
   * Runs `forward` with these inputs, as PyTorch's `model(x)`.
   * Example: `const prediction = model(x); const loss = criterion(prediction, y)`
   */
  // biome-ignore lint/style/useShorthandFunctionType: this interface merges with the class below, which cannot declare a call signature.
  (...inputs: Parameters<this["forward"]>): ReturnType<this["forward"]>;
}

/**
 * The base class of layers and models: parameters, sub-modules, modes and state dicts.
 * Example: `class Net extends nn.Module { fc = new nn.Linear(4, 1); forward(x: Tensor) { return this.fc(x); } }`
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above.
export class Module extends CallableObject {
  /** True in training mode (Dropout drops); `train()` and `eval()` set it on the whole tree. */
  training = true;
  readonly #bufferNames = new Set<string>();

  /**
   * What the module computes: each subclass defines it, with the inputs and output it needs.
   * Example: `const prediction = model.forward(x)`
   */
  // Typed `any` on purpose: inputs and output are the subclass's to choose (a loss takes two
  // tensors, a model may return several), and a caller holding a plain Module can still call it.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  // biome-ignore lint/correctness/noUnusedFunctionParameters: the signature subclasses override
  forward(...inputs: any[]): any {
    throw new Error(`${this.constructor.name} has no forward() method: define forward(x) { … } in the class`);
  }

  /** Direct sub-modules with their field names. Example: `model.namedChildren() // [["fc1", Linear…], …]` */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [name, value] of ownEntries(this)) {
      if (value instanceof Module) out.push([name, value]);
      else if (Array.isArray(value))
        value.forEach((item, i) => item instanceof Module && out.push([`${name}.${i}`, item]));
    }
    return out;
  }

  /** Direct sub-modules. Example: `model.children().length // 2` */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every module below it, depth first, with dotted names (`""` for this one). */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (prefix: string, module: Module): void => {
      if (seen.has(module)) return;
      seen.add(module);
      out.push([prefix, module]);
      for (const [name, child] of module.namedChildren()) visit(prefix === "" ? name : `${prefix}.${name}`, child);
    };
    visit("", this);
    return out;
  }

  /** This module and all below it. Example: `model.modules().filter((m) => m instanceof nn.Linear)` */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Every parameter with its dotted name, each once. Example: `model.namedParameters()[0][0] // "fc1.weight"` */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, t] of module.ownTensors()) {
        if (seen.has(t) || !isParameter(t)) continue;
        seen.add(t);
        out.push([prefix === "" ? name : `${prefix}.${name}`, t]);
      }
    }
    return out;
  }

  /** Every parameter, for an optimizer. Example: `new optim.SGD(model.parameters(), { lr: 0.1 })` */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Total number of parameter values. Example: `new nn.Linear(4, 10).numParameters() // 50` */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.numel(), 0);
  }

  /**
   * Keeps a tensor that is state but not trained (a running average, a fixed table) in the
   * state dict. Example: `this.registerBuffer("mask", ones([8, 8]))`
   */
  registerBuffer(name: string, value: Tensor): void {
    (this as unknown as Record<string, unknown>)[name] = value;
    this.#bufferNames.add(name);
  }

  /** Registered buffers with dotted names. Example: `model.namedBuffers()` */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, module] of this.namedModules()) {
      for (const name of module.#bufferNames) {
        const value = (module as unknown as Record<string, unknown>)[name];
        if (value instanceof Tensor) out.push([prefix === "" ? name : `${prefix}.${name}`, value]);
      }
    }
    return out;
  }

  /** Training mode (or evaluation mode with `false`) for this module and all below. Example: `model.train()` */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: Dropout stops dropping. Example: `model.eval()` */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient. Example: `model.zeroGrad()` */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Freezes (`false`) or unfreezes every parameter. Example: `model.fc1.requiresGrad_(false)` */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /** Calls `fn` on every module, children before their parent, as PyTorch's `apply`. Example: `model.apply(initWeights)` */
  apply(fn: (module: Module) => void): this {
    for (const module of this.modules().reverse()) fn(module); // reversed pre-order: children first; each module once
    return this;
  }

  /**
   * A snapshot (copies) of every parameter and buffer by dotted name, for `save()`.
   * Example: `save(model.stateDict(), "model.safetensors")`
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, t] of [...this.namedParameters(), ...this.namedBuffers()]) {
      out[name] = new Tensor(t.data.slice(), [...t.shape], t.dtype);
    }
    return out;
  }

  /**
   * Copies values from a state dict into this module's tensors, checking names and shapes.
   * With `strict: false`, missing and unexpected names are returned instead of thrown.
   * Example: `model.loadStateDict(load("model.safetensors"))`
   */
  loadStateDict(
    state: StateDict,
    { strict = true }: { strict?: boolean } = {},
  ): { missingKeys: string[]; unexpectedKeys: string[] } {
    const own = new Map([...this.namedParameters(), ...this.namedBuffers()]);
    const missingKeys = [...own.keys()].filter((k) => !(k in state));
    const unexpectedKeys = Object.keys(state).filter((k) => !own.has(k));
    const problems: string[] = [];
    if (strict && missingKeys.length > 0)
      problems.push(`missing key(s): ${missingKeys.map((k) => `"${k}"`).join(", ")}`);
    if (strict && unexpectedKeys.length > 0)
      problems.push(`unexpected key(s): ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}`);
    for (const [name, target] of own) {
      const source = state[name];
      if (source === undefined) continue;
      if (!(source instanceof Tensor)) {
        problems.push(`"${name}" is not a Tensor`);
      } else if (formatShape(source.shape) !== formatShape(target.shape)) {
        problems.push(
          `"${name}" has shape ${formatShape(source.shape)} in the state dict but ${formatShape(target.shape)} in the model`,
        );
      }
    }
    if (problems.length > 0) throw new Error(`loadStateDict for ${this.constructor.name}: ${problems.join("; ")}`);
    for (const [name, target] of own) {
      const source = state[name];
      if (source !== undefined) target.data.set(source.data);
    }
    return { missingKeys, unexpectedKeys };
  }

  /** The one-line description inside this module's repr, e.g. `inFeatures=4, outFeatures=10, bias=true`. */
  extraRepr(): string {
    return "";
  }

  /**
   * A PyTorch-style summary of the module tree:
   * `Net(\n  (fc1): Linear(inFeatures=4, outFeatures=10, bias=true)\n  …\n)`.
   */
  // `override`: TypeScript gives a callable type Function's members, toString among them.
  override toString(): string {
    return this.repr(new Set());
  }

  /** A table of parameters (name, shape, count) with the total. Example: `console.log(model.summary())` */
  summary(): string {
    return summaryText(this);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** In a notebook, a model shows its layers with their output shapes, its repr and its parameter table. */
  [JUPYTER_DISPLAY](): DisplayData {
    return modelDisplayData(this);
  }

  // Laid out as PyTorch's Module.__repr__: a leaf on one line; otherwise the extra description
  // and the children each on their own indented line.
  private repr(ancestors: Set<Module>): string {
    const extra = this.extraRepr();
    const children = this.namedChildren();
    if (children.length === 0) return `${this.constructor.name}(${extra})`;
    ancestors.add(this);
    const lines = children.map(([name, child]) => {
      const text = ancestors.has(child) ? `${child.constructor.name}(…)` : child.repr(ancestors); // a field pointing back up
      return `(${name}): ${text.split("\n").join("\n  ")}`;
    });
    ancestors.delete(this);
    if (extra !== "") lines.unshift(extra);
    return `${this.constructor.name}(\n  ${lines.join("\n  ")}\n)`;
  }

  /** The tensors held directly in this module's fields (and arrays), with their field names. */
  private ownTensors(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, value] of ownEntries(this)) {
      if (value instanceof Tensor) out.push([name, value]);
      else if (Array.isArray(value))
        value.forEach((item, i) => item instanceof Tensor && out.push([`${name}.${i}`, item]));
    }
    return out;
  }
}

function ownEntries(module: Module): [string, unknown][] {
  return Object.keys(module).map((key) => [key, (module as unknown as Record<string, unknown>)[key]]);
}
