// Frames ⇄ messages, and the HMAC that proves a message came from someone holding the
// connection file's key. Without the check, anyone who can reach the ports could run code
// as the user (spec: "The Wire Protocol", "Authentication").
//
// Frames: [identities…, "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers…]

import { createHmac, getHashes, timingSafeEqual } from "node:crypto";
import type { Header, IncomingMessage, JsonObject, Message } from "./messages.js";

export const DELIMITER = Buffer.from("<IDS|MSG>");

/** Signs and checks the four JSON frames with the connection file's key and scheme. */
export class Signer {
  readonly algorithm: string;
  private readonly key: Buffer;

  /** `scheme` as in the connection file, e.g. "hmac-sha256"; an empty key turns signing off. */
  constructor(key: string, scheme = "hmac-sha256") {
    const match = /^hmac-(.+)$/.exec(scheme);
    const algorithm = match?.[1];
    if (algorithm === undefined || !getHashes().includes(algorithm)) {
      throw new Error(`unsupported signature_scheme ${JSON.stringify(scheme)} (expected e.g. "hmac-sha256")`);
    }
    this.algorithm = algorithm;
    this.key = Buffer.from(key, "utf8");
  }

  get enabled(): boolean {
    return this.key.length > 0;
  }

  /** Lowercase hex HMAC over the frames in order; "" when signing is off. */
  sign(jsonFrames: readonly Buffer[]): string {
    if (!this.enabled) return "";
    const hmac = createHmac(this.algorithm, this.key);
    for (const frame of jsonFrames) hmac.update(frame);
    return hmac.digest("hex");
  }

  /** Checks the frames exactly as received (never re-serialised), in constant time. */
  verify(jsonFrames: readonly Buffer[], signature: Buffer): boolean {
    if (!this.enabled) return true;
    const expected = Buffer.from(this.sign(jsonFrames), "latin1");
    // Hex digests are ASCII; compare the bytes the client sent, lowercased as jupyter_client sends them.
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
}

/**
 * Remembers recent signatures so a captured message cannot be replayed. Bounded like
 * jupyter_client's `digest_history`: when full, the oldest tenth is forgotten.
 */
export class RecentSignatures {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 65_536) {}

  /** Records `signature`; false when it was already seen. */
  remember(signature: string): boolean {
    if (this.seen.has(signature)) return false;
    if (this.seen.size >= this.capacity) {
      let toForget = Math.max(1, Math.floor(this.capacity / 10));
      for (const old of this.seen) {
        if (toForget-- === 0) break;
        this.seen.delete(old);
      }
    }
    this.seen.add(signature);
    return true;
  }
}

/** Frames for `message`, routed to `identities` (or with a topic first, on IOPub). */
export function encode(message: Message, signer: Signer, identities: readonly Buffer[] = []): Buffer[] {
  const jsonFrames = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
    Buffer.from(JSON.stringify(part), "utf8"),
  );
  return [...identities, DELIMITER, Buffer.from(signer.sign(jsonFrames), "latin1"), ...jsonFrames, ...message.buffers];
}

export type DecodeResult = { ok: true; message: IncomingMessage } | { ok: false; reason: string };

/**
 * Verifies and parses received frames. Any failure is a reason string for the log, never an
 * exception: a malformed or hostile message must not take the kernel down.
 */
export function decode(frames: readonly Buffer[], signer: Signer, recent?: RecentSignatures): DecodeResult {
  const delimiterAt = frames.findIndex((frame) => frame.equals(DELIMITER));
  if (delimiterAt < 0) return { ok: false, reason: "no <IDS|MSG> delimiter" };
  if (frames.length < delimiterAt + 6) return { ok: false, reason: `too few frames (${frames.length})` };

  const identities = frames.slice(0, delimiterAt);
  const signature = frames[delimiterAt + 1]!;
  const jsonFrames = frames.slice(delimiterAt + 2, delimiterAt + 6);
  const buffers = frames.slice(delimiterAt + 6);

  if (signer.enabled) {
    if (signature.length === 0) return { ok: false, reason: "unsigned message" };
    if (!signer.verify(jsonFrames, signature)) return { ok: false, reason: "invalid signature" };
    if (recent && !recent.remember(signature.toString("latin1"))) return { ok: false, reason: "replayed signature" };
  }

  const parts: JsonObject[] = [];
  for (const [index, name] of ["header", "parent_header", "metadata", "content"].entries()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(jsonFrames[index]!.toString("utf8"));
    } catch {
      return { ok: false, reason: `${name} is not JSON` };
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      return { ok: false, reason: `${name} is not a JSON object` };
    }
    parts.push(parsed as JsonObject);
  }
  const [header, parentHeader, metadata, content] = parts as [JsonObject, JsonObject, JsonObject, JsonObject];
  if (typeof header.msg_type !== "string" || typeof header.msg_id !== "string") {
    return { ok: false, reason: "header lacks msg_type or msg_id" };
  }
  return {
    ok: true,
    message: {
      identities,
      header: header as Header,
      parent_header: parentHeader as Header,
      metadata,
      content,
      buffers,
    },
  };
}
