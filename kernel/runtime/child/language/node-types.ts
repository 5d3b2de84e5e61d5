// Which of @types/node's files the checker loads. All of them are 2.2 MB of declarations,
// three quarters of everything a cell is checked against, and parsing them was most of the
// first check's seconds. Cells need Node's globals (console, process, timers, Buffer, fetch,
// URL, performance, require) always, and a builtin module's declarations only once a cell imports it;
// every other builtin is declared as a shorthand ambient module, so imports of it still
// resolve (typed `any`) and import completion still lists every builtin. What a loaded file
// imports in turn is not followed (that closure is most of @types/node again): a type from
// there is `any`, and library files are not checked themselves (skipLibCheck).
//
// The choice takes effect as a replacement for @types/node's index.d.ts, which is what both
// `types: ["node"]` and other packages' `/// <reference types="node" />` (undici's, for
// fetch) load.
import { builtinModules } from "node:module";
import { join } from "node:path";
import { typescript } from "../typescript.js";

/** The file that stands in for @types/node's index.d.ts (see indexDeclaration). */
const NODE_TYPES_INDEX = "index.d.ts";

/** Node's globals, in index.d.ts's order. */
const GLOBAL_FILES = [
  "compatibility/index.d.ts",
  "globals.typedarray.d.ts",
  "buffer.buffer.d.ts",
  "globals.d.ts",
  "web-globals/abortcontroller.d.ts",
  "web-globals/domexception.d.ts",
  "web-globals/events.d.ts",
  "web-globals/fetch.d.ts",
  "buffer.d.ts",
  "console.d.ts",
  "events.d.ts",
  "process.d.ts",
  "timers.d.ts",
  "url.d.ts",
  "util.d.ts",
  "perf_hooks.d.ts",
  "module.d.ts", // require, module, __dirname
  // process.stdout/stderr/stdin are tty streams: without these, `process.stdout.write` had no type.
  "stream.d.ts",
  "net.d.ts",
  "tty.d.ts",
];

export class NodeTypes {
  constructor(private readonly typesDir: string) {}

  /** The declaration files for Node's globals and for the builtins named by `specifiers`. */
  files(specifiers: Iterable<string>): string[] {
    const wanted = new Set(GLOBAL_FILES.map((file) => join(this.typesDir, file)));
    for (const specifier of specifiers) {
      const file = this.fileOf(specifier);
      if (file) wanted.add(file);
    }
    return [...wanted].filter((file) => typescript.sys.fileExists(file)).sort();
  }

  /** The text of the stand-in index.d.ts: references to `files`, shorthand modules for the rest. */
  indexDeclaration(files: readonly string[]): string {
    const references = files.map(
      (file) => `/// <reference path=${JSON.stringify(file.slice(this.typesDir.length + 1))} />`,
    );
    const loadedNames = new Set(files.map((file) => this.moduleOf(file)));
    const shorthands = builtinModules
      .filter((name) => !name.startsWith("_") && !loadedNames.has(name))
      .flatMap((name) => [
        `declare module ${JSON.stringify(name)};`,
        `declare module ${JSON.stringify(`node:${name}`)};`,
      ]);
    return `${[...references, ...shorthands].join("\n")}\n`;
  }

  /** Where the stand-in index.d.ts goes. */
  get indexFile(): string {
    return join(this.typesDir, NODE_TYPES_INDEX);
  }

  /** `node:fs/promises` → `<types>/fs/promises.d.ts`; undefined for anything not a builtin. */
  private fileOf(specifier: string): string | undefined {
    const name = specifier.replace(/^node:/, "");
    if (!builtinModules.includes(name)) return undefined;
    return join(this.typesDir, `${name}.d.ts`);
  }

  private moduleOf(file: string): string {
    return file.slice(this.typesDir.length + 1).replace(/\.d\.ts$/, "");
  }
}
