// End-to-end: the built kernel (dist/kernel/main.js) over real ZeroMQ, as a Jupyter client sees it.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMessage } from "../../kernel/protocol/messages.js";
import { encode, Signer } from "../../kernel/protocol/wire.js";
import { KERNEL_MAIN, type KernelClient, REPO_ROOT, startKernel } from "./client.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SYNC_LOOP_30S = "const t = Date.now(); while (Date.now() - t < 30000) {}";
// The runtime's first cell loads the TypeScript compiler: seconds on a busy two-core machine.
const WARM_UP_MS = 60_000;

/** Fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, … (Linux). */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (an orphan's new parent may be slow to reap it, or never). */
function isRunning(pid: number): boolean {
  const state = procStat(pid)?.[0];
  return state !== undefined && state !== "Z" && state !== "X";
}

function processGroup(pid: number): number {
  return Number(procStat(pid)?.[2]);
}

/** CPU time the process has used, user and system, in clock ticks (usually 10 ms). */
function cpuTicks(pid: number): number {
  const stat = procStat(pid);
  return Number(stat?.[11]) + Number(stat?.[12]);
}

// The tests that need nothing but a warmed-up kernel share one: starting a kernel and loading
// the compiler costs seconds. It gets a process group of its own, as jupyter_client starts
// kernels, so a test can signal the group. Each test declares names of its own, and none leaves
// a cell running for the next (afterEach).
describe("a warmed-up kernel", () => {
  let kernel: KernelClient;
  beforeAll(async () => {
    kernel = await startKernel({ ownProcessGroup: true });
    await kernel.execute("0", { timeoutMs: WARM_UP_MS });
  }, WARM_UP_MS + 10_000);
  afterEach(async () => {
    // Shell runs one request at a time: a kernel_info reply means no cell is still running.
    const probe = kernel.sendRequest("shell", "kernel_info_request", {});
    try {
      await kernel.reply(probe, 2000);
    } catch {
      await kernel.request("control", "interrupt_request");
      await kernel.reply(probe, 10_000);
    }
  });
  afterAll(async () => {
    await kernel.close();
  });

  describe("a running kernel", () => {
    it("answers kernel_info on shell and on control with protocol 5.4 and TypeScript language_info", async () => {
      for (const channel of ["shell", "control"] as const) {
        const reply = await kernel.request(channel, "kernel_info_request");
        expect(reply.header.msg_type).toBe("kernel_info_reply");
        expect(reply.content).toMatchObject({
          status: "ok",
          protocol_version: "5.4",
          implementation: "tsgrad",
          language_info: {
            name: "typescript",
            file_extension: ".ts",
            mimetype: "text/typescript",
            pygments_lexer: "typescript",
            codemirror_mode: "typescript",
          },
        });
        expect(Object.keys(reply.header).sort()).toEqual([
          "date",
          "msg_id",
          "msg_type",
          "session",
          "username",
          "version",
        ]);
      }
    });

    it("wraps an execute in busy … idle, echoes the code, and replies before idle", async () => {
      const code = "1 + 1";
      const { reply, iopub } = await kernel.execute(code);
      const types = iopub.map((m) =>
        m.header.msg_type === "status" ? `status:${m.content.execution_state}` : m.header.msg_type,
      );
      expect(types[0]).toBe("status:busy");
      expect(types[1]).toBe("execute_input");
      expect(types.at(-1)).toBe("status:idle");
      expect(iopub[1]!.content.code).toBe(code);
      expect(reply.content.status).toBe("ok");
      const result = iopub.find((m) => m.header.msg_type === "execute_result")!;
      expect(result.content.data).toMatchObject({ "text/plain": "2" });
      expect(result.content.execution_count).toBe(reply.content.execution_count);
      // Every IOPub message of the request shares the kernel's session.
      expect(new Set(iopub.map((m) => m.header.session)).size).toBe(1);
    });

    it("drops a message with a bad signature: no reply, no busy, and keeps serving", async () => {
      const wrongKey = new Signer("not-the-key", kernel.connection.signature_scheme);
      const forged = createMessage(kernel.origin, "kernel_info_request", {});
      kernel.sendFrames("shell", encode(forged, wrongKey));
      const tampered = createMessage(kernel.origin, "execute_request", { code: "1", silent: false });
      const frames = encode(tampered, kernel.signer);
      frames[frames.length - 1] = Buffer.from(JSON.stringify({ ...tampered.content, code: "2" }));
      kernel.sendFrames("shell", frames);
      const unsigned = encode(createMessage(kernel.origin, "kernel_info_request", {}), new Signer(""));
      kernel.sendFrames("control", unsigned);

      const valid = await kernel.request("shell", "kernel_info_request");
      expect(valid.content.status).toBe("ok");
      await sleep(300);
      for (const dropped of [forged, tampered]) {
        expect(kernel.replyIfAny(dropped)).toBeUndefined();
        expect(kernel.childrenOf(dropped)).toEqual([]);
      }
      await kernel.waitFor(
        () =>
          /\[tsgrad\] dropped a message on shell: invalid signature/.test(kernel.log) &&
          /\[tsgrad\] dropped a message on control: unsigned message/.test(kernel.log),
        5000,
        "both drops in the kernel log",
      );
    });

    it("drops a replayed message (same signature twice): one reply only", async () => {
      const original = createMessage(kernel.origin, "execute_request", {
        code: "1",
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: true,
      });
      const frames = encode(original, kernel.signer);
      kernel.sendFrames("shell", frames);
      await kernel.collect(original);
      kernel.sendFrames("shell", frames);
      await kernel.request("shell", "kernel_info_request");
      await sleep(200);
      expect(kernel.childrenOf(original).filter((m) => m.header.msg_type === "execute_input")).toHaveLength(1);
      await kernel.waitFor(() => /replayed signature/.test(kernel.log), 5000, "the replay in the kernel log");
    });

    it("survives malformed and unknown messages", async () => {
      const garbage = [
        Buffer.from("<IDS|MSG>"),
        Buffer.from(""),
        Buffer.from("{not json"),
        Buffer.from("{}"),
        Buffer.from("{}"),
        Buffer.from("{}"),
      ];
      garbage[1] = Buffer.from(kernel.signer.sign(garbage.slice(2)));
      kernel.sendFrames("shell", garbage);
      kernel.sendFrames("shell", [Buffer.from("no delimiter at all")]);
      const unknown = kernel.sendRequest("shell", "frobnicate_request", {});
      expect((await kernel.request("shell", "kernel_info_request")).content.status).toBe("ok");
      expect(kernel.replyIfAny(unknown)).toBeUndefined();
      // The log travels on stderr, which may arrive after the reply on a loaded machine.
      await kernel.waitFor(
        () => /header is not JSON/.test(kernel.log) && /unknown shell message "frobnicate_request"/.test(kernel.log),
        5000,
        "the dropped messages in the kernel log",
      );
    });

    it("aborts executes queued behind an error (stop_on_error) and runs later ones", async () => {
      const failing = kernel.startExecute('throw new Error("broken cell")');
      const queued = kernel.startExecute("1 + 1");
      const failed = await kernel.collect(failing);
      expect(failed.reply.content).toMatchObject({ status: "error", ename: "Error", evalue: "broken cell" });
      const aborted = await kernel.collect(queued);
      expect(aborted.reply.content).toMatchObject({ status: "error", ename: "ExecutionAborted" });
      expect(aborted.outputs).toEqual([]);
      const later = await kernel.execute("2 + 2");
      expect(later.reply.content.status).toBe("ok");
      expect(later.reply.content.execution_count).toBe((failed.reply.content.execution_count as number) + 1);
    });

    it("runs queued executes after an error when stop_on_error is false", async () => {
      const failing = kernel.startExecute('throw new Error("broken")', { stop_on_error: false });
      const queued = kernel.startExecute("3 * 3");
      await kernel.collect(failing);
      const { reply } = await kernel.collect(queued);
      expect(reply.content.status).toBe("ok");
    });

    it("asks for input on stdin when allowed and passes the reply to the cell", async () => {
      const { reply, outputs } = await kernel.execute('const who = await input("name? "); `hello ${who}`', {
        onInput: (prompt) => (prompt === "name? " ? "Ada" : "wrong prompt"),
      });
      expect(reply.content.status).toBe("ok");
      expect(outputs.find((m) => m.header.msg_type === "execute_result")?.content.data).toMatchObject({
        "text/plain": expect.stringContaining("hello Ada"),
      });
    });

    it("evaluates user_expressions after the code, each failing on its own", async () => {
      const { reply } = await kernel.execute("const base = 20", {
        user_expressions: { double: "base * 2", broken: "notDefinedAnywhere + 1" },
      });
      const expressions = reply.content.user_expressions as Record<string, Record<string, unknown>>;
      expect(expressions.double).toMatchObject({ status: "ok", data: { "text/plain": "40" } });
      expect(expressions.broken).toMatchObject({ status: "error", ename: "ReferenceError" });
      expect(reply.content.status).toBe("ok");
    });

    it("counts complete_request cursor positions in code points (an emoji before the cursor)", async () => {
      await kernel.execute('const flame = "🔥"');
      const code = 'const pair = ["🔥", "🔥"]; flame.toUpperC';
      const codePoints = [...code].length;
      expect(code.length).toBe(codePoints + 2);
      const reply = await kernel.request("shell", "complete_request", { code, cursor_pos: codePoints });
      expect(reply.content.matches).toContain("toUpperCase");
      expect(reply.content.cursor_end).toBe(codePoints);
      expect(reply.content.cursor_start).toBe(codePoints - "toUpperC".length);
    });

    it("publishes output printed after the reply (a timer) with the cell's request as parent", async () => {
      const { reply, request } = await kernel.execute('setTimeout(() => console.log("printed later"), 300); "started"');
      expect(reply.content.status).toBe("ok");
      await kernel.waitFor(
        () =>
          kernel
            .childrenOf(request)
            .some((m) => m.header.msg_type === "stream" && String(m.content.text).includes("printed later")),
        5000,
        "late stream output",
      );
    });

    it("answers comm_info with no comms and closes a comm opened to an unknown target", async () => {
      const info = await kernel.request("shell", "comm_info_request", {});
      expect(info.content).toEqual({ status: "ok", comms: {} });
      const open = kernel.sendRequest("shell", "comm_open", {
        comm_id: "comm-1",
        target_name: "jupyter.widget",
        data: {},
      });
      await kernel.waitForIdle(open);
      const close = kernel.childrenOf(open).find((m) => m.header.msg_type === "comm_close");
      expect(close?.content).toEqual({ comm_id: "comm-1", data: {} });
    });

    it("delivers 100,000 printed lines complete, in order, in few messages", async () => {
      const { reply, outputs } = await kernel.execute("for (let i = 0; i < 100000; i++) console.log(i)", {
        timeoutMs: 60_000,
      });
      expect(reply.content.status).toBe("ok");
      const streams = outputs.filter((m) => m.header.msg_type === "stream");
      expect(streams.filter((m) => m.content.name !== "stdout").map((m) => m.content.text)).toEqual([]);
      const text = streams.map((m) => m.content.text as string).join("");
      const lines = text.split("\n").slice(0, -1);
      expect(lines).toHaveLength(100_000);
      expect(lines.every((line, i) => line === String(i))).toBe(true);
      // jupyter_server drops IOPub above 1,000 messages/s: batching keeps this far below.
      expect(streams.length).toBeLessThan(1000);
    }, 90_000);
  });

  describe("while a cell computes", () => {
    it("keeps heartbeat and control answering within 100 ms while a cell runs a 30 s synchronous loop", async () => {
      await kernel.execute("let survivor = 41");
      const busy = kernel.startExecute(SYNC_LOOP_30S);
      await kernel.waitFor(() => kernel.childrenOf(busy).some((m) => m.header.msg_type === "execute_input"), 5000);
      await sleep(500); // let the loop start in the runtime
      for (let i = 0; i < 5; i++) {
        expect(await kernel.heartbeat()).toBeLessThan(100);
        const started = performance.now();
        await kernel.request("control", "kernel_info_request", {}, 2000);
        expect(performance.now() - started).toBeLessThan(100);
      }
      expect(kernel.replyIfAny(busy)).toBeUndefined();

      const interrupted = performance.now();
      await kernel.request("control", "interrupt_request");
      const { reply, outputs } = await kernel.collect(busy, 5000);
      expect(performance.now() - interrupted).toBeLessThan(1000);
      expect(reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
      expect(outputs.map((m) => m.header.msg_type)).toContain("error");
      const after = await kernel.execute("survivor + 1");
      expect(after.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data).toMatchObject({
        "text/plain": "42",
      });
    });

    it("stops a synchronous loop on a real SIGINT to the kernel process", async () => {
      const busy = kernel.startExecute("while (true) {}");
      await kernel.waitFor(() => kernel.childrenOf(busy).some((m) => m.header.msg_type === "execute_input"), 5000);
      await sleep(300);
      kernel.sigint();
      const { reply } = await kernel.collect(busy, 5000);
      expect(reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
      expect((await kernel.execute("1")).reply.content.status).toBe("ok");
    });

    it("interrupts a spinning cell once when a client signals the kernel's whole process group (interrupt_mode signal)", async () => {
      // jupyter_client signals the process group; the kernel turns SIGINT into an interrupt of its
      // runtime, so a runtime in the same group would be interrupted twice. The cell counts the
      // SIGINT events its listener hears.
      await kernel.execute(
        'let groupSurvivor = 41\nlet sigints = 0\nconst countSigint = () => { sigints++ }\nprocess.on("SIGINT", countSigint)',
      );
      for (const spin of ["while (true) {}", "for (;;) await new Promise((r) => setTimeout(r, 1))"]) {
        const busy = kernel.startExecute(spin);
        await kernel.waitFor(() => kernel.childrenOf(busy).some((m) => m.header.msg_type === "execute_input"), 5000);
        await sleep(300);
        kernel.signalProcessGroup("SIGINT");
        const { reply, outputs } = await kernel.collect(busy, 5000);
        expect(reply.content, spin).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
        expect(
          outputs.filter((m) => m.header.msg_type === "error"),
          spin,
        ).toHaveLength(1);
      }
      await sleep(300); // a second SIGINT would have arrived by now
      const after = await kernel.execute('process.off("SIGINT", countSigint);\n`${sigints} ${groupSurvivor + 1}`');
      expect(after.reply.content.status).toBe("ok");
      // The synchronous loop is stopped before its listener can run; the async loop's interrupt
      // reaches the listener: once.
      expect(after.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data).toMatchObject({
        "text/plain": "'1 42'",
      });
      expect(kernel.exitCode).toBeNull();
    });
  });
});

describe("kernel lifecycle", () => {
  it("replies to shutdown_request without restart and exits cleanly", async () => {
    const kernel = await startKernel();
    const reply = await kernel.shutdown(false);
    expect(reply.content).toEqual({ status: "ok", restart: false });
    expect(kernel.exitCode).toBe(0);
    // The idle after the reply still went out before the process exited.
    const requestId = (reply.parent_header as { msg_id: string }).msg_id;
    const states = kernel
      .allIopub()
      .filter((m) => (m.parent_header as { msg_id?: string }).msg_id === requestId)
      .map((m) => m.content.execution_state);
    expect(states).toEqual(["busy", "idle"]);
  });

  it("replies to shutdown_request with restart and exits cleanly (the client starts a new one)", async () => {
    const kernel = await startKernel();
    const reply = await kernel.shutdown(true);
    expect(reply.content).toEqual({ status: "ok", restart: true });
    expect(kernel.exitCode).toBe(0);
  });

  it("speaks hmac-sha512 when the connection file asks for it", async () => {
    const kernel = await startKernel({ signatureScheme: "hmac-sha512" });
    try {
      expect((await kernel.request("shell", "kernel_info_request")).content.status).toBe("ok");
    } finally {
      await kernel.close();
    }
  });

  it(
    "runs through the CLI as the top-level kernel.json launches it (tsgrad kernel <file>)",
    async () => {
      const kernel = await startKernel({ command: [join(REPO_ROOT, "bin", "tsgrad.js"), "kernel"] });
      try {
        const { reply } = await kernel.execute("2 ** 10", { timeoutMs: WARM_UP_MS });
        expect(reply.content.status).toBe("ok");
      } finally {
        await kernel.close();
      }
    },
    WARM_UP_MS + 10_000,
  );

  it("refuses to start on a bad connection file, naming the field, instead of hanging", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsgrad-badconn-"));
    try {
      const file = join(dir, "conn.json");
      writeFileSync(file, JSON.stringify({ ip: "127.0.0.1", key: "k", shell_port: "not a port" }));
      const run = spawnSync(process.execPath, [KERNEL_MAIN, file], { encoding: "utf8", timeout: 10_000 });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/\[tsgrad\] failed to start: .*shell_port/);
      const usage = spawnSync(process.execPath, [KERNEL_MAIN], { encoding: "utf8", timeout: 10_000 });
      expect(usage.status).toBe(2);
      expect(usage.stderr).toMatch(/usage/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs unsigned when the connection file's key is empty", async () => {
    const kernel = await startKernel({ key: "" });
    try {
      expect(kernel.signer.enabled).toBe(false);
      expect((await kernel.request("shell", "kernel_info_request")).content.status).toBe("ok");
    } finally {
      await kernel.close();
    }
  });

  it("binds the transport the connection file names (ipc)", async () => {
    const kernel = await startKernel({ transport: "ipc" });
    try {
      expect(kernel.connection.transport).toBe("ipc");
      expect((await kernel.request("control", "kernel_info_request")).content.status).toBe("ok");
      expect(await kernel.heartbeat()).toBeGreaterThan(0);
    } finally {
      await kernel.close();
    }
  });

  it(
    "leaves no runtime process behind when the kernel is SIGKILLed while a cell spins",
    async () => {
      const kernel = await startKernel({ ownProcessGroup: true });
      let runtimePid = 0;
      try {
        const { outputs } = await kernel.execute("process.pid", { timeoutMs: WARM_UP_MS });
        const result = outputs.find((m) => m.header.msg_type === "execute_result")?.content.data as
          | Record<string, string>
          | undefined;
        runtimePid = Number(result?.["text/plain"]);
        expect(runtimePid).toBeGreaterThan(0);
        expect(runtimePid).not.toBe(kernel.process.pid);
        // Its own process group: a client's killpg of the kernel's group reaches the kernel only.
        expect(processGroup(runtimePid)).toBe(runtimePid);
        const busy = kernel.startExecute("while (true) {}");
        await kernel.waitFor(() => kernel.childrenOf(busy).some((m) => m.header.msg_type === "execute_input"), 5000);
        await sleep(300);
        kernel.process.kill("SIGKILL");
        await kernel.exited;
        // The spinning runtime cannot notice its IPC channel closing; the watchdog thread ends it.
        const deadline = Date.now() + 5000;
        while (isRunning(runtimePid) && Date.now() < deadline) await sleep(50);
        expect(isRunning(runtimePid)).toBe(false);
      } finally {
        await kernel.close();
        if (runtimePid > 0 && isRunning(runtimePid)) process.kill(runtimePid, "SIGKILL"); // no spinning orphan if it failed
      }
    },
    WARM_UP_MS + 10_000,
  );

  it("goes on serving, idle, after its stderr's reader is gone, and still exits with its parent", async () => {
    const parent = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const kernel = await startKernel({ env: { JPY_PARENT_PID: String(parent.pid) } });
    try {
      kernel.process.stderr!.destroy(); // as when the client crashes or the console's terminal closes
      // Each is logged ("ignored unknown shell message"): the first write meets a closed pipe.
      for (let i = 0; i < 3; i++) kernel.sendRequest("shell", "no_such_request", {});
      const { reply } = await kernel.execute("6 * 7");
      expect(reply.content.status).toBe("ok");
      const before = cpuTicks(kernel.process.pid!);
      await sleep(1000);
      // A kernel looping on the failed write used half a core (~50 ticks a second); idle, ~0.
      expect(cpuTicks(kernel.process.pid!) - before).toBeLessThan(15);
      parent.kill("SIGKILL");
      await kernel.waitFor(() => kernel.exitCode !== null, 5000, "kernel exit after parent death");
      expect(kernel.exitCode).toBe(0);
    } finally {
      parent.kill("SIGKILL");
      await kernel.close();
    }
  });

  it("survives a SIGINT while it binds its sockets (interrupt_mode signal right after start)", async () => {
    const kernel = await startKernel({ env: { TSGRAD_DEBUG: "1" }, waitReady: false });
    try {
      // "starting" is logged right after the handler is in place, before the sockets are bound.
      await kernel.waitFor(() => kernel.log.includes("starting"), 20_000, "the kernel's first log line");
      kernel.process.kill("SIGINT");
      await kernel.ready();
      const { reply } = await kernel.execute("1 + 1");
      expect(reply.content.status).toBe("ok");
      expect(kernel.exitCode).toBeNull();
    } finally {
      await kernel.close();
    }
  });

  it("exits when the process named by JPY_PARENT_PID dies", async () => {
    const parent = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const kernel = await startKernel({ env: { JPY_PARENT_PID: String(parent.pid) } });
    try {
      await sleep(1500);
      expect(kernel.exitCode).toBeNull();
      parent.kill("SIGKILL");
      await kernel.waitFor(() => kernel.exitCode !== null, 5000, "kernel exit after parent death");
      expect(kernel.exitCode).toBe(0);
      expect(kernel.log).toMatch(/parent process died/);
    } finally {
      parent.kill("SIGKILL");
      await kernel.close();
    }
  });
});
