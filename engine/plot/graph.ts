// The backprop picture: the autograd graph that produced a tensor, drawn left to right as the
// data flows — a box per leaf and per op with its name, shape, value (when small) and, after
// `backward()`, its gradient. Laid out in columns by depth (a simple layered layout: leaves
// just before their first use, rows ordered by the mean row of their inputs), so boxes never
// overlap. `loss.graph()` on any tensor; `backward({ retainGrads: true })` keeps the
// gradients of intermediate results too.
import { Tensor } from "../tensor.js";
import { Chart } from "./chart.js";
import { labelWidth } from "./render.js";
import { topLevel } from "./spec.js";

export interface GraphOptions {
  /** Names for leaves: `{ x, w, b }`, or a model (its `namedParameters()` name the weights). */
  names?: Record<string, Tensor> | { namedParameters(): [string, Tensor][] };
  title?: string;
  /** Refuse graphs larger than this (default 500 nodes: a picture past that is unreadable). */
  maxNodes?: number;
}

interface Node {
  id: number;
  tensor: Tensor;
  column: number;
  row: number;
  inputs: Node[];
  consumers: Node[];
}

const MIN_BOX_WIDTH = 100; // boxes widen to their longest line
const BOX_HEIGHT = 56; // four 12-px lines and a margin
const COLUMN_GAP = 30;
const ROW_GAP = 12;
const TEXT_TOP = 5;
const INPUT_SPACING = 12; // between the arrowheads of an op's inputs
const FONT_SIZE = 10;
// The legend's words are the boxes' own: a leaf without a name is called "input" or "parameter".
const KIND_COLORS = { parameter: "#fde9c9", input: "#e8e8e8", op: "#dbe8f6", output: "#f9d3d0" } as const;

/**
 * The autograd graph behind `root` as a chart. Example: `loss.backward(); loss.graph({ names: model })`
 */
export function graph(root: Tensor, options: GraphOptions = {}): Chart {
  const nodes = collect(root, options.maxNodes ?? 500);
  layout(nodes);
  const names = leafNames(options.names);
  const texts = nodes.map((n) => {
    const name = n.tensor.node ? n.tensor.op : (names.get(n.tensor) ?? (n.tensor.requiresGrad ? "parameter" : "input"));
    return {
      name,
      lines: [
        name,
        shapeText(n.tensor),
        valueLine("", n.tensor),
        n.tensor.grad ? valueLine("grad ", n.tensor.grad) : "",
      ].filter(Boolean),
    };
  });
  const boxWidth = Math.ceil(
    Math.max(MIN_BOX_WIDTH, ...texts.flatMap((t) => t.lines.map((line) => labelWidth(line, FONT_SIZE) + 12))),
  );
  const boxes = nodes.map((n, i) => {
    const { name, lines } = texts[i]!;
    const x = n.column * (boxWidth + COLUMN_GAP);
    const y = n.row * (BOX_HEIGHT + ROW_GAP);
    const kind = n.tensor === root ? "output" : n.tensor.node ? "op" : n.tensor.requiresGrad ? "parameter" : "input";
    return {
      id: n.id,
      x,
      x2: x + boxWidth,
      y,
      y2: y + BOX_HEIGHT,
      cx: x + boxWidth / 2,
      cy: y + BOX_HEIGHT / 2,
      ty: y + TEXT_TOP,
      kind,
      label: lines.join("\n"),
      name,
      shape: shapeText(n.tensor),
      value: valueLine("", n.tensor, 8),
      grad: n.tensor.grad ? valueLine("", n.tensor.grad, 8) : "(none)",
    };
  });
  const byId = new Map(boxes.map((b) => [b.id, b]));
  // An op's arrows end spread down its left side, one per input in order, so two inputs (and
  // `w.mul(w)`'s one input used twice) show as two arrows, not one drawn over the other.
  const edges = nodes.flatMap((n) =>
    n.inputs.map((input, i) => {
      const from = byId.get(input.id)!;
      const to = byId.get(n.id)!;
      const spacing = Math.min(INPUT_SPACING, (BOX_HEIGHT - 16) / Math.max(1, n.inputs.length - 1));
      return { x: from.x2, y: from.cy, x2: to.x - 5, y2: to.cy + (i - (n.inputs.length - 1) / 2) * spacing };
    }),
  );
  const columns = Math.max(...nodes.map((n) => n.column)) + 1;
  const rows = Math.max(...nodes.map((n) => n.row)) + 1;
  const width = columns * boxWidth + (columns - 1) * COLUMN_GAP;
  const height = rows * BOX_HEIGHT + (rows - 1) * ROW_GAP;
  const pixels = (field: string) => ({ field, type: "quantitative", scale: null, axis: null });
  return new Chart(
    topLevel(
      {
        width,
        height,
        config: { view: { stroke: null } },
        layer: [
          {
            data: { values: edges },
            mark: { type: "rule", color: "#888", strokeWidth: 1.2 },
            encoding: { x: pixels("x"), y: pixels("y"), x2: { field: "x2" }, y2: { field: "y2" } },
          },
          {
            data: { values: edges },
            mark: { type: "point", shape: "triangle-right", filled: true, size: 40, color: "#888", opacity: 1 },
            encoding: { x: pixels("x2"), y: pixels("y2") },
          },
          {
            data: { values: boxes },
            layer: [
              {
                mark: { type: "rect", cornerRadius: 5, stroke: "#666", strokeWidth: 0.8, tooltip: true },
                encoding: {
                  x: pixels("x"),
                  x2: { field: "x2" },
                  y: pixels("y"),
                  y2: { field: "y2" },
                  color: {
                    field: "kind",
                    type: "nominal",
                    title: null,
                    scale: { domain: Object.keys(KIND_COLORS), range: Object.values(KIND_COLORS) },
                    legend: { orient: "bottom", direction: "horizontal", symbolStrokeColor: "#666" },
                  },
                  tooltip: [{ field: "name" }, { field: "shape" }, { field: "value" }, { field: "grad" }],
                },
              },
              {
                // Lines run down from the top of the box (Vega centres only the first line on "middle").
                mark: {
                  type: "text",
                  lineBreak: "\n",
                  fontSize: FONT_SIZE,
                  lineHeight: 12,
                  baseline: "top",
                  align: "center",
                },
                encoding: { x: pixels("cx"), y: pixels("ty"), text: { field: "label" } },
              },
            ],
          },
        ],
      },
      { title: options.title ?? `Autograd graph (${nodes.length} tensors)` },
      false,
    ),
  );
}

