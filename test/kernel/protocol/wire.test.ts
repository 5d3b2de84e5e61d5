import { describe, expect, it } from "vitest";
import { createMessage, newOrigin } from "../../../kernel/protocol/messages.js";
import { DELIMITER, decode, encode, RecentSignatures, Signer } from "../../../kernel/protocol/wire.js";

const b = (text: string) => Buffer.from(text, "utf8");

// RFC 4231 test case 2 (key "Jefe"), data split over four frames: the HMAC runs over the
// concatenation of the JSON frames, so the split must not change the digest.
const RFC_DATA = ["what do ya", " want", " for ", "nothing?"].map(b);
const RFC_SHA256 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
const RFC_SHA512 =
  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737";

/** Frames as a client (e.g. Python's jupyter_client) would produce them, with its own JSON spacing. */
function clientFrames(signer: Signer, jsonTexts: string[], identities: Buffer[] = [b("client-1")]): Buffer[] {
  const json = jsonTexts.map(b);
  return [...identities, DELIMITER, b(signer.sign(json)), ...json];
}

const header = (msgType: string, id = "id-1") =>
  `{"msg_id": "${id}", "msg_type": "${msgType}", "session": "s", "username": "u", "date": "2026-01-01T00:00:00.000000Z", "version": "5.4"}`;

describe("Signer", () => {
  it("computes the RFC 4231 HMAC-SHA256 over the frames in order", () => {
    expect(new Signer("Jefe", "hmac-sha256").sign(RFC_DATA)).toBe(RFC_SHA256);
  });

  it("supports hmac-sha512 from the connection file", () => {
    expect(new Signer("Jefe", "hmac-sha512").sign(RFC_DATA)).toBe(RFC_SHA512);
  });

  it("signs nothing when the key is empty", () => {
    const signer = new Signer("");
    expect(signer.enabled).toBe(false);
    expect(signer.sign(RFC_DATA)).toBe("");
  });

  it("rejects schemes it cannot compute", () => {
    expect(() => new Signer("k", "hmac-nonsense")).toThrow(/signature_scheme/);
    expect(() => new Signer("k", "sha256")).toThrow(/signature_scheme/);
  });

  it("verifies a correct signature and rejects a wrong or truncated one", () => {
    const signer = new Signer("Jefe");
    expect(signer.verify(RFC_DATA, b(RFC_SHA256))).toBe(true);
    expect(signer.verify(RFC_DATA, b(RFC_SHA256.replace(/^5/, "6")))).toBe(false);
    expect(signer.verify(RFC_DATA, b(RFC_SHA256.slice(0, 32)))).toBe(false);
  });
});

describe("decode", () => {
  const signer = new Signer("secret-key", "hmac-sha256");
  const valid = () => clientFrames(signer, [header("execute_request"), "{}", "{}", `{"code": "1 + 1"}`]);

  it("parses a message signed over the client's own JSON bytes (never re-serialised)", () => {
    const result = decode(valid(), signer);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.message.identities).toEqual([b("client-1")]);
    expect(result.message.header.msg_type).toBe("execute_request");
    expect(result.message.content).toEqual({ code: "1 + 1" });
    expect(result.message.buffers).toEqual([]);
  });

  it("drops a message whose content was changed after signing", () => {
    const frames = valid();
    frames[frames.length - 1] = b(`{"code": "process.exit()"}`);
    expect(decode(frames, signer)).toEqual({ ok: false, reason: "invalid signature" });
  });

  it("drops a message signed with another key", () => {
    const frames = clientFrames(new Signer("other-key"), [header("kernel_info_request"), "{}", "{}", "{}"]);
    expect(decode(frames, signer)).toEqual({ ok: false, reason: "invalid signature" });
  });

  it("drops an unsigned message when a key is set", () => {
    const frames = valid();
    frames[2] = Buffer.alloc(0);
    expect(decode(frames, signer)).toEqual({ ok: false, reason: "unsigned message" });
  });

  it("drops a replay of a signature it has already accepted", () => {
    const recent = new RecentSignatures();
    expect(decode(valid(), signer, recent).ok).toBe(true);
    expect(decode(valid(), signer, recent)).toEqual({ ok: false, reason: "replayed signature" });
  });

  it("accepts unsigned messages when the key is empty", () => {
    const open = new Signer("");
    const frames = [b("id"), DELIMITER, Buffer.alloc(0), b(header("kernel_info_request")), b("{}"), b("{}"), b("{}")];
    expect(decode(frames, open).ok).toBe(true);
  });

  it("reports malformed frames instead of throwing", () => {
    const open = new Signer("");
    const frames = (h: string, content = "{}") => [DELIMITER, Buffer.alloc(0), b(h), b("{}"), b("{}"), b(content)];
    expect(decode([b("a"), b("b")], open)).toEqual({ ok: false, reason: "no <IDS|MSG> delimiter" });
    expect(decode([DELIMITER, b(""), b("{}")], open).ok).toBe(false);
    expect(decode(frames(header("x"), "{not json"), open)).toEqual({ ok: false, reason: "content is not JSON" });
    expect(decode(frames("[1, 2]"), open)).toEqual({ ok: false, reason: "header is not a JSON object" });
    expect(decode(frames(`{"msg_id": "x"}`), open)).toEqual({ ok: false, reason: "header lacks msg_type or msg_id" });
  });

  it("keeps binary buffers after the content frame", () => {
    const open = new Signer("");
    const frames = [
      DELIMITER,
      Buffer.alloc(0),
      b(header("comm_msg")),
      b("{}"),
      b("{}"),
      b("{}"),
      Buffer.from([0, 255]),
    ];
    const result = decode(frames, open);
    expect(result.ok && result.message.buffers).toEqual([Buffer.from([0, 255])]);
  });
});

describe("encode", () => {
  it("produces frames the decoder accepts, with identities first and a valid signature", () => {
    const signer = new Signer("k", "hmac-sha512");
    const message = createMessage(newOrigin(), "status", { execution_state: "idle" });
    const frames = encode(message, signer, [b("peer")]);
    expect(frames[0]).toEqual(b("peer"));
    expect(frames[1]).toEqual(DELIMITER);
    expect(frames[2]!.toString()).toMatch(/^[0-9a-f]{128}$/);
    const decoded = decode(frames, signer);
    expect(decoded.ok && decoded.message.content).toEqual({ execution_state: "idle" });
    expect(decoded.ok && decoded.message.header).toEqual(message.header);
  });
});

describe("RecentSignatures", () => {
  it("forgets the oldest signatures when full, so memory stays bounded", () => {
    const recent = new RecentSignatures(10);
    for (let i = 0; i < 10; i++) expect(recent.remember(`sig${i}`)).toBe(true);
    expect(recent.remember("sig9")).toBe(false);
    expect(recent.remember("sig10")).toBe(true); // evicts sig0
    expect(recent.remember("sig0")).toBe(true);
    expect(recent.remember("sig5")).toBe(false);
  });
});
