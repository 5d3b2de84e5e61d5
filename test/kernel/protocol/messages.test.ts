import { describe, expect, it } from "vitest";
import { childOf, createMessage, newOrigin, replyTypeFor } from "../../../kernel/protocol/messages.js";

describe("messages", () => {
  it("gives every header the fields JupyterLab requires", () => {
    const message = createMessage(newOrigin(), "status", { execution_state: "starting" });
    const { header } = message;
    expect(header.msg_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(header.session).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof header.username).toBe("string");
    expect(header.msg_type).toBe("status");
    expect(header.version).toBe("5.4");
    // ISO 8601 with a zone designator.
    expect(header.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    expect(message.parent_header).toEqual({});
  });

  it("makes a child carry its request's header as parent and the origin's session", () => {
    const client = newOrigin();
    const kernel = newOrigin();
    const request = createMessage(client, "execute_request", { code: "1" });
    const reply = childOf(kernel, request, "execute_reply", { status: "ok" });
    expect(reply.parent_header).toEqual(request.header);
    expect(reply.header.session).toBe(kernel.session);
    expect(reply.header.msg_id).not.toBe(request.header.msg_id);
  });

  it("uses a new session per origin (a new session tells JupyterLab the kernel restarted)", () => {
    expect(newOrigin().session).not.toBe(newOrigin().session);
  });

  it("names replies after their requests", () => {
    expect(replyTypeFor("execute_request")).toBe("execute_reply");
    expect(replyTypeFor("kernel_info_request")).toBe("kernel_info_reply");
  });
});
