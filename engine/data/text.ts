// Text for character-level language models: a small public-domain corpus (Shakespeare's
// sonnets), a character vocabulary, and (input, next-character) windows as a dataset.

import { Tensor } from "../tensor.js";
import { TensorDataset } from "./dataset.js";
import { SONNETS_TEXT } from "./sonnets-text.js";

/** Eleven Shakespeare sonnets (about 7 KB), the built-in corpus. Example: `const text = data.sonnets()` */
export function sonnets(): string {
  return SONNETS_TEXT;
}

/**
 * A character vocabulary: every distinct character of a text, sorted, with encode/decode.
 * Example: `const vocab = new data.CharVocab(text); vocab.decode(vocab.encode("love")) // "love"`
 */
export class CharVocab {
  /** The characters, index = id. */
  readonly chars: string[];
  private readonly ids: Map<string, number>;

  constructor(text: string) {
    this.chars = [...new Set(text)].sort();
    this.ids = new Map(this.chars.map((c, i) => [c, i]));
  }

  /** Number of distinct characters. Example: `vocab.size` */
  get size(): number {
    return this.chars.length;
  }

  /** Text → int32 ids [text.length]. Example: `vocab.encode("to be")` */
  encode(text: string): Tensor {
    const chars = [...text];
    const out = Tensor.zeros([chars.length], "int32");
    chars.forEach((c, i) => {
      const id = this.ids.get(c);
      if (id === undefined) throw new RangeError(`CharVocab: ${JSON.stringify(c)} is not in the vocabulary`);
      out.data[i] = id;
    });
    return out;
  }

  /** Ids (a tensor or numbers) → text. Example: `vocab.decode(sampled)` */
  decode(ids: Tensor | readonly number[]): string {
    const values = ids instanceof Tensor ? Array.from(ids.data) : ids;
    return values.map((id) => this.chars[id] ?? "\uFFFD").join("");
  }
}

/**
 * Every window of `blockSize` characters and the window shifted by one (the next characters):
 * a TensorDataset of int32 [n, blockSize] inputs and targets.
 * Example: `const ds = data.nextCharDataset(vocab.encode(text), 32)`
 */
export function nextCharDataset(ids: Tensor, blockSize: number): TensorDataset<[Tensor, Tensor]> {
  if (!(Number.isInteger(blockSize) && blockSize > 0))
    throw new RangeError(`nextCharDataset: blockSize must be a positive integer, got ${blockSize}`);
  const n = ids.numel() - blockSize;
  if (n <= 0) throw new RangeError(`nextCharDataset: ${ids.numel()} ids are too few for windows of ${blockSize}`);
  const inputs = Tensor.zeros([n, blockSize], "int32");
  const targets = Tensor.zeros([n, blockSize], "int32");
  for (let i = 0; i < n; i++) {
    inputs.data.set(ids.data.subarray(i, i + blockSize), i * blockSize);
    targets.data.set(ids.data.subarray(i + 1, i + 1 + blockSize), i * blockSize);
  }
  return new TensorDataset(inputs, targets);
}
