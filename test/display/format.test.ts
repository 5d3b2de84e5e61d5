// format(): value → MIME bundle through the formatter chain, without a kernel.
import { describe, expect, it } from "vitest";
import { FORMATTERS, format } from "../../kernel/display/format.js";
import { isTensorLike, tensorRepr } from "../../kernel/display/formatters/tensor.js";
import { htmlBundle, jsonBundle, markdownBundle, pngBundle, svgBundle } from "../../kernel/display/mime.js";

describe("format", () => {
  it("gives plain objects and arrays application/json plus text/plain", () => {
    expect(format({ a: 1, b: [true, null] })).toEqual({
      data: { "application/json": { a: 1, b: [true, null] }, "text/plain": "{ a: 1, b: [ true, null ] }" },
      metadata: {},
    });
    expect(format([1, "x"]).data).toEqual({ "application/json": [1, "x"], "text/plain": "[ 1, 'x' ]" });
  });

  it("falls back to text only for objects JSON cannot hold", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    expect(Object.keys(format(cyclic).data)).toEqual(["text/plain"]);
    expect(format({ big: 10n }).data).toEqual({ "text/plain": "{ big: 10n }" });
  });

  it("shows other values as util.inspect does, without colours", () => {
    expect(format("text").data).toEqual({ "text/plain": "'text'" });
    expect(format(42).data).toEqual({ "text/plain": "42" });
    expect(format(new Map([["k", 1]])).data).toEqual({ "text/plain": "Map(1) { 'k' => 1 }" });
    class Point {
      constructor(readonly x: number) {}
    }
    expect(format(new Point(3)).data).toEqual({ "text/plain": "Point { x: 3 }" });
  });

  it("asks objects with Symbol.for('Jupyter.display') first, adding text/plain when they leave it out", () => {
    const bundle = {
      [Symbol.for("Jupyter.display")]: () => ({ "text/html": "<b>me</b>" }),
      shape: [1],
      dtype: "float32",
      data: [1],
    };
    const formatted = format(bundle);
    expect(formatted.data["text/html"]).toBe("<b>me</b>");
    expect(typeof formatted.data["text/plain"]).toBe("string");
  });

  it("accepts { data, metadata } from the display method", () => {
    const image = {
      [Symbol.for("Jupyter.display")]: () => ({
        data: { "image/png": "AAAA", "text/plain": "<img>" },
        metadata: { "image/png": { width: 10 } },
      }),
    };
    expect(format(image)).toEqual({
      data: { "image/png": "AAAA", "text/plain": "<img>" },
      metadata: { "image/png": { width: 10 } },
    });
  });

  it("recognises tensors by shape and uses their own toString", () => {
    const tensor = { shape: [2], dtype: "float32", data: new Float32Array([1, 2]), toString: () => "tensor([1., 2.])" };
    expect(format(tensor).data["text/plain"]).toBe("tensor([1., 2.])");
  });

  it("prints tensor-like objects without a toString like PyTorch", () => {
    const t = { shape: [2, 2], dtype: "float32", data: new Float32Array([1, 2.5, -3, 4]) };
    expect(isTensorLike(t)).toBe(true);
    expect(tensorRepr(t)).toBe("tensor([[ 1.0000,  2.5000],\n        [-3.0000,  4.0000]])");
    expect(tensorRepr({ shape: [3], dtype: "int32", data: new Int32Array([1, 20, 3]) })).toBe("tensor([ 1, 20,  3])");
    expect(tensorRepr({ shape: [], dtype: "float64", data: new Float64Array([0.5]) })).toBe(
      "tensor(0.5000, dtype=float64)",
    );
    expect(format(t).data["text/plain"]).toBe(tensorRepr(t));
  });

  it("does not mistake objects with mismatched shape and data for tensors", () => {
    expect(isTensorLike({ shape: [3], dtype: "float32", data: [1, 2] })).toBe(false);
    expect(isTensorLike({ shape: "3", dtype: "float32", data: [1, 2, 3] })).toBe(false);
  });

  it("always ends the chain with a formatter that answers", () => {
    expect(FORMATTERS.at(-1)!(Symbol("s"))).toEqual({ data: { "text/plain": "Symbol(s)" }, metadata: {} });
  });
});

describe("display helper bundles", () => {
  it("carry their MIME type and a text fallback", () => {
    expect(htmlBundle("<b>x</b>").data).toEqual({ "text/html": "<b>x</b>", "text/plain": "<HTML>" });
    expect(markdownBundle("# T").data).toEqual({ "text/markdown": "# T", "text/plain": "# T" });
    expect(svgBundle("<svg/>").data["image/svg+xml"]).toBe("<svg/>");
    expect(jsonBundle({ a: [1] }).data["application/json"]).toEqual({ a: [1] });
  });

  it("encode PNG bytes as base64 and accept base64 or a data URL as it is", () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    expect(pngBundle(bytes).data["image/png"]).toBe("iVBORw==");
    expect(pngBundle("iVBORw==").data["image/png"]).toBe("iVBORw==");
    expect(pngBundle("data:image/png;base64,iVBORw==").data["image/png"]).toBe("iVBORw==");
  });
});
