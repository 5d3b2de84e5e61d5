import { describe, expect, it } from "vitest";
import { endpoint, parseConnection } from "../../../kernel/protocol/connection.js";

const file = {
  transport: "tcp",
  ip: "127.0.0.1",
  key: "abc",
  signature_scheme: "hmac-sha256",
  shell_port: 5001,
  control_port: 5002,
  stdin_port: 5003,
  iopub_port: 5004,
  hb_port: 5005,
  kernel_name: "tsgrad",
};

describe("connection file", () => {
  it("binds where the file says", () => {
    const info = parseConnection(file);
    expect(endpoint(info, "shell")).toBe("tcp://127.0.0.1:5001");
    expect(endpoint(info, "hb")).toBe("tcp://127.0.0.1:5005");
    expect(endpoint(parseConnection({ ...file, ip: "0.0.0.0" }), "iopub")).toBe("tcp://0.0.0.0:5004");
    expect(endpoint(parseConnection({ ...file, ip: "::1" }), "control")).toBe("tcp://[::1]:5002");
  });

  it("names ipc endpoints as jupyter_client does", () => {
    const info = parseConnection({ ...file, transport: "ipc", ip: "/tmp/kernel-x" });
    expect(endpoint(info, "stdin")).toBe("ipc:///tmp/kernel-x-5003");
  });

  it("names the offending field", () => {
    expect(() => parseConnection({ ...file, shell_port: "5001" })).toThrow(/shell_port/);
    expect(() => parseConnection({ ...file, transport: "udp" })).toThrow(/transport/);
    expect(() => parseConnection({ ...file, key: 3 })).toThrow(/key/);
    expect(() => parseConnection(null)).toThrow(/JSON object/);
  });
});
