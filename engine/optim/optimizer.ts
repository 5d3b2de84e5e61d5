// The optimizer skeleton shared by SGD, Adam, AdamW, RMSprop and Adagrad, shaped like
// torch.optim: param groups with their own hyper-parameters, per-parameter state created lazily
// on the first step, zeroGrad/step, and a state dict that can be saved and loaded.
// Updates write into each parameter's typed array in place: no graph is recorded, and tensors
// the student holds (model.fc1.weight) see the new values.

import { noteEngineWrite } from "../saved-values.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";

/** The float storage an optimizer updates in place. */
export type FloatArray = Float32Array | Float64Array;

/** Per-parameter state: step counts and buffers shaped like the parameter (momentum, moments…). */
export type ParamState = Record<string, number | FloatArray>;

/** Hyper-parameters every group carries. */
export interface BaseOptions {
  lr: number;
}

/** Parameters sharing hyper-parameters. Example: `{ params: model.fc2.parameters(), lr: 1e-3 }` */
export type ParamGroup<O extends BaseOptions> = O & { params: Tensor[] };

/** A group as given to a constructor: any options left out come from the defaults. */
export type ParamGroupSpec<O extends BaseOptions> = Partial<O> & { params: Iterable<Tensor> };

/** What an optimizer is built from: the parameters, or groups of them with their own options. */
export type Params<O extends BaseOptions> = Iterable<Tensor> | ParamGroupSpec<O>[];

/** An optimizer's saved form: state by parameter index, and each group's options with indices. */
export interface OptimizerStateDict {
  state: Record<number, Record<string, number | Tensor>>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/**
 * The base class of every optimizer; subclasses supply `validate` and `updateParameter`.
 * Example: `const opt: optim.Optimizer = new optim.SGD(model.parameters(), { lr: 0.1 })`
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /** Options used for any group that does not set its own. */
  readonly defaults: O;
  /** The groups of parameters, each with its hyper-parameters (schedulers change `lr` here). */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first update (`state.get(p)`). */
  readonly state = new Map<Tensor, ParamState>();

  protected constructor(params: Params<O>, defaults: O) {
    this.defaults = defaults;
    const groups = toGroupSpecs(params);
    if (groups.length === 0) throw new Error(`${this.constructor.name}: optimizer got an empty parameter list`);
    for (const group of groups) this.addParamGroup(group);
  }

