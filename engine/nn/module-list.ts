// nn.ModuleList: a list of modules that is itself a module, for PyTorch code that uses one
// (`blocks = nn.ModuleList([...])`). A plain array field works the same way in tsgrad; this
// class exists so ported code runs unchanged. Items sit in numbered fields, named `0`, `1`, ….

import { Module } from "./module.js";

/**
 * Holds sub-modules by index; has no forward of its own.
 * Example: `blocks = new nn.ModuleList([new nn.TransformerBlock(32, 4), new nn.TransformerBlock(32, 4)])`
 */
export class ModuleList<Item extends Module = Module> extends Module implements Iterable<Item> {
  [index: number]: Item;

  constructor(items: Iterable<Item> = []) {
    super();
    for (const item of items) this.append(item);
  }

  /** Number of modules. Example: `blocks.length` */
  override get length(): number {
    let n = 0;
    while (this[n] !== undefined) n++;
    return n;
  }

  /** The module at `i` (negative counts from the end). Example: `blocks.at(-1)` */
  at(i: number): Item {
    const n = this.length;
    const item = this[i < 0 ? n + i : i];
    if (item === undefined)
      throw new RangeError(`${this.constructor.name}: index ${i} is out of range for ${n} ${this.itemKind}`);
    return item;
  }

  /** What the items are called in messages ("modules"; Sequential says "layers"). */
  protected get itemKind(): string {
    return "modules";
  }

  /** Adds a module at the end. Example: `blocks.append(new nn.Linear(8, 8))` */
  append(item: Item): this {
    if (!(item instanceof Module))
      throw new TypeError(`${this.constructor.name}: item ${this.length} is not a Module (got ${String(item)})`);
    this[this.length] = item;
    return this;
  }

  *[Symbol.iterator](): Iterator<Item> {
    for (let i = 0; this[i] !== undefined; i++) yield this[i]!;
  }
}
