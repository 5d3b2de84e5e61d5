// A code cell's outputs built from the kernel's IOPub messages the way nbclient builds them
// (nbclient's NotebookClient.process_message/output/clear_output and nbformat's output_from_msg),
// so a notebook `tsgrad run` writes is the notebook `jupyter nbconvert --execute` would write:
// one output per message, `clear_output(wait)` deferred to the next output, and
// `update_display_data` rewriting every earlier output with the same display_id, in any cell.
// Pure: messages in, nbformat outputs out.

export type Output =
  | { output_type: "stream"; name: string; text: string }
  | { output_type: "display_data"; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | {
      output_type: "execute_result";
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
      execution_count: number | null;
    }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

/** The part of an IOPub message the recorder reads. */
export interface IopubMessage {
  header: { msg_type: string };
  content: Record<string, unknown>;
}

/** Records the outputs of a notebook's cells, one cell at a time, across the whole run. */
export class OutputRecorder {
  /** display_id → the outputs (objects in some cell's list) showing it. */
  private readonly displays = new Map<string, Output[]>();
  private clearBeforeNextOutput = false;
  private outputs: Output[] = [];

  /** Starts a cell: later messages go to a fresh output list, which this returns. */
  startCell(): Output[] {
    this.outputs = [];
    this.clearBeforeNextOutput = false;
    return this.outputs;
  }

  /** Applies one IOPub message of the running cell; returns the execution count it carries, if any. */
  record(message: IopubMessage): number | undefined {
    const type = message.header.msg_type;
    const content = message.content;
    const displayId = (content.transient as { display_id?: unknown } | undefined)?.display_id;
    if (
      typeof displayId === "string" &&
      (type === "execute_result" || type === "display_data" || type === "update_display_data")
    ) {
      this.updateDisplay(displayId, content);
    }
    if (type === "clear_output") this.clear(content.wait === true);
    else if (
      type !== "status" &&
      type !== "execute_input" &&
      type !== "update_display_data" &&
      !type.startsWith("comm")
    ) {
      const output = outputFromMessage(type, content);
      if (output) this.append(output, typeof displayId === "string" ? displayId : undefined);
    }
    return typeof content.execution_count === "number" ? content.execution_count : undefined;
  }

  private append(output: Output, displayId: string | undefined): void {
    if (this.clearBeforeNextOutput) {
      this.clearNow();
      this.clearBeforeNextOutput = false;
    }
    if (displayId !== undefined) {
      const shown = this.displays.get(displayId) ?? [];
      shown.push(output);
      this.displays.set(displayId, shown);
    }
    this.outputs.push(output);
  }

  private clear(wait: boolean): void {
    if (wait) this.clearBeforeNextOutput = true;
    else this.clearNow();
  }

  private clearNow(): void {
    const cleared = new Set(this.outputs);
    this.outputs.length = 0;
    for (const [id, shown] of this.displays)
      this.displays.set(
        id,
        shown.filter((output) => !cleared.has(output)),
      );
  }

  private updateDisplay(displayId: string, content: Record<string, unknown>): void {
    for (const output of this.displays.get(displayId) ?? []) {
      if (output.output_type !== "display_data" && output.output_type !== "execute_result") continue;
      output.data = asRecord(content.data);
      output.metadata = asRecord(content.metadata);
    }
  }
}

/** nbformat's output_from_msg: the four output message types, anything else none. */
export function outputFromMessage(type: string, content: Record<string, unknown>): Output | undefined {
  switch (type) {
    case "stream":
      return { output_type: "stream", name: String(content.name), text: String(content.text ?? "") };
    case "display_data":
      return { output_type: "display_data", data: asRecord(content.data), metadata: asRecord(content.metadata) };
    case "execute_result":
      return {
        output_type: "execute_result",
        data: asRecord(content.data),
        metadata: asRecord(content.metadata),
        execution_count: typeof content.execution_count === "number" ? content.execution_count : null,
      };
    case "error":
      return {
        output_type: "error",
        ename: String(content.ename ?? ""),
        evalue: String(content.evalue ?? ""),
        traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [],
      };
    default:
      return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? { ...(value as Record<string, unknown>) }
    : {};
}
