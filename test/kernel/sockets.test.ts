// KernelSockets over real ZeroMQ in this process: ordering under a burst, verification, heartbeat.
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import type { ConnectionInfo } from "../../kernel/protocol/connection.js";
import { createMessage, type IncomingMessage, newOrigin } from "../../kernel/protocol/messages.js";
import { decode, encode, Signer } from "../../kernel/protocol/wire.js";
import { KernelSockets } from "../../kernel/sockets.js";
import { freePorts } from "../e2e/client.js";

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const thing of open.splice(0)) await thing.close();
});

async function bound() {
  const [shell, control, stdin, iopub, hb] = (await freePorts(5)) as [number, number, number, number, number];
  const info: ConnectionInfo = {
    transport: "tcp",
    ip: "127.0.0.1",
    key: "test-key",
    signature_scheme: "hmac-sha256",
    shell_port: shell,
    control_port: control,
    stdin_port: stdin,
    iopub_port: iopub,
    hb_port: hb,
  };
  const logs: string[] = [];
  const sockets = await KernelSockets.bind(info, (line) => logs.push(line));
  open.push(sockets);
  return { info, sockets, logs, signer: new Signer(info.key, info.signature_scheme) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("KernelSockets", () => {
  it("delivers a burst of 900 unawaited IOPub sends complete and in order (no EBUSY losses)", async () => {
    const { info, sockets, signer } = await bound();
    const subscriber = new zmq.Subscriber({ linger: 0 });
    open.push(subscriber);
    subscriber.connect(`tcp://127.0.0.1:${info.iopub_port}`);
    subscriber.subscribe();
    const origin = newOrigin();
    // PUB drops messages until the subscription arrives: wait until a probe gets through. One
    // receive stays pending across probes (zeromq.js allows a single receive in flight).
    const firstProbe = subscriber.receive().then(() => true);
    for (let seen = false; !seen; ) {
      void sockets.send("iopub", createMessage(origin, "probe", {}));
      seen = await Promise.race([firstProbe, sleep(50).then(() => false)]);
    }
    for (let i = 0; i < 900; i++)
      void sockets.send("iopub", createMessage(origin, "stream", { name: "stdout", text: `${i}` }));
    const texts: string[] = [];
    while (texts.length < 900) {
      const decoded = decode(await subscriber.receive(), signer);
      if (!decoded.ok) throw new Error(decoded.reason);
      if (decoded.message.header.msg_type === "stream") texts.push(decoded.message.content.text as string);
    }
    expect(texts).toEqual(Array.from({ length: 900 }, (_, i) => `${i}`));
  });

  it("hands verified shell messages to the receiver with the sender's identity, and drops forged ones", async () => {
    const { info, sockets, signer, logs } = await bound();
    const received: IncomingMessage[] = [];
    sockets.listen((channel, message) => {
      if (channel === "shell") received.push(message);
    });
    const dealer = new zmq.Dealer({ linger: 0, routingId: "the-client" });
    open.push(dealer);
    dealer.connect(`tcp://127.0.0.1:${info.shell_port}`);
    const origin = newOrigin();
    await dealer.send(encode(createMessage(origin, "kernel_info_request", { n: 1 }), new Signer("wrong-key")));
    await dealer.send(encode(createMessage(origin, "kernel_info_request", { n: 2 }), signer));
    for (let i = 0; i < 100 && received.length === 0; i++) await sleep(10);
    await sleep(50);
    expect(received.map((m) => m.content.n)).toEqual([2]);
    expect(received[0]!.identities.map((id) => id.toString())).toEqual(["the-client"]);
    expect(logs.join("\n")).toMatch(/dropped a message on shell: invalid signature/);
  });

  it("echoes heartbeats byte for byte", async () => {
    const { info } = await bound();
    const request = new zmq.Request({ linger: 0, receiveTimeout: 2000 });
    open.push(request);
    request.connect(`tcp://127.0.0.1:${info.hb_port}`);
    await request.send(Buffer.from("ping-42"));
    const [echo] = await request.receive();
    expect(echo?.toString()).toBe("ping-42");
  });
});
