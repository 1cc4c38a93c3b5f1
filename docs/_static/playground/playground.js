/*
 * The playground page: reads its controls, computes with window.rnnPlayground (rnn.js) and
 * draws the views as SVG. Every number drawn comes from rnnPlayground.gateValues and
 * rnnPlayground.gradientNorms, which the book's tests compare with the Python package.
 *
 * For the tests and the benchmark, rnnPlayground.view holds what was drawn last (the settings,
 * the weights, the states, the gates and the norms), a revision counter and the time each
 * redraw took.
 */
(function () {
  "use strict";

  const api = window.rnnPlayground;
  const root = document.getElementById("rnn-playground");
  if (!api || !root) return;

  const SVG_NS = "http://www.w3.org/2000/svg";
  const byId = (id) => document.getElementById(id);
  const sliders = {
    rho: byId("pg-rho"),
    units: byId("pg-units"),
    steps: byId("pg-steps"),
    inputScale: byId("pg-input-scale"),
    biasScale: byId("pg-bias-scale"),
    forgetBias: byId("pg-forget-bias"),
    updateBias: byId("pg-update-bias"),
    unit: byId("pg-unit"),
    step: byId("pg-step"),
  };
  const seedInput = byId("pg-seed");
  const cellSelect = byId("pg-cell");
  const svgs = {
    heatmap: byId("pg-heatmap"),
    trajectory: byId("pg-trajectory"),
    gates: byId("pg-gates"),
    jacobian: byId("pg-jacobian"),
    connectivity: byId("pg-connectivity"),
  };
  // the page's cell choices, as rnn.js's cell and resetAfter
  const CELL_CHOICES = {
    simple_rnn: { cell: "simple_rnn", resetAfter: true, name: "SimpleRNN" },
    gru: { cell: "gru", resetAfter: true, name: "GRU (reset after)" },
    gru_before: { cell: "gru", resetAfter: false, name: "GRU (reset before)" },
    lstm: { cell: "lstm", resetAfter: true, name: "LSTM" },
  };
  // the gates drawn for the chosen unit, with their names in the legend
  const GATES = {
    gru: [
      ["z", "update gate z"],
      ["r", "reset gate r"],
    ],
    lstm: [
      ["i", "input gate i"],
      ["f", "forget gate f"],
      ["o", "output gate o"],
    ],
  };

  // The plots share their horizontal layout, so that step t is at the same x in all three.
  const LEFT = 64;
  const RIGHT = 640;
  const HEATMAP = { top: 8, bottom: 196 };
  const TRAJECTORY = { top: 10, bottom: 152 };
  const JACOBIAN = { top: 10, bottom: 212 };
  const GATE_BOX = { top: 10, bottom: 152 };
  const CONNECTIVITY = { top: 10, bottom: 212 };

  const view = {
    revision: 0,
    timings: [], // {kind, ms}: the time each redraw took (compute + SVG), newest last
    settings: null,
    model: null,
    outputs: null, // (time, units) of the one sequence: a⟨t⟩ or h⟨t⟩
    gates: null, // the gated cells' gateValues of the one sequence, each (time, units)
    norms: null, // ‖∂s⟨T⟩/∂s⟨t⟩‖₂ for t = 0 … T − 1
    inputNorms: null, // ‖∂y⟨T⟩/∂x⟨t⟩‖₂ for t = 1 … T
    recurrentNorm: null, // ‖W_aa‖₂
    unit: 1,
    step: 5,
  };
  api.view = view;

  // -- formatting ------------------------------------------------------------------------
  const SUPERSCRIPTS = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
  const superscript = (n) => String(n).replace(/[-0-9]/g, (c) => SUPERSCRIPTS[c]);
  const minus = (text) => text.replace(/^-/, "−");

  /** A number for reading: 4 significant digits, × 10ⁿ outside [10⁻³, 10⁴). */
  function format(value, digits = 4) {
    if (value === 0) return "0";
    if (!Number.isFinite(value)) return String(value);
    const magnitude = Math.abs(value);
    if (magnitude >= 1e-3 && magnitude < 1e4) return minus(value.toPrecision(digits));
    const [mantissa, exponent] = value.toExponential(digits - 1).split("e");
    return `${minus(mantissa)} × 10${superscript(Number(exponent))}`;
  }
  const powerOfTen = (exponent) => (exponent === 0 ? "1" : `10${superscript(exponent)}`);

  /** About `count` round tick values covering [low, high]. */
  function ticks(low, high, count) {
    const span = high - low || 1;
    const raw = span / count;
    const base = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * base).find((s) => s >= raw);
    const values = [];
    for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) {
      values.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return values;
  }

  // -- SVG helpers -----------------------------------------------------------------------
  function element(tag, attributes, parent, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  const clear = (svg) => svg.replaceChildren();
  const path = (points) =>
    points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${x.toFixed(2)},${y.toFixed(2)}`).join("");

  /** The x coordinate of step t, for steps −½ … T + ½ over the plots' width. */
  function xOf(t, steps) {
    return LEFT + ((t + 0.5) / (steps + 1)) * (RIGHT - LEFT);
  }

  function stepAxis(svg, steps, bottom, title) {
    const g = element("g", { class: "pg-axis" }, svg);
    element("line", { x1: LEFT, x2: RIGHT, y1: bottom, y2: bottom }, g);
    for (const t of ticks(0, steps, 8)) {
      const x = xOf(t, steps);
      element("line", { x1: x, x2: x, y1: bottom, y2: bottom + 5 }, g);
      element("text", { x, y: bottom + 19, "text-anchor": "middle" }, g, String(t));
    }
    element("text", { x: (LEFT + RIGHT) / 2, y: bottom + 38, "text-anchor": "middle" }, g, title);
  }

  function stepMarker(svg, steps, top, bottom) {
    const x = xOf(view.step, steps);
    element("line", { class: "pg-marker", x1: x, x2: x, y1: top, y2: bottom }, svg);
  }

  /** The step (and, for the heatmap, the unit) under a pointer event. */
  function pointerTarget(svg, event, steps, units, box) {
    const point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const local = point.matrixTransform(svg.getScreenCTM().inverse());
    const t = Math.round(((local.x - LEFT) / (RIGHT - LEFT)) * (steps + 1) - 0.5);
    const unit = Math.floor(((local.y - box.top) / (box.bottom - box.top)) * units) + 1;
    return {
      step: Math.min(Math.max(t, 1), steps),
      unit: Math.min(Math.max(unit, 1), units),
    };
  }

  // -- colours, from the page's CSS so that they follow light and dark mode ----------------
  function themeColours() {
    const probe = document.createElement("span");
    probe.hidden = true;
    root.appendChild(probe);
    const read = (variable) => {
      probe.style.color = `var(${variable})`;
      const match = getComputedStyle(probe).color.match(/[\d.]+/g);
      return match.slice(0, 3).map(Number);
    };
    const colours = {
      negative: read("--pg-negative"),
      zero: read("--pg-zero"),
      positive: read("--pg-positive"),
    };
    probe.remove();
    return colours;
  }

  /** The diverging scale: −limit → negative colour, 0 → the page's background, +limit → positive. */
  function colourOf(value, limit, colours) {
    const u = Math.max(-1, Math.min(1, value / limit));
    const end = u < 0 ? colours.negative : colours.positive;
    const w = Math.abs(u);
    return colours.zero.map((c, i) => Math.round(c + (end[i] - c) * w));
  }

  // -- reading the controls --------------------------------------------------------------
  const checked = (name) => root.querySelector(`input[name="${name}"]:checked`).value;

  /**
   * The seed in the box, or null when the box holds anything but a whole number from 0 to
   * 9999 ("5e2", "1.5", "-5", "99999999" and "" are refused, not rounded or clipped).
   */
  function typedSeed() {
    const text = seedInput.value.trim();
    if (seedInput.validity.badInput || !/^[0-9]{1,4}$/.test(text)) return null;
    return Number(text);
  }

  function readSettings() {
    let seed = typedSeed();
    const refused = seed === null;
    if (refused) seed = view.settings ? view.settings.seed : api.DEFAULTS.seed;
    const message = byId("pg-seed-message");
    seedInput.setAttribute("aria-invalid", String(refused));
    message.classList.toggle("pg-refused", refused);
    message.textContent = refused
      ? `Not a seed: a whole number from 0 to 9999, please. Still seed ${seed}.`
      : "A whole number from 0 to 9999.";
    const choice = CELL_CHOICES[cellSelect.value];
    return {
      cell: choice.cell,
      resetAfter: choice.resetAfter,
      rho: Number(sliders.rho.value),
      matrix: checked("pg-matrix"),
      activation: checked("pg-activation"),
      units: Number(sliders.units.value),
      steps: Number(sliders.steps.value),
      pattern: checked("pg-pattern"),
      inputScale: Number(sliders.inputScale.value),
      biasScale: Number(sliders.biasScale.value),
      forgetBias: Number(sliders.forgetBias.value),
      updateBias: Number(sliders.updateBias.value),
      seed,
    };
  }

  function showValues(settings) {
    byId("pg-rho-value").textContent = settings.rho.toFixed(2);
    byId("pg-units-value").textContent = String(settings.units);
    byId("pg-steps-value").textContent = String(settings.steps);
    byId("pg-seed-value").textContent = String(settings.seed);
    byId("pg-input-scale-value").textContent = settings.inputScale.toFixed(2);
    byId("pg-bias-scale-value").textContent = settings.biasScale.toFixed(2);
    byId("pg-forget-bias-value").textContent = settings.forgetBias.toFixed(1);
    byId("pg-update-bias-value").textContent = settings.updateBias.toFixed(1);
    sliders.unit.max = String(settings.units);
    sliders.step.max = String(settings.steps);
    view.unit = Math.min(Number(sliders.unit.value), settings.units);
    view.step = Math.min(Number(sliders.step.value), settings.steps);
    sliders.unit.value = String(view.unit);
    sliders.step.value = String(view.step);
    byId("pg-unit-value").textContent = String(view.unit);
    byId("pg-step-value").textContent = String(view.step);
    // what applies to the chosen cell (a disabled control keeps its label and value)
    const simple = settings.cell === "simple_rnn";
    for (const radio of root.querySelectorAll('input[name="pg-matrix"]')) radio.disabled = !simple;
    sliders.forgetBias.disabled = settings.cell !== "lstm";
    sliders.updateBias.disabled = settings.cell !== "gru";
    for (const node of root.querySelectorAll(".pg-state-name")) node.textContent = simple ? "a" : "h";
    for (const node of root.querySelectorAll(".pg-whole-state")) node.textContent = simple ? "a" : "s";
    for (const node of document.querySelectorAll(".pg-lstm-only")) node.hidden = settings.cell !== "lstm";
    for (const node of root.querySelectorAll(".pg-simple-only")) node.hidden = !simple;
    byId("pg-gates-view").hidden = simple;
  }

  // -- computing -------------------------------------------------------------------------
  function compute(settings) {
    const model = api.makeModel(settings);
    const args = [model.inputs, model.kernel, model.recurrentKernel, model.bias, model.options];
    view.settings = model.settings;
    view.model = model;
    const values = api.gateValues(...args);
    if (settings.cell === "simple_rnn") {
      view.outputs = values.a[0];
      view.gates = null;
    } else {
      view.outputs = values.h[0];
      view.gates = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v[0]]));
    }
    const norms = api.gradientNorms(...args);
    view.norms = norms.state[0];
    view.inputNorms = norms.input[0];
    // ‖W_aa‖₂ is the Jacobian of one linear step: ∂a⟨1⟩/∂a⟨0⟩ = W_aa
    view.recurrentNorm = null;
    if (settings.cell === "simple_rnn") {
      const zeros = [[new Array(api.FEATURES).fill(0)]];
      view.recurrentNorm = api.jacobianNorms(zeros, model.kernel, model.recurrentKernel, null, {
        activation: "linear",
      })[0][0];
    }
  }

  // -- drawing ---------------------------------------------------------------------------
  function boundedActivation(activation) {
    return activation === "tanh" || activation === "sigmoid";
  }

  function drawHeatmap(colours) {
    const svg = svgs.heatmap;
    const { steps, units, activation } = view.settings;
    const { top, bottom } = HEATMAP;
    clear(svg);
    let largest = 0;
    let smallest = Infinity;
    let biggest = -Infinity;
    for (const row of view.outputs) {
      for (const value of row) {
        largest = Math.max(largest, Math.abs(value));
        smallest = Math.min(smallest, value);
        biggest = Math.max(biggest, value);
      }
    }
    const limit = boundedActivation(activation) ? 1 : largest || 1;

    // one pixel per (step, unit), stretched over the plot
    const canvas = document.createElement("canvas");
    canvas.width = steps;
    canvas.height = units;
    const context = canvas.getContext("2d");
    const image = context.createImageData(steps, units);
    for (let t = 0; t < steps; t++) {
      const row = view.outputs[t];
      for (let j = 0; j < units; j++) {
        const [r, g, b] = colourOf(row[j], limit, colours);
        const offset = (j * steps + t) * 4;
        image.data[offset] = r;
        image.data[offset + 1] = g;
        image.data[offset + 2] = b;
        image.data[offset + 3] = 255;
      }
    }
    context.putImageData(image, 0, 0);
    const x0 = xOf(0.5, steps);
    const x1 = xOf(steps + 0.5, steps);
    element(
      "image",
      {
        href: canvas.toDataURL(),
        x: x0,
        y: top,
        width: x1 - x0,
        height: bottom - top,
        preserveAspectRatio: "none",
        class: "pg-pixels",
      },
      svg,
    );
    element("rect", { class: "pg-frame", x: x0, y: top, width: x1 - x0, height: bottom - top }, svg);
    const rowHeight = (bottom - top) / units;
    element(
      "rect",
      {
        class: "pg-selected-unit",
        x: x0,
        y: top + (view.unit - 1) * rowHeight,
        width: x1 - x0,
        height: rowHeight,
      },
      svg,
    );
    stepMarker(svg, steps, top, bottom);

    const axis = element("g", { class: "pg-axis" }, svg);
    element("text", { x: LEFT - 8, y: top + 10, "text-anchor": "end" }, axis, "1");
    element("text", { x: LEFT - 8, y: bottom, "text-anchor": "end" }, axis, String(units));
    element(
      "text",
      { x: 16, y: (top + bottom) / 2, "text-anchor": "middle", transform: `rotate(-90 16 ${(top + bottom) / 2})` },
      axis,
      "unit j",
    );
    stepAxis(svg, steps, bottom, "step t");

    // the colour bar
    const barX = 664;
    const gradient = element("linearGradient", { id: "pg-colour-bar", x1: 0, x2: 0, y1: 0, y2: 1 }, element("defs", {}, svg));
    for (const [offset, u] of [[0, 1], [0.5, 0], [1, -1]]) {
      const [r, g, b] = colourOf(u, 1, colours);
      element("stop", { offset, "stop-color": `rgb(${r},${g},${b})` }, gradient);
    }
    element("rect", { x: barX, y: top, width: 12, height: bottom - top, fill: "url(#pg-colour-bar)", class: "pg-frame-fill" }, svg);
    const labels = element("g", { class: "pg-axis" }, svg);
    element("text", { x: barX + 16, y: top + 10 }, labels, format(limit, 3));
    element("text", { x: barX + 16, y: (top + bottom) / 2 + 4 }, labels, "0");
    element("text", { x: barX + 16, y: bottom }, labels, format(-limit, 3));

    svg.setAttribute(
      "aria-label",
      `Heatmap of the states of ${units} units over ${steps} steps, from ${format(smallest)} to ` +
        `${format(biggest)}; colour scale from ${format(-limit, 3)} to ${format(limit, 3)}. ` +
        `Chosen unit ${view.unit}, chosen step ${view.step}.`,
    );
  }

  function drawTrajectory() {
    const svg = svgs.trajectory;
    const { steps, activation, cell } = view.settings;
    const { top, bottom } = TRAJECTORY;
    clear(svg);
    const j = view.unit - 1;
    const values = [0, ...view.outputs.map((row) => row[j])]; // s⟨0⟩ = 0, then s⟨1⟩ … s⟨T⟩
    const cells = cell === "lstm" ? [0, ...view.gates.c.map((row) => row[j])] : [];
    let low = Math.min(0, ...values, ...cells);
    let high = Math.max(0, ...values, ...cells);
    if (cell !== "lstm" && activation === "tanh") [low, high] = [-1, 1];
    if (cell !== "lstm" && activation === "sigmoid") [low, high] = [0, 1];
    if (high - low === 0) [low, high] = [-1, 1];
    const yOf = (v) => bottom - ((v - low) / (high - low)) * (bottom - top);
    const name = cell === "simple_rnn" ? "a" : "h";

    const axis = element("g", { class: "pg-axis" }, svg);
    for (const v of ticks(low, high, 4)) {
      const y = yOf(v);
      element("line", { class: "pg-grid", x1: LEFT, x2: RIGHT, y1: y, y2: y }, axis);
      element("text", { x: LEFT - 8, y: y + 4, "text-anchor": "end" }, axis, format(v, 3));
    }
    element(
      "text",
      { x: 16, y: (top + bottom) / 2, "text-anchor": "middle", transform: `rotate(-90 16 ${(top + bottom) / 2})` },
      axis,
      cell === "lstm" ? `unit ${view.unit}: h, c` : `unit ${view.unit}: ${name}${"\u2C7C"}⟨t⟩`,
    );
    stepAxis(svg, steps, bottom, "step t");
    element("line", { class: "pg-zero", x1: LEFT, x2: RIGHT, y1: yOf(0), y2: yOf(0) }, svg);
    stepMarker(svg, steps, top, bottom);
    if (cells.length) {
      element("path", { class: "pg-line-cell", d: path(cells.map((v, t) => [xOf(t, steps), yOf(v)])) }, svg);
    }
    element("path", { class: "pg-line", d: path(values.map((v, t) => [xOf(t, steps), yOf(v)])) }, svg);
    const chosen = values[view.step];
    element("circle", { class: "pg-point", cx: xOf(view.step, steps), cy: yOf(chosen), r: 4 }, svg);
    let label =
      `Trajectory of unit ${view.unit} over ${steps} steps, from ${format(Math.min(...values))} to ` +
      `${format(Math.max(...values))}; at the chosen step ${view.step}: ${format(chosen)}.`;
    if (cells.length) {
      label +=
        ` Its cell state goes from ${format(Math.min(...cells))} to ${format(Math.max(...cells))};` +
        ` at the chosen step: ${format(cells[view.step])}.`;
    }
    svg.setAttribute("aria-label", label);
  }

  function drawGates() {
    const svg = svgs.gates;
    clear(svg);
    if (view.settings.cell === "simple_rnn") return;
    const { steps, cell } = view.settings;
    const { top, bottom } = GATE_BOX;
    const j = view.unit - 1;
    const gates = GATES[cell].map(([key, name], index) => ({
      key,
      name,
      index,
      values: view.gates[key].map((row) => row[j]), // steps 1 … T
    }));
    let low = 0;
    let high = 1;
    for (const gate of gates) {
      low = Math.min(low, ...gate.values);
      high = Math.max(high, ...gate.values);
    }
    const yOf = (v) => bottom - ((v - low) / (high - low)) * (bottom - top);
    const axis = element("g", { class: "pg-axis" }, svg);
    for (const v of ticks(low, high, 2)) {
      const y = yOf(v);
      element("line", { class: "pg-grid", x1: LEFT, x2: RIGHT, y1: y, y2: y }, axis);
      element("text", { x: LEFT - 8, y: y + 4, "text-anchor": "end" }, axis, minus(String(Number(v.toFixed(3)))));
    }
    element(
      "text",
      { x: 16, y: (top + bottom) / 2, "text-anchor": "middle", transform: `rotate(-90 16 ${(top + bottom) / 2})` },
      axis,
      `gates, unit ${view.unit}`,
    );
    stepAxis(svg, steps, bottom, "step t");
    stepMarker(svg, steps, top, bottom);
    const legend = element("g", { class: "pg-axis" }, svg);
    const parts = [];
    for (const gate of gates) {
      const points = gate.values.map((v, t) => [xOf(t + 1, steps), yOf(v)]);
      element("path", { class: `pg-gate pg-gate-${gate.index}`, "data-gate": gate.key, d: path(points) }, svg);
      const y = top + 14 + 18 * gate.index;
      element("line", { class: `pg-gate pg-gate-${gate.index}`, x1: 652, x2: 676, y1: y - 4, y2: y - 4 }, svg);
      element("text", { x: 680, y }, legend, gate.key);
      parts.push(`${gate.name} from ${format(Math.min(...gate.values))} to ${format(Math.max(...gate.values))}` +
        `, ${format(gate.values[view.step - 1])} at step ${view.step}`);
    }
    svg.setAttribute("aria-label", `Gates of unit ${view.unit} over ${steps} steps: ${parts.join("; ")}.`);
    const key = byId("pg-gates-key");
    key.replaceChildren();
    gates.forEach((gate, i) => {
      if (i > 0) key.append(", ");
      const sample = document.createElement("span");
      sample.className = `pg-key pg-key-gate-${gate.index}`;
      sample.setAttribute("aria-hidden", "true");
      key.append(sample, ` the ${gate.name}`);
    });
  }

  /** A logarithmic plot of positive series against t (a zero or infinite value breaks a curve). */
  function logPlot(svg, box, series, title, firstStep) {
    const { steps } = view.settings;
    const { top, bottom } = box;
    clear(svg);
    const positive = series.flatMap((s) => s.values).filter((v) => v > 0 && Number.isFinite(v));
    if (positive.length === 0) positive.push(1);
    let low = Math.floor(Math.log10(Math.min(...positive)));
    let high = Math.ceil(Math.log10(Math.max(...positive)));
    if (high - low < 2) [low, high] = [low - 1, high + 1];
    const yOf = (v) => bottom - ((Math.log10(v) - low) / (high - low)) * (bottom - top);
    const axis = element("g", { class: "pg-axis" }, svg);
    const every = Math.ceil((high - low) / 6);
    for (let e = Math.ceil(low / every) * every; e <= high; e += every) {
      const y = yOf(10 ** e);
      element("line", { class: "pg-grid", x1: LEFT, x2: RIGHT, y1: y, y2: y }, axis);
      element("text", { x: LEFT - 8, y: y + 4, "text-anchor": "end" }, axis, powerOfTen(e));
    }
    element(
      "text",
      { x: 16, y: (top + bottom) / 2, "text-anchor": "middle", transform: `rotate(-90 16 ${(top + bottom) / 2})` },
      axis,
      title,
    );
    stepAxis(svg, steps, bottom, "step t");
    stepMarker(svg, steps, top, bottom);
    for (const { values, cls } of series) {
      // a curve in pieces: a zero norm (every relu unit off) has no logarithm
      let points = [];
      const pieces = [];
      values.forEach((v, i) => {
        if (v > 0 && Number.isFinite(v)) points.push([xOf(i + firstStep, steps), yOf(v)]);
        else if (points.length) pieces.push(points), (points = []);
      });
      if (points.length) pieces.push(points);
      for (const piece of pieces) element("path", { class: cls, d: path(piece) }, svg);
    }
  }

  function drawJacobian() {
    const { steps, rho, activation, cell } = view.settings;
    const simple = cell === "simple_rnn";
    const reference = simple ? view.norms.map((_, t) => rho ** (steps - t)) : [];
    const showBound = simple && view.model.shear !== null && activation === "linear";
    const bound = showBound ? reference.map((r) => r * view.model.shear.condition) : [];
    byId("pg-bound-key").hidden = !showBound;
    const series = [{ values: view.norms, cls: "pg-line" }];
    // the reference on top: dashes stay visible where the two coincide
    if (simple) series.push({ values: reference, cls: "pg-reference" });
    if (showBound) series.push({ values: bound, cls: "pg-bound" });
    const s = simple ? "a" : "s";
    logPlot(svgs.jacobian, JACOBIAN, series, `‖∂${s}⟨T⟩/∂${s}⟨t⟩‖₂`, 0);
    let label =
      `Logarithmic plot of the Jacobian norm against t: ${format(view.norms[0])} at t = 0, ` +
      `${format(view.norms[steps - 1])} at t = ${steps - 1}`;
    if (simple) {
      label += `; the reference line ρ^(T−t) goes from ${format(reference[0])} to ${format(reference[steps - 1])}`;
    }
    svgs.jacobian.setAttribute("aria-label", `${label}.`);
  }

  function drawConnectivity() {
    const { steps } = view.settings;
    const norms = view.inputNorms;
    logPlot(svgs.connectivity, CONNECTIVITY, [{ values: norms, cls: "pg-line" }], "‖∂y⟨T⟩/∂x⟨t⟩‖₂", 1);
    svgs.connectivity.setAttribute(
      "aria-label",
      `Logarithmic plot of the connectivity ‖∂y⟨T⟩/∂x⟨t⟩‖₂ against t: ${format(norms[0])} at t = 1, ` +
        `${format(norms[steps - 1])} at t = ${steps}; at the chosen step ${view.step}: ` +
        `${format(norms[view.step - 1])}.`,
    );
  }

  function drawMath() {
    const { activation, cell } = view.settings;
    const simple = cell === "simple_rnn";
    byId("pg-gated-note").hidden = simple;
    byId("pg-equation").hidden = !simple;
    byId("pg-terms").closest(".pg-scroll").hidden = !simple;
    if (!simple) return;
    const model = view.model;
    const t = view.step;
    const j = view.unit - 1;
    const x = model.inputs[0][t - 1]; // x⟨t⟩
    const previous = t === 1 ? new Array(view.settings.units).fill(0) : view.outputs[t - 2]; // a⟨t−1⟩
    // (eq-simple-rnn-step) for unit j, in the package's (Keras') order of sums
    let input = 0;
    for (let f = 0; f < x.length; f++) input += x[f] * model.kernel[f][j];
    let recurrent = 0;
    for (let i = 0; i < previous.length; i++) recurrent += previous[i] * model.recurrentKernel[i][j];
    const bias = model.bias[j];
    const z = input + bias + recurrent;
    const state = view.outputs[t - 1][j]; // a⟨t⟩ as simpleRnn computed it
    const cells = {
      "pg-term-input": input,
      "pg-term-bias": bias,
      "pg-term-recurrent": recurrent,
      "pg-term-z": z,
      "pg-term-state": state,
    };
    for (const [id, value] of Object.entries(cells)) {
      const cell = byId(id);
      cell.textContent = format(value, 6);
      cell.dataset.value = String(value);
    }
    const sub = String(view.unit);
    const term = (v) => (v < 0 ? `(${format(v, 6)})` : format(v, 6));
    byId("pg-equation").textContent =
      `a${subscript(sub)}⟨${t}⟩ = ${activation}(${term(recurrent)} + ${term(input)} + ${term(bias)})` +
      ` = ${activation}(${format(z, 6)}) = ${format(state, 6)}`;
    byId("pg-terms-caption").textContent =
      `The terms of step t = ${t} for unit j = ${view.unit}, as the code computes them`;
  }

  const SUBSCRIPTS = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉" };
  const subscript = (text) => text.replace(/[0-9]/g, (c) => SUBSCRIPTS[c]);

  function drawStatus() {
    const { rho, steps, cell, seed } = view.settings;
    const at = view.step < steps ? view.norms[view.step] : 1;
    const name = CELL_CHOICES[cellSelect.value].name;
    const s = cell === "simple_rnn" ? "a" : "s";
    let text = `${name}, seed ${seed}, ρ = ${rho.toFixed(2)}`;
    if (cell === "simple_rnn") {
      text += `, ‖Wₐₐ‖₂ = ${format(view.recurrentNorm)}. ‖∂a⟨T⟩/∂a⟨0⟩‖₂ = ${format(view.norms[0])}, ` +
        `against ρᵀ = ${format(rho ** steps)}`;
    } else {
      text += `. ‖∂s⟨T⟩/∂s⟨0⟩‖₂ = ${format(view.norms[0])}`;
    }
    text += `; at the chosen step t = ${view.step}: ${format(at)}. ` +
      `‖∂y⟨T⟩/∂x⟨1⟩‖₂ = ${format(view.inputNorms[0])}.`;
    if (presetAnnouncement) text = `${presetAnnouncement} ${text}`;
    byId("pg-status").textContent = text.replace("∂s⟨", `∂${s}⟨`);
  }

  function draw() {
    drawHeatmap(themeColours());
    drawTrajectory();
    drawGates();
    drawJacobian();
    drawConnectivity();
    drawMath();
    drawStatus();
  }

  // -- presets: the chapters' lessons, set with one button ------------------------------------
  const PRESETS = {
    "simple-rnn": { cell: "simple_rnn", rho: 1 },
    "lstm-forget-bias": { cell: "lstm", rho: 1, forgetBias: 1 },
    "lstm-no-forget-bias": { cell: "lstm", rho: 1, forgetBias: 0 },
    "lstm-cell-path": { cell: "lstm", rho: 1, forgetBias: 3 },
    "gru-update-shut": { cell: "gru", rho: 1, updateBias: 3 },
    "gru-reset-before": { cell: "gru_before", rho: 1, updateBias: 0 },
  };
  // what every preset shares: T = 200, 32 units, random inputs of scale 1, no random bias, tanh
  const PRESET_BASE = {
    matrix: "orthogonal",
    activation: "tanh",
    pattern: "random",
    units: 32,
    steps: 200,
    inputScale: 1,
    biasScale: 0,
    forgetBias: 1,
    updateBias: 0,
  };
  let presetAnnouncement = "";
  function applyPreset(button) {
    const preset = { ...PRESET_BASE, ...PRESETS[button.dataset.preset] };
    cellSelect.value = preset.cell;
    for (const [name, value] of Object.entries(preset)) {
      if (name in sliders) sliders[name].value = String(value);
    }
    for (const [group, value] of [["pg-matrix", preset.matrix], ["pg-activation", preset.activation], ["pg-pattern", preset.pattern]]) {
      root.querySelector(`input[name="${group}"][value="${value}"]`).checked = true;
    }
    presetAnnouncement = `Preset “${button.textContent.trim()}” set.`;
    schedule("model");
  }
  for (const button of document.querySelectorAll("button.pg-preset")) {
    if (!Object.hasOwn(PRESETS, button.dataset.preset)) continue;
    button.addEventListener("click", () => applyPreset(button));
  }

  // -- updates: at most one per animation frame --------------------------------------------
  let pending = null;
  function update(kind) {
    const start = performance.now();
    const settings = readSettings();
    showValues(settings);
    if (kind === "model") compute(settings);
    draw();
    presetAnnouncement = "";
    const ms = performance.now() - start;
    view.timings.push({ kind, ms });
    if (view.timings.length > 200) view.timings.shift();
    view.revision += 1;
  }
  function schedule(kind) {
    if (pending === null) {
      pending = kind;
      requestAnimationFrame(() => {
        const next = pending;
        pending = null;
        update(next);
      });
    } else if (kind === "model") {
      pending = "model";
    }
  }

  for (const name of ["rho", "units", "steps", "inputScale", "biasScale", "forgetBias", "updateBias"]) {
    sliders[name].addEventListener("input", () => schedule("model"));
  }
  seedInput.addEventListener("input", () => schedule("model"));
  cellSelect.addEventListener("change", () => schedule("model"));
  for (const name of ["pg-matrix", "pg-activation", "pg-pattern"]) {
    for (const radio of root.querySelectorAll(`input[name="${name}"]`)) {
      radio.addEventListener("change", () => schedule("model"));
    }
  }
  sliders.unit.addEventListener("input", () => schedule("view"));
  sliders.step.addEventListener("input", () => schedule("view"));

  // pointer: click or drag in a view to choose the step (and, in the heatmap, the unit)
  const boxes = {
    heatmap: HEATMAP,
    trajectory: TRAJECTORY,
    gates: GATE_BOX,
    jacobian: JACOBIAN,
    connectivity: CONNECTIVITY,
  };
  for (const [name, svg] of Object.entries(svgs)) {
    const choose = (event) => {
      if (!view.settings) return;
      const { steps, units } = view.settings;
      const target = pointerTarget(svg, event, steps, units, boxes[name]);
      sliders.step.value = String(target.step);
      if (name === "heatmap") sliders.unit.value = String(target.unit);
      schedule("view");
    };
    svg.addEventListener("pointerdown", (event) => {
      svg.setPointerCapture(event.pointerId);
      choose(event);
    });
    svg.addEventListener("pointermove", (event) => {
      if (svg.hasPointerCapture(event.pointerId)) choose(event);
    });
  }

  // light and dark mode: the theme sets data-theme on <html>; redraw with its colours
  new MutationObserver(() => view.settings && schedule("view")).observe(document.documentElement, {
    attributes: true,
    attributeFilter: ["data-theme"],
  });

  update("model");
})();