/** Every tensor `root` was computed from, inputs before outputs (iterative: deep graphs must not overflow). */
function collect(root: Tensor, maxNodes: number): Node[] {
  const nodes = new Map<Tensor, Node>();
  const order: Node[] = [];
  const stack: [Tensor, number][] = [[root, 0]];
  const onStack = new Set<Tensor>([root]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, next] = top;
    if (next < t.inputs.length) {
      top[1]++;
      const input = t.inputs[next]!;
      if (!nodes.has(input) && !onStack.has(input)) {
        onStack.add(input);
        stack.push([input, 0]);
      }
      continue;
    }
    stack.pop();
    const node: Node = {
      id: order.length,
      tensor: t,
      column: 0,
      row: 0,
      inputs: t.inputs.map((i) => nodes.get(i)!),
      consumers: [],
    };
    for (const input of node.inputs) input.consumers.push(node);
    nodes.set(t, node);
    order.push(node);
    if (order.length > maxNodes) {
      throw new Error(
        `graph(): more than ${maxNodes} tensors; draw a smaller piece (e.g. one layer's output) or pass { maxNodes }`,
      );
    }
  }
  return order;
}

/** Columns by depth, leaves just left of their first consumer; rows by the barycentre of inputs. */
function layout(nodes: Node[]): void {
  for (const n of nodes) n.column = n.inputs.length === 0 ? 0 : Math.max(...n.inputs.map((i) => i.column)) + 1;
  for (const n of nodes) {
    if (n.inputs.length === 0 && n.consumers.length > 0) n.column = Math.min(...n.consumers.map((c) => c.column)) - 1;
  }
  const columns: Node[][] = [];
  for (const n of nodes) (columns[n.column] ??= []).push(n);
  // Two sweeps of the barycentre heuristic: order each column by its neighbours' mean row.
  const place = (column: Node[] | undefined) =>
    column?.forEach((n, i) => {
      n.row = i;
    });
  columns.forEach(place);
  for (let sweep = 0; sweep < 2; sweep++) {
    for (const column of columns) {
      if (!column) continue;
      column.sort((a, b) => barycentre(a, "inputs") - barycentre(b, "inputs"));
      place(column);
    }
    for (let c = columns.length - 1; c >= 0; c--) {
      const column = columns[c];
      if (!column) continue;
      column.sort((a, b) => barycentre(a, "consumers") - barycentre(b, "consumers"));
      place(column);
    }
  }
  // Centre short columns against the tallest.
  const tallest = Math.max(...columns.map((c) => c?.length ?? 0));
  for (const column of columns) {
    if (!column) continue;
    const offset = Math.floor((tallest - column.length) / 2);
    for (const n of column) n.row += offset;
  }
}

function barycentre(n: Node, side: "inputs" | "consumers"): number {
  const neighbours = n[side];
  if (neighbours.length === 0) return n.row;
  return neighbours.reduce((s, m) => s + m.row, 0) / neighbours.length;
}

function leafNames(names: GraphOptions["names"]): Map<Tensor, string> {
  const map = new Map<Tensor, string>();
  if (!names) return map;
  const entries =
    typeof (names as { namedParameters?: unknown }).namedParameters === "function"
      ? (names as { namedParameters(): [string, Tensor][] }).namedParameters()
      : Object.entries(names as Record<string, Tensor>);
  for (const [name, t] of entries) if (t instanceof Tensor) map.set(t, name);
  return map;
}

function shapeText(t: Tensor): string {
  return t.shape.length === 0 ? "scalar" : `[${t.shape.join(", ")}]`;
}

/** `0.4123`, `[0.1, -0.2]` for up to `limit` elements, else the mean and the (L2) norm. */
function valueLine(prefix: string, t: Tensor, limit = 3): string {
  if (t.numel() === 0) return "";
  if (t.numel() <= limit)
    return `${prefix}${t.numel() === 1 ? number(t.data[0]!) : `[${Array.from(t.data, number).join(", ")}]`}`;
  let sum = 0;
  let sumSquares = 0;
  for (const v of t.data) {
    sum += v;
    sumSquares += v * v;
  }
  return `${prefix}mean ${number(sum / t.numel())}, norm ${number(Math.sqrt(sumSquares))}`;
}

function number(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : Number(v.toPrecision(3)).toString();
}

declare module "../tensor.js" {
  interface Tensor {
    /** The autograd graph that produced this tensor, as a chart. Example: `loss.backward(); loss.graph()` */
    graph(options?: GraphOptions): Chart;
  }
}

Tensor.prototype.graph = function (this: Tensor, options?: GraphOptions): Chart {
  return graph(this, options);
};
