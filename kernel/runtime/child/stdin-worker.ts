// The thread that carries prompt()'s request and reply while the cell's thread waits (see
// prompt-channel.ts): it writes the request on fd 5 (ipc.ts PROMPT_FD), and copies the reply to
// the shared buffer and wakes the waiting thread. Only the reply to the latest request is
// delivered: one to a prompt that was interrupted must not answer the next.
import { Socket } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { PROMPT_FD, type PromptReply, type PromptRequest } from "../ipc.js";
import { CLOSED, REPLIED, type SharedReply } from "./prompt-channel.js";

const { header, bytes } = workerData as SharedReply;
let latest = 0;

// The waiting thread cannot see this thread's errors (its event loop is held): every failure
// here ends in CLOSED, which makes prompt() throw.
const closed = () => {
  Atomics.store(header, 0, CLOSED);
  Atomics.notify(header, 0);
};
process.on("uncaughtException", closed);
const socket = new Socket({ fd: PROMPT_FD, readable: true, writable: true });
socket.on("error", closed);
socket.on("close", closed);

parentPort?.on("message", (request: PromptRequest) => {
  latest = request.requestId;
  socket.write(`${JSON.stringify(request)}\n`);
});

let buffered = "";
socket.on("data", (chunk: Buffer) => {
  buffered += chunk.toString("utf8");
  for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
    const reply = JSON.parse(buffered.slice(0, end)) as PromptReply;
    buffered = buffered.slice(end + 1);
    if (reply.requestId !== latest) continue;
    // A reply longer than the buffer is cut at its end (a line typed into an input box is short).
    const { written } = new TextEncoder().encodeInto(reply.value, bytes);
    Atomics.store(header, 2, written);
    Atomics.store(header, 1, reply.requestId);
    Atomics.store(header, 0, REPLIED);
    Atomics.notify(header, 0);
  }
});
