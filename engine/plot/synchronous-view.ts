// Runs a headless Vega view's dataflow to the end on the caller's stack, leaving nothing queued.
//
// `view.run()` evaluates the dataflow synchronously, but through async functions: View's
// `evaluate` awaits the dataflow's, which awaits each callback queued with `runAfter` (the
// autosize step is one). Each await leaves a promise job that holds the whole view — its
// dataflow, its data, its scenegraph — until the thread's microtasks run, and a cell's
// synchronous training loop never lets them: a live chart rendered 4 times a second kept every
// view it rendered (200 renders: +300 MiB resident, ~1.5 MiB each). Here the view's own
// `evaluate` is the dataflow's (View's adds only drawing through a renderer, and a headless view
// has none), and callbacks queued during a pulse run right after it, in Vega's order, so no
// await is ever reached and the view is garbage once the caller drops it.
import type * as VegaModule from "vega";

interface QueuedCallback {
  callback: (view: VegaModule.View) => void;
  priority: number;
}

// The parts of Vega's Dataflow used here that its type declarations leave out.
interface DataflowInternals {
  _pulse: unknown;
  evaluate(encode?: string, prerun?: unknown, postrun?: unknown): Promise<unknown>;
  runAfter(callback: (view: VegaModule.View) => void, enqueue?: boolean, priority?: number): void;
}

/** Evaluates `view` now, with every follow-up pulse (autosize's re-run), and returns it. Example: `runSynchronously(vega, view).scenegraph()` */
export function runSynchronously(vega: typeof VegaModule, view: VegaModule.View): VegaModule.View {
  const internals = view as unknown as DataflowInternals;
  const { Dataflow } = vega as unknown as { Dataflow: { prototype: DataflowInternals } };
  const dataflowEvaluate = Dataflow.prototype.evaluate;
  const queued: QueuedCallback[] = [];
  internals.evaluate = (encode, prerun, postrun) => dataflowEvaluate.call(view, encode, prerun, postrun);
  internals.runAfter = (callback, enqueue, priority) => {
    if (internals._pulse || enqueue) queued.push({ callback, priority: priority ?? 0 });
    else callback(view);
  };
  view.run();
  while (queued.length > 0) {
    // As the dataflow does after a pulse: highest priority first, then in the order queued.
    const batch = queued.splice(0).sort((a, b) => b.priority - a.priority);
    for (const { callback } of batch) callback(view);
  }
  return view;
}
