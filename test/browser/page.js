// Runs in the browser page of charts.test.ts (plain JavaScript: the tests' TypeScript has no
// DOM types). Embeds specs with vega-embed as JupyterLab does and reports what Vega drew.
window.views = {};

/** Embeds `spec` in a new div and lists the mark types that hold items (axes and legends aside). */
window.renderChart = async (name, spec) => {
  const div = document.createElement("div");
  div.id = name;
  document.body.appendChild(div);
  const result = await window.vegaEmbed(div, spec, { renderer: "svg", actions: false });
  window.views[name] = result.view;
  const found = new Set();
  const visit = (node) => {
    const role = node.role || "";
    if (node.marktype && node.items && node.items.length > 0 && !role.startsWith("axis") && !role.startsWith("legend"))
      found.add(node.marktype);
    for (const item of node.items || []) visit(item);
  };
  visit(result.view.scenegraph().root);
  return { marks: [...found], svg: div.querySelector("svg") !== null };
};

/** Line points drawn in chart `name` before and after moving its slider to `value`. */
window.moveSlider = async (name, value) => {
  const view = window.views[name];
  const linePoints = () => {
    let n = 0;
    const visit = (node) => {
      if (node.marktype === "line") n += (node.items || []).length;
      for (const item of node.items || []) visit(item);
    };
    visit(view.scenegraph().root);
    return n;
  };
  const input = document.querySelector(`#${name} input[type=range]`);
  const before = linePoints();
  input.value = String(value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
  await view.runAsync();
  return { before, after: linePoints() };
};

window.versions = () => [window.vega.version, window.vegaLite.version, window.vegaEmbed.version];
