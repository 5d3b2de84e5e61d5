// The language service in-process: checking a typical cell after 30 earlier cells, and
// completing after a dot, against what a kernel without an incremental service pays: a
// fresh language service over the same files each time (the reference, measured in the
// same run; it re-reads and re-parses every declaration file).
// The end-to-end figures against tslab come from bench/language_latency.py.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type ts from "typescript";
import { cellCompilerOptions, NotebookHost } from "../kernel/runtime/child/language/host.js";
import { NotebookLanguageService } from "../kernel/runtime/child/language/service.js";
import { typescript } from "../kernel/runtime/child/typescript.js";
import type { BenchTable } from "./engine.js";

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ROUNDS = 15;

function earlierCell(i: number): string {
  return `interface Layer${i} { weights: number[]; bias: number }
const layer${i}: Layer${i} = { weights: Array.from({ length: 8 }, (_, j) => Math.sin(j + ${i})), bias: ${i} / 10 };
function forward${i}(input: number[]): number[] {
  return input.map((x, j) => Math.tanh(x * layer${i}.weights[j % layer${i}.weights.length]! + layer${i}.bias));
}
const scale${i} = tensor([${i}, ${i + 1}]).mul(${i});
const net${i} = new nn.Sequential(new nn.Linear(2, 4), new nn.ReLU(), new nn.Linear(4, 1));`;
}

function typicalCell(round: number): string {
  return `const xs = randn([8, 2]);
const prediction = net7.forward(xs.mul(scale3.reshape([1, 2])));
const loss = prediction.sub(tensor(forward12([1, 2, 3, 4, 5, 6, 7, 8])).reshape([8, 1])).pow(2).mean();
loss.backward();
const opt = new optim.SGD(net7.parameters(), { lr: 0.1 });
opt.step();
opt.zeroGrad();
const report: { loss: number; layer: Layer29 } = { loss: loss.item(), layer: layer29 };
console.log(report.loss.toFixed(3));
report // round ${round}`;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

function millis(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** A language service built from nothing over the same files: no reuse between requests. */
function freshService(service: NotebookLanguageService, code: string): { service: ts.LanguageService; file: string } {
  const composed = service.composedNotebook(code);
  const host = new NotebookHost(cellCompilerOptions(PROJECT), join(PROJECT, "notebooks"), []);
  for (const [file, text] of composed.files) host.setFile(file, text);
  return { service: typescript.createLanguageService(host), file: composed.notebookFile };
}

export async function bench(): Promise<BenchTable> {
  const service = new NotebookLanguageService({ notebookDir: join(PROJECT, "notebooks"), projectDir: PROJECT });
  for (let i = 0; i < 30; i++) {
    const errors = service.diagnose(earlierCell(i));
    if (errors.length > 0) throw new Error(`bench cell ${i} does not type-check: ${errors[0]!.message}`);
    service.commit(earlierCell(i));
  }
  const completion = "const probe = scale5.matmul(randn([2, 2]));\nprobe.";
  service.warmUpCheck();
  service.warmUpAssistance();
  const checks: number[] = [];
  const checksFromScratch: number[] = [];
  const completes: number[] = [];
  const completesFromScratch: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const code = typicalCell(round);
    let errors = 0;
    checks.push(millis(() => (errors = service.diagnose(code).length)));
    if (errors > 0) throw new Error(`the typical cell does not type-check: ${service.diagnose(code)[0]!.message}`);
    const checkReference = freshService(service, code);
    checksFromScratch.push(millis(() => checkReference.service.getSemanticDiagnostics(checkReference.file)));
    const completeReference = freshService(service, completion);
    completesFromScratch.push(
      millis(() => completeReference.service.getCompletionsAtPosition(completeReference.file, completion.length, {})),
    );
    completes.push(millis(() => service.complete(completion + " ".repeat(round % 2), completion.length)));
  }
  const row = (name: string, ours: number[], reference: number[]) => ({
    name,
    unit: "ms (median)",
    tsgrad: median(ours),
    reference: median(reference),
    ratio: median(reference) / median(ours),
  });
  return {
    title: "language service (30 earlier cells)",
    referenceName: "fresh program each time",
    rows: [
      row("check a 10-line cell", checks, checksFromScratch),
      row("complete after a dot", completes, completesFromScratch),
    ],
  };
}
