// The connection file a Jupyter client writes before launching a kernel: where to bind and
// which key signs messages (spec: "Connection files" in jupyter_client's kernels doc).

import { readFileSync } from "node:fs";

export type Channel = "shell" | "control" | "stdin" | "iopub" | "hb";
export const CHANNELS: readonly Channel[] = ["shell", "control", "stdin", "iopub", "hb"];

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
}

/** Parses and checks a connection file's JSON; throws with the offending field named. */
export function parseConnection(json: unknown): ConnectionInfo {
  if (json === null || typeof json !== "object") throw new Error("connection file is not a JSON object");
  const raw = json as Record<string, unknown>;
  const transport = raw.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") throw new Error(`unsupported transport ${JSON.stringify(transport)}`);
  const ip = raw.ip ?? "127.0.0.1";
  if (typeof ip !== "string" || ip === "") throw new Error("ip must be a non-empty string");
  const key = raw.key ?? "";
  if (typeof key !== "string") throw new Error("key must be a string");
  const scheme = raw.signature_scheme ?? "hmac-sha256";
  if (typeof scheme !== "string") throw new Error("signature_scheme must be a string");

  const port = (channel: Channel): number => {
    const value = raw[`${channel}_port`];
    // ipc "ports" are suffixes of a path and may be any non-negative integer.
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 65_535) {
      throw new Error(`${channel}_port must be a port number, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  return {
    transport,
    ip,
    key,
    signature_scheme: scheme,
    shell_port: port("shell"),
    control_port: port("control"),
    stdin_port: port("stdin"),
    iopub_port: port("iopub"),
    hb_port: port("hb"),
  };
}

export function readConnectionFile(path: string): ConnectionInfo {
  return parseConnection(JSON.parse(readFileSync(path, "utf8")));
}

/** The ZeroMQ address for a channel: `tcp://ip:port`, or `ipc://ip-port` as jupyter_client names ipc files. */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info[`${channel}_port`];
  return info.transport === "tcp" ? `tcp://${formatHost(info.ip)}:${port}` : `ipc://${info.ip}-${port}`;
}

function formatHost(ip: string): string {
  // IPv6 literals need brackets inside a URL-like address.
  return ip.includes(":") && !ip.startsWith("[") ? `[${ip}]` : ip;
}
