// What `kernel_info_reply` says about tsgrad (spec "Kernel info"). Clients pick syntax
// highlighting (codemirror_mode, pygments_lexer) and file extensions from language_info.

import { type JsonObject, PROTOCOL_VERSION } from "./messages.js";

export interface Versions {
  /** tsgrad's version (package.json). */
  implementation: string;
  /** The TypeScript version cells are compiled with. */
  language: string;
}

export function kernelInfoContent(versions: Versions): JsonObject {
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "tsgrad",
    implementation_version: versions.implementation,
    language_info: {
      name: "typescript",
      version: versions.language,
      mimetype: "text/typescript",
      file_extension: ".ts",
      pygments_lexer: "typescript",
      codemirror_mode: "typescript",
    },
    banner: `tsgrad ${versions.implementation}: TypeScript with tensors, autograd and neural networks in scope`,
    help_links: [
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
      { text: "Node.js API", url: "https://nodejs.org/api/" },
    ],
    debugger: false,
  };
}
