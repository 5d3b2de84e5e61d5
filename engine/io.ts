// Saving and loading state dicts (a model's, an optimizer's, or any object holding tensors,
// numbers and strings), so a model trained in one notebook can be loaded in another.
//
// Two formats:
// - binary: safetensors (https://huggingface.co/docs/safetensors): an 8-byte little-endian
//   header length, a JSON header naming each tensor's dtype, shape and byte range, then the raw
//   little-endian bytes. Compact, exact, and a flat model state dict opens in Python with
//   `safetensors.torch.load_file`. Anything that is not a tensor (nesting, step counts, lr) goes
//   in the header's `__metadata__.tsgrad` as JSON with tensors replaced by their names.
// - JSON (`.json` paths): readable; each tensor is `{"$tensor": {dtype, shape, data}}`. Float32
//   values are written as the exact doubles they hold, so they load bit for bit.

import { readFileSync, writeFileSync } from "node:fs";
import { type DType, Tensor } from "./tensor.js";

/**
 * What `save` writes: tensors, numbers, strings, booleans, null, and arrays/objects of them, or
 * anything with a `stateDict()`. (Typed loosely so interfaces such as an optimizer's state dict
 * fit; anything else is refused with a message naming where it sits.)
 */
export type Saveable = Tensor | number | string | boolean | null | readonly unknown[] | object;

/** The file formats: compact binary (safetensors) or readable JSON. */
export type SaveFormat = "binary" | "json";

/**
 * Writes a state dict (or anything with `stateDict()`, or any object of tensors and numbers) to
 * `path`: JSON when the path ends in `.json`, safetensors binary otherwise.
 * Example: `save(model.stateDict(), "model.safetensors")`
 */
export function save(value: Saveable, path: string, { format }: { format?: SaveFormat } = {}): void {
  const chosen = format ?? (path.toLowerCase().endsWith(".json") ? "json" : "binary");
  writeFileSync(path, serialize(value, chosen));
}

/**
 * Reads what `save` wrote (either format, recognised from the content).
 * Example: `model.loadStateDict(load("model.safetensors"))`
 */
// biome-ignore lint/suspicious/noExplicitAny: a cell passes the result straight to loadStateDict
export function load(path: string): any {
  // Typed `any` on purpose: a cell passes the result straight to loadStateDict.
  return deserialize(readFileSync(path));
}

/** The bytes `save` would write. Example: `serialize(model.stateDict(), "json")` */
export function serialize(value: Saveable, format: SaveFormat = "binary"): Uint8Array {
  const plain = hasStateDict(value) ? value.stateDict() : value;
  return format === "json" ? encodeJson(plain) : encodeSafetensors(plain);
}

/** Parses bytes from `serialize` or a saved file. Example: `deserialize(readFileSync("m.safetensors"))` */
// biome-ignore lint/suspicious/noExplicitAny: as load()
export function deserialize(bytes: Uint8Array): any {
  return looksLikeSafetensors(bytes) ? decodeSafetensors(bytes) : decodeJson(bytes);
}

// ---- JSON ----

interface TensorJson {
  dtype: DType;
  shape: number[];
  data: (number | string)[];
}

function encodeJson(value: Saveable): Uint8Array {
  const encoded = mapTensors(value, (t) => ({
    $tensor: { dtype: t.dtype, shape: t.shape, data: Array.from(t.data, encodeNumber) },
  }));
  return new TextEncoder().encode(JSON.stringify({ format: "tsgrad", version: 1, value: encoded }));
}

function decodeJson(bytes: Uint8Array): unknown {
  const text = new TextDecoder().decode(bytes);
  let parsed: { format?: string; value?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new Error("load: the file is neither a tsgrad JSON file nor safetensors");
  }
  if (parsed.format !== "tsgrad") throw new Error('load: JSON without "format": "tsgrad" was not written by save()');
  return reviveTensors(parsed.value, (node) => {
    if (!isObject(node) || !isObject(node.$tensor)) return undefined;
    const { dtype, shape, data } = node.$tensor as unknown as TensorJson;
    const t = Tensor.zeros(shape, checkDType(dtype));
    if (data.length !== t.numel())
      throw new Error(`load: a tensor of shape [${shape.join(",")}] lists ${data.length} values`);
    data.forEach((v, i) => {
      t.data[i] = decodeNumber(v);
    });
    return t;
  });
}

// JSON has no NaN, ±Infinity or −0; they travel as strings.
function encodeNumber(v: number): number | string {
  if (Object.is(v, -0)) return "-0";
  return Number.isFinite(v) ? v : String(v);
}

function decodeNumber(v: number | string): number {
  return typeof v === "number" ? v : Number(v);
}

// ---- safetensors ----

