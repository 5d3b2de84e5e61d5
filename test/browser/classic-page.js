// Runs in classic Notebook's page for classic-notebook.test.ts (plain JavaScript: the tests'
// TypeScript has no DOM types). Reads the notebook through `window.Jupyter`.

/** True once the notebook's kernel is connected and idle. */
window.tsgradKernelReady = () => {
  const kernel = window.Jupyter?.notebook?.kernel;
  return Boolean(kernel?.is_connected() && document.querySelector("#kernel_indicator_icon.kernel_idle_icon"));
};

/** Code cells queued or running (prompt "*"), and the PNGs visible in their outputs. */
window.tsgradWatch = () => {
  const live = [];
  let pending = 0;
  window.Jupyter.notebook.get_cells().forEach((cell, i) => {
    if (cell.cell_type !== "code" || cell.input_prompt_number !== "*") return;
    pending++;
    for (const img of cell.element[0].querySelectorAll(".output_area img")) {
      const box = img.getBoundingClientRect();
      if (img.src.startsWith("data:image/png") && img.complete && img.naturalWidth > 0 && box.width > 0)
        live.push({ cell: i, src: img.src, width: box.width });
    }
  });
  return { pending, busy: window.Jupyter.notebook.kernel_busy, live };
};

/** Every code cell's errors and stderr, and each cell's PNG sources. */
window.tsgradOutputs = () => {
  const errors = [];
  const stderr = [];
  const images = [];
  let cells = 0;
  window.Jupyter.notebook.get_cells().forEach((cell, i) => {
    images.push(
      [...cell.element[0].querySelectorAll(".output_area img")]
        .map((img) => img.src)
        .filter((src) => src.startsWith("data:image/png")),
    );
    if (cell.cell_type !== "code") return;
    cells++;
    if (typeof cell.input_prompt_number !== "number") errors.push(`cell ${i}: not run (${cell.input_prompt_number})`);
    for (const out of cell.output_area.outputs) {
      if (out.output_type === "error") errors.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
      if (out.output_type === "stream" && out.name === "stderr") stderr.push(`cell ${i}: ${out.text}`);
    }
  });
  return { cells, errors, stderr, images };
};

/** Shows cell `i` at the top of the window. */
window.tsgradScrollTo = (i) => document.querySelectorAll(".cell")[i]?.scrollIntoView();

/** Shuts the kernel down and forgets unsaved changes, so the next tutorial opens without a prompt. */
window.tsgradClose = () => {
  window.Jupyter.notebook.set_dirty(false);
  window.onbeforeunload = null;
  window.Jupyter.notebook.session.delete();
};