  /** Adds parameters with their own options. Example: `opt.addParamGroup({ params: head.parameters(), lr: 0.1 })` */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    const params = [...spec.params];
    if (params.length === 0) throw new Error(`${this.constructor.name}: a parameter group has no parameters`);
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of params) {
      if (!(p instanceof Tensor))
        throw new TypeError(`${this.constructor.name}: parameters must be Tensors, got ${describe(p)}`);
      if (p.dtype === "int32")
        throw new TypeError(
          `${this.constructor.name}: can only optimize float tensors, got an int32 tensor of shape ${formatShape(p.shape)}`,
        );
      if (seen.has(p))
        throw new Error(`${this.constructor.name}: some parameters appear in more than one parameter group`);
      seen.add(p);
    }
    const group = { ...this.defaults, ...spec, params } as ParamGroup<O>;
    this.validate(group);
    this.paramGroups.push(group);
  }

  /** Clears every parameter's gradient (sets `.grad` to null). Example: `optimizer.zeroGrad()` */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) p.grad = null;
  }

  /** Updates every parameter that has a `.grad`, in place. Example: `loss.backward(); optimizer.step()` */
  step(): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        checkGradShape(this, p, p.grad);
        this.updateParameter(p.raw as FloatArray, p.grad.raw, this.stateOf(p), group);
        noteEngineWrite(p);
      }
    }
  }

  /**
   * Applies gradients given in parameter order (`grads[i]` for the i-th parameter), the style of
   * TensorFlow's `optimizer.apply_gradients`; `null` skips a parameter.
   * Example: `const { value, grads } = valueAndGrad(lossFn, params); optimizer.applyGradients(grads)`
   */
  applyGradients(grads: readonly (Tensor | null | undefined)[]): void {
    const params = this.paramGroups.flatMap((g) => g.params.map((p) => [p, g] as const));
    if (grads.length !== params.length) {
      throw new Error(
        `${this.constructor.name}.applyGradients: got ${grads.length} gradients for ${params.length} parameters`,
      );
    }
    params.forEach(([p, group], i) => {
      const g = grads[i];
      if (g === null || g === undefined) return;
      checkGradShape(this, p, g, i);
      this.updateParameter(p.raw as FloatArray, g.raw, this.stateOf(p), group);
      noteEngineWrite(p);
    });
  }

  /** A snapshot of the state and options, saveable with `save()`. Example: `save(opt.stateDict(), "opt.json")` */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict["state"] = {};
    const paramGroups: OptimizerStateDict["paramGroups"] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const { params, ...options } = group;
      const indices: number[] = [];
      for (const p of params) {
        const s = this.state.get(p);
        if (s !== undefined) {
          const saved: Record<string, number | Tensor> = {};
          for (const [key, value] of Object.entries(s)) {
            saved[key] = typeof value === "number" ? value : new Tensor(value.slice(), [...p.shape], p.dtype);
          }
          state[index] = saved;
        }
        indices.push(index++);
      }
      paramGroups.push({ ...options, params: indices });
    }
    return { state, paramGroups };
  }

  /** Restores options and state from `stateDict()` (same parameters, same order). Example: `opt.loadStateDict(load("opt.json"))` */
  loadStateDict(saved: OptimizerStateDict): void {
    const name = this.constructor.name;
    if (saved.paramGroups.length !== this.paramGroups.length) {
      throw new Error(
        `${name}.loadStateDict: the saved state has ${saved.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`,
      );
    }
    saved.paramGroups.forEach((savedGroup, g) => {
      if (savedGroup.params.length !== this.paramGroups[g]!.params.length) {
        throw new Error(
          `${name}.loadStateDict: saved group ${g} has ${savedGroup.params.length} parameters, this optimizer's has ${this.paramGroups[g]!.params.length}`,
        );
      }
    });
    const newState = new Map<Tensor, ParamState>();
    saved.paramGroups.forEach((savedGroup, g) => {
      const group = this.paramGroups[g]!;
      group.params.forEach((p, j) => {
        const entry = saved.state[savedGroup.params[j]!];
        if (entry === undefined) return;
        const restored: ParamState = {};
        for (const [key, value] of Object.entries(entry)) {
          if (typeof value === "number") {
            restored[key] = value;
            continue;
          }
          if (value.numel() !== p.numel()) {
            throw new Error(
              `${name}.loadStateDict: state '${key}' of parameter ${savedGroup.params[j]} has shape ${formatShape(value.shape)}, the parameter has shape ${formatShape(p.shape)}`,
            );
          }
          const buffer = p.dtype === "float64" ? new Float64Array(p.numel()) : new Float32Array(p.numel());
          buffer.set(value.data);
          restored[key] = buffer;
        }
        newState.set(p, restored);
      });
    });
    saved.paramGroups.forEach((savedGroup, g) => {
      const { params: _indices, ...options } = savedGroup;
      Object.assign(this.paramGroups[g]!, options);
    });
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }

  /**
   * PyTorch-style repr: the class and each group's options with its parameter count.
   * Example: `String(new optim.SGD(model.parameters(), { lr: 0.1 }))`
   */
  toString(): string {
    const groups = this.paramGroups.map(({ params, ...options }, i) => {
      const lines = Object.entries(options).map(([key, value]) => `    ${key}: ${JSON.stringify(value)}`);
      return [
        `Parameter Group ${i} (${params.length} tensors, ${params.reduce((n, p) => n + p.numel(), 0)} values)`,
        ...lines,
      ].join("\n");
    });
    return `${this.constructor.name} (\n${groups.join("\n\n")}\n)`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** Checks a group's hyper-parameters, throwing PyTorch's messages (`Invalid learning rate: -1`). */
  protected abstract validate(group: O): void;

  /** One update of one parameter's values from its gradient, in place. */
  protected abstract updateParameter(param: FloatArray, grad: ArrayLike<number>, state: ParamState, group: O): void;

  /** A zero buffer the size and precision of a parameter, for momentum or moment estimates. */
  protected static zerosLike(param: FloatArray): FloatArray {
    return param instanceof Float64Array ? new Float64Array(param.length) : new Float32Array(param.length);
  }

  private stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }
}

/** Throws `message` unless `ok`: the constructors' PyTorch-style validation. */
export function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

function toGroupSpecs<O extends BaseOptions>(params: Params<O>): ParamGroupSpec<O>[] {
  if (params instanceof Tensor)
    throw new TypeError("optimizer: pass a list of parameters (model.parameters()), not a single Tensor: [t]");
  if (typeof (params as { parameters?: unknown }).parameters === "function") {
    throw new TypeError("optimizer: pass the model's parameters, not the model: model.parameters()");
  }
  if (typeof params === "function")
    throw new TypeError("optimizer: call it: pass model.parameters(), not model.parameters");
  const items = [...(params as Iterable<Tensor | ParamGroupSpec<O>>)];
  if (items.length === 0) return [];
  if (
    items.length > 0 &&
    items.every((item) => !(item instanceof Tensor) && typeof item === "object" && item !== null && "params" in item)
  ) {
    return items as ParamGroupSpec<O>[];
  }
  return [{ params: items as Tensor[] } as unknown as ParamGroupSpec<O>];
}

/** The optimizer is passed, not its name: reading `constructor.name` per parameter per step cost more than a small update. */
function checkGradShape(optimizer: object, p: Tensor, g: Tensor, index?: number): void {
  if (g.numel() !== p.numel()) {
    const name = optimizer.constructor.name;
    const which = index === undefined ? "a parameter" : `parameter ${index}`;
    throw new Error(
      `${name}: gradient of shape ${formatShape(g.shape)} does not fit ${which} of shape ${formatShape(p.shape)}`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}
