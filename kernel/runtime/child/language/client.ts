// The runtime child's side of the language worker (worker.ts): type-checks a cell before it
// runs and answers complete/inspect from the language service, falling back to the live
// objects (../completion.ts, ../inspection.ts) where types say nothing (`any`) or the worker
// is not available. Checking can be switched off with TSGRAD_TYPECHECK=0.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { CompletionResult, ExecuteError, InspectionResult } from "../../interpreter.js";
import { complete as completeLive } from "../completion.js";
import { inspectAt as inspectLive } from "../inspection.js";
import type { TypeErrorReport } from "./diagnostics.js";
import type { TypeInspection } from "./inspection.js";
import type { LanguageSetup } from "./service.js";
import type { LanguageReply, LanguageRequest } from "./worker.js";

// A check waits long (a cell must not run unchecked because the machine is busy); completion
// does not (the live answer is better than none).
const CHECK_TIMEOUT_MS = 60_000;
const COMPLETE_TIMEOUT_MS = 5_000;

/** Kinds whose live value is worth showing next to the type. */
const VALUE_KINDS = new Set(["const", "let", "var", "local var", "property", "parameter"]);

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface CellLanguageOptions extends LanguageSetup {
  /** false: cells run without a type check (completion and inspection still use types). */
  checkBeforeRun: boolean;
  log: (line: string) => void;
}

/** Whether TSGRAD_TYPECHECK asks for the check before each cell (on unless 0/false/off). */
export function typeCheckWanted(env: NodeJS.ProcessEnv): boolean {
  return !/^(0|false|off|no)$/i.test(env.TSGRAD_TYPECHECK ?? "");
}

export class CellLanguage {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, (result: unknown) => void>();

  constructor(private readonly options: CellLanguageOptions) {
    try {
      const { checkBeforeRun: _check, log: _log, ...setup } = options;
      this.worker = new Worker(workerScript(), { workerData: setup });
      this.worker.unref(); // the child exits when its parent goes, whatever the worker does
      this.worker.on("message", (reply: LanguageReply) => this.settle(reply));
      this.worker.on("error", (error) => this.stop(`language worker failed: ${error.stack ?? error.message}`));
      this.worker.on("exit", (code) => this.stop(`language worker exited (${code})`));
    } catch (error) {
      this.stop(`language worker unavailable: ${String(error)}`);
    }
  }

  /** The error outcome that stops `code` from running, or undefined when it may run. */
  async checkBeforeRun(code: string, cellName: string): Promise<ExecuteError | undefined> {
    if (!this.options.checkBeforeRun) return undefined;
    const report = (await this.request({ type: "check", code, cellName }, CHECK_TIMEOUT_MS)) as
      | TypeErrorReport
      | undefined;
    return report && { status: "error", ...report, userExpressions: {} };
  }

  /** A cell ran (even if it threw: its declarations are globals now). */
  ran(code: string): void {
    this.post({ id: ++this.nextId, type: "commit", code });
  }

  async complete(code: string, cursor: number): Promise<CompletionResult> {
    const typed = (await this.request({ type: "complete", code, cursor }, COMPLETE_TIMEOUT_MS)) as
      | CompletionResult
      | undefined;
    if (typed && typed.matches.length > 0) return typed;
    const live = completeLive(code, cursor);
    return live.matches.length > 0 || !typed ? live : typed;
  }

  async inspect(code: string, cursor: number, detailLevel: 0 | 1): Promise<InspectionResult> {
    const typed = (await this.request({ type: "inspect", code, cursor, detailLevel }, COMPLETE_TIMEOUT_MS)) as
      | TypeInspection
      | undefined;
    const live = inspectLive(code, cursor, detailLevel);
    if (!typed?.found || typed.untyped) return live.found || !typed ? live : plain(typed);
    if (!live.found || !VALUE_KINDS.has(typed.kind ?? "")) return plain(typed);
    // A variable: its type and docs, then its value now.
    const value = String(live.data["text/plain"]);
    return {
      found: true,
      data: {
        "text/plain": `${typed.data["text/plain"]}\n\n${value}`,
        "text/markdown": `${typed.data["text/markdown"]}\n\n\`\`\`\n${value}\n\`\`\``,
      },
      metadata: {},
    };
  }

  private request(message: DistributiveOmit<LanguageRequest, "id">, timeoutMs: number): Promise<unknown> {
    if (!this.worker) return Promise.resolve(undefined);
    const id = ++this.nextId;
    return new Promise((resolveReply) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.options.log(`language worker: no answer to ${message.type} within ${timeoutMs} ms`);
        resolveReply(undefined);
      }, timeoutMs);
      this.pending.set(id, (result) => {
        clearTimeout(timer);
        resolveReply(result);
      });
      this.post({ ...message, id } as LanguageRequest);
    });
  }

  private post(message: LanguageRequest): void {
    try {
      this.worker?.postMessage(message);
    } catch (error) {
      this.stop(`language worker unreachable: ${String(error)}`);
    }
  }

  private settle(reply: LanguageReply): void {
    if ("error" in reply) this.options.log(`language worker: ${reply.error}`);
    const resolveReply = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    resolveReply?.("error" in reply ? undefined : reply.result);
  }

  private stop(why: string): void {
    this.options.log(why);
    this.worker = undefined;
    for (const resolveReply of this.pending.values()) resolveReply(undefined);
    this.pending.clear();
  }
}

function plain(result: TypeInspection): InspectionResult {
  return { found: result.found, data: result.data, metadata: result.metadata };
}

/** worker.js beside this module when built; dist's when this runs from source (tests). */
function workerScript(): URL {
  const beside = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL("../../../../dist/kernel/runtime/child/language/worker.js", import.meta.url);
}