const SAFETENSORS_DTYPE: Record<DType, string> = { float32: "F32", float64: "F64", int32: "I32" };
const DTYPE_OF: Record<string, DType> = { F32: "float32", F64: "float64", I32: "int32" };

function encodeSafetensors(value: Saveable): Uint8Array {
  const tensors: [string, Tensor][] = [];
  const used = new Set<string>();
  const skeleton = mapTensors(value, (t, path) => {
    let name = path === "" ? "tensor" : path;
    for (let k = 1; used.has(name); k++) name = `${path}#${k}`; // nested {a:{b}} and flat "a.b" both give "a.b"
    used.add(name);
    tensors.push([name, t]);
    return { $tensor: name };
  });
  const header: Record<string, unknown> = { __metadata__: { format: "pt", tsgrad: JSON.stringify(skeleton) } };
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.byteLength;
    header[name] = { dtype: SAFETENSORS_DTYPE[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(headerBytes.length / 8) * 8; // the spec pads with spaces to 8-byte alignment
  if (padded !== headerBytes.length) {
    const spaced = new Uint8Array(padded).fill(0x20);
    spaced.set(headerBytes);
    headerBytes = spaced;
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const [, t] of tensors) {
    out.set(littleEndianBytes(t), at);
    at += t.data.byteLength;
  }
  return out;
}

function decodeSafetensors(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  const dataStart = 8 + headerLength;
  const byName = new Map<string, Tensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const dt = DTYPE_OF[dtype];
    if (dt === undefined) throw new Error(`load: tensor "${name}" has dtype ${dtype}; tsgrad reads F32, F64 and I32`);
    const t = Tensor.zeros(shape, dt);
    if (end - begin !== t.data.byteLength || dataStart + end > bytes.length)
      throw new Error(`load: tensor "${name}" has a damaged byte range`);
    readLittleEndian(bytes.subarray(dataStart + begin, dataStart + end), t);
    byName.set(name, t);
  }
  const metadata = header.__metadata__ as Record<string, string> | undefined;
  if (metadata?.tsgrad === undefined) return Object.fromEntries(byName); // a plain safetensors file
  return reviveTensors(JSON.parse(metadata.tsgrad), (node) => {
    if (!isObject(node) || typeof node.$tensor !== "string") return undefined;
    const t = byName.get(node.$tensor);
    if (t === undefined) throw new Error(`load: tensor "${node.$tensor}" is missing from the file`);
    return t;
  });
}

function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10 || bytes[8] !== 0x7b) return false; // the header is a JSON object
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  return length <= BigInt(bytes.length - 8);
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(t: Tensor): Uint8Array {
  const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return littleEndianHost ? raw : swapBytes(raw.slice(), t.data.BYTES_PER_ELEMENT);
}

function readLittleEndian(source: Uint8Array, into: Tensor): void {
  const target = new Uint8Array(into.data.buffer, into.data.byteOffset, into.data.byteLength);
  target.set(source);
  if (!littleEndianHost) swapBytes(target, into.data.BYTES_PER_ELEMENT);
}

function swapBytes(bytes: Uint8Array, width: number): Uint8Array {
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  return bytes;
}

// ---- walking values ----

function mapTensors(value: unknown, fn: (t: Tensor, path: string) => unknown, path = ""): unknown {
  const child = (key: string | number): string => (path === "" ? String(key) : `${path}.${key}`);
  if (value instanceof Tensor) return fn(value, path);
  if (Array.isArray(value)) return value.map((v, i) => mapTensors(v, fn, child(i)));
  if (isObject(value)) {
    if (ArrayBuffer.isView(value))
      throw new TypeError(`save: ${path || "the value"} is a typed array; wrap it with tensor(…)`);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapTensors(v, fn, child(k))]));
  }
  if (value === undefined || typeof value === "function" || typeof value === "bigint" || typeof value === "symbol") {
    throw new TypeError(
      `save: ${path || "the value"} is ${typeof value}; only tensors, numbers, strings, booleans, null, arrays and objects can be saved`,
    );
  }
  return value;
}

function reviveTensors(value: unknown, asTensor: (node: unknown) => Tensor | undefined): unknown {
  const t = asTensor(value);
  if (t !== undefined) return t;
  if (Array.isArray(value)) return value.map((v) => reviveTensors(v, asTensor));
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reviveTensors(v, asTensor)]));
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

// A module is a function object (callable: `model(x)`), so functions are asked too.
function hasStateDict(value: unknown): value is { stateDict(): Saveable } {
  if (!isObject(value) && typeof value !== "function") return false;
  return !(value instanceof Tensor) && typeof (value as { stateDict?: unknown }).stateDict === "function";
}

function checkDType(dtype: string): DType {
  if (dtype !== "float32" && dtype !== "float64" && dtype !== "int32") throw new Error(`load: unknown dtype ${dtype}`);
  return dtype;
}
