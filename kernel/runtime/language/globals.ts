// The declarations of what every cell finds in scope without importing it: the engine's
// exports (the child defines them as globals, see child.ts `loadEngine`) and the runtime's own
// globals (`display`, `clearOutput`, `input`, `prompt`). An alias `export import x = engine.x`
// carries every meaning of a name at once, so `nn` is a value (`new nn.Linear(2, 1)`) and a
// namespace of types (`let layer: nn.Module`), and `Tensor` is a class and a type.

export interface GlobalsSources {
  /** The engine's entry declaration file (dist/engine/index.d.ts). */
  engineEntry: string;
  /** The runtime's display API declarations (dist/kernel/runtime/displayApi.d.ts). */
  displayApi: string;
}

/** The module a cell sees the engine through, before its exports are known. */
export function engineImport(sources: GlobalsSources): string {
  return `import * as engine from ${JSON.stringify(sources.engineEntry)};\n`;
}

/** The ambient declaration file: every engine export as a global, then the runtime's globals. */
export function globalsDeclaration(sources: GlobalsSources, engineExports: readonly string[]): string {
  const aliases = engineExports
    .filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== "default")
    .map((name) => `  export import ${name} = engine.${name};`);
  return `${engineImport(sources)}import type { DisplayFunction } from ${JSON.stringify(sources.displayApi)};

declare global {
${aliases.join("\n")}

  /**
   * Shows a value as rich output (tensors, charts, tables, MIME bundles) and returns a handle
   * that can update it in place.
   * Example: \`const shown = display(tensor([1, 2])); shown.update(tensor([3, 4]))\`
   */
  const display: DisplayFunction;

  /**
   * Clears the cell's output; \`wait: true\` waits until new output arrives (no flicker).
   * Example: \`clearOutput({ wait: true })\`
   */
  function clearOutput(options?: { wait?: boolean }): void;

  /**
   * Asks the user for a line of text (the client's input box); needs a client that allows stdin.
   * Example: \`const name = await input("Your name: ")\`
   */
  function input(prompt?: unknown, options?: { password?: boolean }): Promise<string>;

  /**
   * The same as \`input\`.
   * Example: \`const answer = await prompt("Continue? ")\`
   */
  function prompt(prompt?: unknown, options?: { password?: boolean }): Promise<string>;
}
`;
}
