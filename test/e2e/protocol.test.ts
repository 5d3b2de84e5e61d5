// End-to-end: the built kernel over real ZeroMQ, as a Jupyter client sees it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKernel, type KernelClient } from "./client.js";

describe("kernel_info", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await startKernel();
  });
  afterAll(async () => {
    await kernel.close();
  });

  it("answers on shell and on control with protocol 5.4 and TypeScript language_info", async () => {
    for (const channel of ["shell", "control"] as const) {
      const reply = await kernel.request(channel, "kernel_info_request");
      expect(reply.header.msg_type).toBe("kernel_info_reply");
      expect(reply.content).toMatchObject({
        status: "ok",
        protocol_version: "5.4",
        implementation: "tsgrad",
        language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
      });
    }
  });
});
