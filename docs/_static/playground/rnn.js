/*
 * rnn-playground in the browser: the SimpleRNN, the GRU and the LSTM, the norms of their
 * Jacobians, and the random weights of the playground page. Plain JavaScript, float64
 * throughout, no dependency. The page's views are drawn from these functions, and the book's
 * browser tests compare them with the Python package `rnn_playground`
 * (tests/book/test_playground.py).
 *
 * Everything is exposed as `window.rnnPlayground`. Arrays are nested arrays in Keras' layout;
 * inputs (batch, time, features); for a cell with m blocks (1 SimpleRNN, 3 GRU [z | r | h],
 * 4 LSTM [i | f | c | o]) kernel (features, m·units) and recurrentKernel (units, m·units).
 * An options key that the function does not know is a TypeError naming it, as in Python.
 *
 *   simpleRnn(inputs, kernel, recurrentKernel, bias, {activation, initialState})
 *       bias (units,) or null; initialState (batch, units), zeros when omitted. Returns the
 *       outputs (batch, time, units), like rnn_playground.simple_rnn(..., return_sequences=True).
 *   gru(inputs, kernel, recurrentKernel, bias,
 *       {resetAfter = true, activation = "tanh", recurrentActivation = "sigmoid", initialState})
 *       bias (2, 3·units) with resetAfter (row 0 input, row 1 recurrent bias), (3·units,)
 *       without, or null. Returns the outputs (batch, time, units), like rnn_playground.gru.
 *   lstm(inputs, kernel, recurrentKernel, bias,
 *        {activation = "tanh", recurrentActivation = "sigmoid", initialState})
 *       bias (4·units,) or null; initialState a pair [h0, c0] of (batch, units). Returns the
 *       outputs (batch, time, units), like rnn_playground.lstm(..., return_sequences=True).
 *   gateValues(inputs, kernel, recurrentKernel, bias, {cell, ...the cell's options})
 *       The values of every step, each (batch, time, units) for t = 1 … T:
 *       cell "simple_rnn": {a}; "gru": {z, r, candidate, h} (candidate = h̃);
 *       "lstm": {i, f, candidate, o, c, h} (candidate = c̃, Keras' c block, c the cell state).
 *   jacobianNorms(inputs, kernel, recurrentKernel, bias, {cell = "simple_rnn", ...options})
 *       (batch, time): entry [b][t] is the spectral norm ‖∂s⟨T⟩/∂s⟨t⟩‖₂ for t = 0, …, T − 1,
 *       where s is the whole state (a; h; the pair (h, c) stacked for the LSTM) and s⟨0⟩ the
 *       initial state (eq-bptt-jacobian of the book for the SimpleRNN).
 *   inputGradientNorms(inputs, kernel, recurrentKernel, bias, {cell, ...options})
 *       (batch, time): entry [b][t − 1] is ‖∂y⟨T⟩/∂x⟨t⟩‖₂ for t = 1, …, T (y⟨T⟩ = h⟨T⟩, or a⟨T⟩).
 *   gradientNorms(...same arguments)
 *       Both at once, {state, input}: what the page draws (one backward sweep).
 *   makeModel(settings)
 *       The weights and inputs the page shows for its control settings (see below).
 *
 * activation: "tanh", "relu", "sigmoid" or "linear"; recurrentActivation also "hard_sigmoid"
 * (Keras 3's relu6(x + 3) / 6). The norms are right to rounding for every finite input whose
 * forward pass stays finite: each Jacobian is carried as rows of numbers times powers of two,
 * so a norm under- or overflows only at the very end, to 0 or Infinity, when its true value is
 * outside float64's range. Where the forward pass itself overflows (a state ±Infinity), so
 * does everything computed from it.
 */
(function () {
  "use strict";

  // -- the activations, and their derivatives written in terms of the output a = g(z)
  // (eq-bptt-activation)
  const ACTIVATIONS = {
    tanh: { g: Math.tanh, gradFromOutput: (a) => 1 - a * a },
    relu: { g: (z) => Math.max(z, 0), gradFromOutput: (a) => (a > 0 ? 1 : 0) },
    sigmoid: {
      // as the package computes it: no exp() of a large positive number
      g: (z) => {
        const e = Math.exp(-Math.abs(z));
        return z >= 0 ? 1 / (1 + e) : e / (1 + e);
      },
      gradFromOutput: (a) => a * (1 - a),
    },
    linear: { g: (z) => z, gradFromOutput: () => 1 },
  };
  // what a gate may use (Keras' recurrent_activation): also Keras 3's hard_sigmoid
  const RECURRENT_ACTIVATIONS = {
    ...ACTIVATIONS,
    hard_sigmoid: {
      g: (z) => Math.min(Math.max(z + 3, 0), 6) / 6, // relu6(z + 3) / 6
      gradFromOutput: (a) => (a > 0 && a < 1 ? 1 / 6 : 0), // 0 at both corners, as TF's relu6
    },
  };

  // The cells: their number of weight blocks and the options each function accepts.
  const CELLS = {
    simple_rnn: { blocks: 1, options: ["activation", "initialState"] },
    gru: { blocks: 3, options: ["resetAfter", "activation", "recurrentActivation", "initialState"] },
    lstm: { blocks: 4, options: ["activation", "recurrentActivation", "initialState"] },
  };

  // -- checks at the public boundary: nested arrays of numbers in, flat Float64Arrays inside
  function describe(value) {
    if (value === null) return "null";
    if (Array.isArray(value)) return `an array of length ${value.length}`;
    if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`;
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${value}`;
    return typeof value;
  }

  /** A rectangular nested array of numbers of the given rank, as {data, shape}. */
  function toTensor(value, name, rank, layout) {
    const shape = [];
    let level = value;
    for (let axis = 0; axis < rank; axis++) {
      if (!Array.isArray(level)) {
        throw new TypeError(
          `${name} must be a nested array of rank ${rank} ${layout}, ` +
            `got ${describe(level)} at depth ${axis}`,
        );
      }
      if (level.length === 0 && axis + 1 < rank) {
        throw new RangeError(`${name} must not be empty: axis ${axis} of ${layout} has length 0`);
      }
      shape.push(level.length);
      level = level[0];
    }
    const size = shape.reduce((n, k) => n * k, 1);
    const data = new Float64Array(size);
    let offset = 0;
    const walk = (node, axis, where) => {
      if (!Array.isArray(node) || node.length !== shape[axis]) {
        throw new RangeError(
          `${name} must be rectangular ${layout} with shape [${shape}], but ${name}${where} ` +
            `is ${describe(node)}`,
        );
      }
      for (let i = 0; i < node.length; i++) {
        if (axis + 1 < rank) {
          walk(node[i], axis + 1, `${where}[${i}]`);
        } else {
          if (typeof node[i] !== "number") {
            throw new TypeError(`${name}${where}[${i}] must be a number, got ${describe(node[i])}`);
          }
          data[offset++] = node[i];
        }
      }
    };
    walk(value, 0, "");
    return { data, shape };
  }

  function checkShape(tensor, name, expected, layout) {
    const same =
      tensor.shape.length === expected.length && tensor.shape.every((n, i) => n === expected[i]);
    if (!same) {
      throw new RangeError(
        `${name} must have shape ${layout} = [${expected}], got [${tensor.shape}]`,
      );
    }
  }

  /** The options object, checked: an object whose keys are all in `allowed`. */
  function checkOptions(options, allowed, where) {
    const settings = options === undefined ? {} : options;
    if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
      throw new TypeError(`${where}: options must be an object, got ${describe(settings)}`);
    }
    for (const key of Object.keys(settings)) {
      if (!allowed.includes(key)) {
        throw new TypeError(
          `${where}: unknown option ${JSON.stringify(key)}; the options are ${allowed.join(", ")}`,
        );
      }
    }
    return settings;
  }

  function pick(table, value, name, fallback) {
    const chosen = value === undefined ? fallback : value;
    if (typeof chosen !== "string" || !Object.hasOwn(table, chosen)) {
      throw new TypeError(
        `${name} must be one of ${Object.keys(table).join(", ")}, got ${describe(chosen)}`,
      );
    }
    return chosen;
  }

  /** The arguments of every public function of a cell, checked, as flat arrays. */
  function parseArguments(cell, inputs, kernel, recurrentKernel, bias, settings) {
    const m = CELLS[cell].blocks;
    const x = toTensor(inputs, "inputs", 3, "(batch, time, features)");
    const [batch, steps, features] = x.shape;
    if (steps === 0) throw new RangeError(`inputs must have at least one time step, got [${x.shape}]`);
    const width = m === 1 ? "units" : `${m}·units`;
    const k = toTensor(kernel, "kernel", 2, `(features, ${width})`);
    if (k.shape[0] !== features) {
      throw new RangeError(
        `kernel has ${k.shape[0]} rows (shape [${k.shape}]) but inputs have ${features} ` +
          `features (shape [${x.shape}])`,
      );
    }
    if (k.shape[1] === 0 || k.shape[1] % m !== 0) {
      throw new RangeError(
        `kernel must have ${width} columns with units ≥ 1 (the ${cell} has ${m} blocks), ` +
          `got shape [${k.shape}]`,
      );
    }
    const units = k.shape[1] / m;
    const r = toTensor(recurrentKernel, "recurrentKernel", 2, `(units, ${width})`);
    checkShape(r, "recurrentKernel", [units, m * units], `(units, ${width})`);
    let resetAfter = false;
    if (cell === "gru") {
      resetAfter = settings.resetAfter === undefined ? true : settings.resetAfter;
      if (typeof resetAfter !== "boolean") {
        throw new TypeError(`options.resetAfter must be true or false, got ${describe(resetAfter)}`);
      }
    }
    let inputBias = null;
    let recurrentBias = null; // the GRU's b′ with resetAfter
    if (bias !== null && bias !== undefined) {
      if (resetAfter) {
        const b = toTensor(bias, "bias", 2, "(2, 3·units) with resetAfter");
        checkShape(b, "bias", [2, m * units], "(2, 3·units) with resetAfter");
        inputBias = b.data.slice(0, m * units);
        recurrentBias = b.data.slice(m * units);
      } else {
        const layout = m === 1 ? "(units,)" : `(${m}·units,)`;
        const b = toTensor(bias, "bias", 1, layout);
        checkShape(b, "bias", [m * units], layout);
        inputBias = b.data;
      }
    }
    const activation = pick(ACTIVATIONS, settings.activation, "options.activation", "tanh");
    let recurrentActivation = null;
    if (m > 1) {
      recurrentActivation = pick(
        RECURRENT_ACTIVATIONS,
        settings.recurrentActivation,
        "options.recurrentActivation",
        "sigmoid",
      );
    }
    const stateCount = cell === "lstm" ? 2 : 1;
    const initial = [];
    const given = settings.initialState;
    if (given !== undefined && given !== null) {
      const layout = "(batch, units)";
      if (stateCount === 1) {
        const s = toTensor(given, "options.initialState", 2, layout);
        checkShape(s, "options.initialState", [batch, units], layout);
        initial.push(s.data);
      } else {
        if (!Array.isArray(given) || given.length !== 2) {
          throw new TypeError(
            `options.initialState of the LSTM must be a pair [h0, c0] of ${layout} arrays, ` +
              `got ${describe(given)}`,
          );
        }
        for (let i = 0; i < 2; i++) {
          const name = `options.initialState[${i}]`;
          const s = toTensor(given[i], name, 2, layout);
          checkShape(s, name, [batch, units], layout);
          initial.push(s.data);
        }
      }
    } else {
      for (let i = 0; i < stateCount; i++) initial.push(new Float64Array(batch * units));
    }
    return {
      cell,
      blocks: m,
      resetAfter,
      x: x.data,
      kernel: k.data,
      recurrent: r.data,
      bias: inputBias,
      recurrentBias,
      initial,
      batch,
      steps,
      features,
      units,
      activation: ACTIVATIONS[activation],
      recurrentActivation: recurrentActivation && RECURRENT_ACTIVATIONS[recurrentActivation],
    };
  }

  /** parseArguments for a function that takes the cell in its options (the norms, gateValues). */
  function parseWithCell(where, inputs, kernel, recurrentKernel, bias, options) {
    const raw = options === undefined ? {} : options;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new TypeError(`${where}: options must be an object, got ${describe(raw)}`);
    }
    const cell = pick(CELLS, raw.cell, "options.cell", "simple_rnn");
    const settings = checkOptions(raw, ["cell", ...CELLS[cell].options], `${where} (cell ${cell})`);
    return parseArguments(cell, inputs, kernel, recurrentKernel, bias, settings);
  }

  // -- the recurrences ---------------------------------------------------------------------
  /**
   * The forward pass of any cell, keeping what the views and the Jacobians need, all flat:
   * h (batch, time + 1, units), whose step 0 is the initial state and step t is h⟨t⟩ (a⟨t⟩ for
   * the SimpleRNN); for the LSTM also c (batch, time + 1, units) and phiC = g(c⟨t⟩)
   * (batch, time, units); for the gated cells gates (batch, time, m·units), the gate values of
   * step t in Keras' blocks ([z | r | h̃] or [i | f | c̃ | o]); for the GRU with resetAfter also
   * q = h⟨t−1⟩ U_h + b′_h (batch, time, units).
   */
  function run(p) {
    const { batch, steps, features, units: n, blocks: m } = p;
    const width = m * n;
    const trace = { h: new Float64Array(batch * (steps + 1) * n) };
    if (m > 1) trace.gates = new Float64Array(batch * steps * width);
    if (p.cell === "lstm") {
      trace.c = new Float64Array(batch * (steps + 1) * n);
      trace.phiC = new Float64Array(batch * steps * n);
    }
    if (p.cell === "gru" && p.resetAfter) trace.q = new Float64Array(batch * steps * n);
    const g = p.activation.g;
    const sigma = p.recurrentActivation ? p.recurrentActivation.g : null;
    const inputPart = new Float64Array(width);
    const recurrentPart = new Float64Array(width);
    const resetState = new Float64Array(n);
    for (let b = 0; b < batch; b++) {
      trace.h.set(p.initial[0].subarray(b * n, (b + 1) * n), b * (steps + 1) * n);
      if (trace.c) trace.c.set(p.initial[1].subarray(b * n, (b + 1) * n), b * (steps + 1) * n);
      for (let t = 1; t <= steps; t++) {
        const previous = (b * (steps + 1) + t - 1) * n;
        const current = previous + n;
        const xOffset = (b * steps + t - 1) * features;
        // x⟨t⟩ @ kernel + bias, every block at once
        for (let j = 0; j < width; j++) {
          let z = 0;
          for (let f = 0; f < features; f++) z += p.x[xOffset + f] * p.kernel[f * width + j];
          inputPart[j] = p.bias === null ? z : z + p.bias[j];
        }
        // h⟨t−1⟩ @ recurrentKernel (the GRU without resetAfter: only its z and r blocks here)
        const recurrentWidth = p.cell === "gru" && !p.resetAfter ? 2 * n : width;
        recurrentPart.fill(0);
        for (let i = 0; i < n; i++) {
          const h = trace.h[previous + i];
          const row = i * width;
          for (let j = 0; j < recurrentWidth; j++) recurrentPart[j] += h * p.recurrent[row + j];
        }
        if (p.recurrentBias !== null) {
          for (let j = 0; j < width; j++) recurrentPart[j] += p.recurrentBias[j];
        }
        if (p.cell === "simple_rnn") {
          // (eq-simple-rnn-step)  a⟨t⟩ = g(x⟨t⟩ W_ax^T + b_a + a⟨t−1⟩ W_aa^T), in Keras' order
          for (let j = 0; j < n; j++) trace.h[current + j] = g(inputPart[j] + recurrentPart[j]);
          continue;
        }
        const gates = (b * steps + t - 1) * width;
        const out = trace.gates;
        if (p.cell === "gru") {
          for (let j = 0; j < n; j++) {
            // (eq-gru-update)  z = σ(x W_z + b_z + h U_z (+ b′_z))
            out[gates + j] = sigma(inputPart[j] + recurrentPart[j]);
            // (eq-gru-reset)  r = σ(x W_r + b_r + h U_r (+ b′_r))
            out[gates + n + j] = sigma(inputPart[n + j] + recurrentPart[n + j]);
          }
          if (p.resetAfter) {
            const q = (b * steps + t - 1) * n;
            for (let j = 0; j < n; j++) {
              trace.q[q + j] = recurrentPart[2 * n + j]; // h U_h + b′_h
              // (eq-gru-candidate)  h̃ = g(x W_h + b_h + r ⊙ (h U_h + b′_h))
              out[gates + 2 * n + j] = g(inputPart[2 * n + j] + out[gates + n + j] * trace.q[q + j]);
            }
          } else {
            for (let i = 0; i < n; i++) resetState[i] = out[gates + n + i] * trace.h[previous + i];
            for (let j = 0; j < n; j++) recurrentPart[2 * n + j] = 0;
            for (let i = 0; i < n; i++) {
              const rh = resetState[i];
              const row = i * width + 2 * n;
              for (let j = 0; j < n; j++) recurrentPart[2 * n + j] += rh * p.recurrent[row + j];
            }
            // (eq-gru-candidate-before)  h̃ = g(x W_h + b_h + (r ⊙ h) U_h)
            for (let j = 0; j < n; j++) {
              out[gates + 2 * n + j] = g(inputPart[2 * n + j] + recurrentPart[2 * n + j]);
            }
          }
          for (let j = 0; j < n; j++) {
            const z = out[gates + j];
            // (eq-gru-state)  h⟨t⟩ = z ⊙ h⟨t−1⟩ + (1 − z) ⊙ h̃
            trace.h[current + j] = z * trace.h[previous + j] + (1 - z) * out[gates + 2 * n + j];
          }
        } else {
          const phi = (b * steps + t - 1) * n;
          for (let j = 0; j < n; j++) {
            // (eq-lstm-gates)  i, f, o = σ(x W + b + h U);  (eq-lstm-candidate)  c̃ = g(...)
            const i = sigma(inputPart[j] + recurrentPart[j]);
            const f = sigma(inputPart[n + j] + recurrentPart[n + j]);
            const candidate = g(inputPart[2 * n + j] + recurrentPart[2 * n + j]);
            const o = sigma(inputPart[3 * n + j] + recurrentPart[3 * n + j]);
            out[gates + j] = i;
            out[gates + n + j] = f;
            out[gates + 2 * n + j] = candidate;
            out[gates + 3 * n + j] = o;
            // (eq-lstm-cell)  c⟨t⟩ = f ⊙ c⟨t−1⟩ + i ⊙ c̃
            const c = f * trace.c[previous + j] + i * candidate;
            trace.c[current + j] = c;
            // (eq-lstm-state)  h⟨t⟩ = o ⊙ g(c⟨t⟩)
            trace.phiC[phi + j] = g(c);
            trace.h[current + j] = o * trace.phiC[phi + j];
          }
        }
      }
    }
    return trace;
  }

  /** Steps 1 … T of a flat (batch, time + 1, units) array, or of block k of a flat
   * (batch, time, width) array, as nested (batch, time, units) arrays. */
  function nestedSteps(flat, batch, steps, n, { withInitial = true, width = n, block = 0 } = {}) {
    const out = [];
    for (let b = 0; b < batch; b++) {
      const sequence = [];
      for (let t = 1; t <= steps; t++) {
        const start = withInitial
          ? (b * (steps + 1) + t) * n
          : (b * steps + t - 1) * width + block * n;
        sequence.push(Array.from(flat.subarray(start, start + n)));
      }
      out.push(sequence);
    }
    return out;
  }

  function outputs(p) {
    return nestedSteps(run(p).h, p.batch, p.steps, p.units);
  }

  /** The outputs y⟨1⟩ … y⟨T⟩ (batch, time, units) of the SimpleRNN. */
  function simpleRnn(inputs, kernel, recurrentKernel, bias, options) {
    const settings = checkOptions(options, CELLS.simple_rnn.options, "simpleRnn");
    return outputs(parseArguments("simple_rnn", inputs, kernel, recurrentKernel, bias, settings));
  }

  /** The outputs h⟨1⟩ … h⟨T⟩ (batch, time, units) of the GRU. */
  function gru(inputs, kernel, recurrentKernel, bias, options) {
    const settings = checkOptions(options, CELLS.gru.options, "gru");
    return outputs(parseArguments("gru", inputs, kernel, recurrentKernel, bias, settings));
  }

  /** The outputs h⟨1⟩ … h⟨T⟩ (batch, time, units) of the LSTM. */
  function lstm(inputs, kernel, recurrentKernel, bias, options) {
    const settings = checkOptions(options, CELLS.lstm.options, "lstm");
    return outputs(parseArguments("lstm", inputs, kernel, recurrentKernel, bias, settings));
  }

  const GATE_NAMES = { gru: ["z", "r", "candidate"], lstm: ["i", "f", "candidate", "o"] };

  /** The gate values and states of every step (see the header). */
  function gateValues(inputs, kernel, recurrentKernel, bias, options) {
    const p = parseWithCell("gateValues", inputs, kernel, recurrentKernel, bias, options);
    const trace = run(p);
    const { batch, steps, units: n } = p;
    if (p.cell === "simple_rnn") return { a: nestedSteps(trace.h, batch, steps, n) };
    const result = {};
    GATE_NAMES[p.cell].forEach((name, block) => {
      result[name] = nestedSteps(trace.gates, batch, steps, n, {
        withInitial: false,
        width: p.blocks * n,
        block,
      });
    });
    if (trace.c) result.c = nestedSteps(trace.c, batch, steps, n);
    result.h = nestedSteps(trace.h, batch, steps, n);
    return result;
  }

  // -- powers of two, and the spectral norm ------------------------------------------------
  /** Σ_j a[i + j] b[k + j] for j < length, in four interleaved sums (faster than one). */
  function dot(a, i, b, k, length) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = 0;
    for (; j + 3 < length; j += 4) {
      s0 += a[i + j] * b[k + j];
      s1 += a[i + j + 1] * b[k + j + 1];
      s2 += a[i + j + 2] * b[k + j + 2];
      s3 += a[i + j + 3] * b[k + j + 3];
    }
    for (; j < length; j++) s0 += a[i + j] * b[k + j];
    return s0 + s1 + (s2 + s3);
  }

  /**
   * The largest eigenvalue of a symmetric n × n matrix (row-major, overwritten): Householder
   * reduction to a tridiagonal matrix, then bisection with Sturm counts. Accurate to a few
   * units in the last place of the largest |eigenvalue|.
   */
  function largestEigenvalue(a, n, v, p) {
    for (let k = 0; k < n - 2; k++) {
      // the Householder vector v that zeroes a[k + 2 :, k] (entries are O(1): no overflow)
      let squares = 0;
      for (let i = k + 1; i < n; i++) squares += a[i * n + k] * a[i * n + k];
      if (squares === 0) continue;
      const norm = Math.sqrt(squares);
      const alpha = a[(k + 1) * n + k] > 0 ? -norm : norm;
      let vv = 0;
      for (let i = k + 1; i < n; i++) {
        v[i] = a[i * n + k] - (i === k + 1 ? alpha : 0);
        vv += v[i] * v[i];
      }
      if (vv === 0) continue;
      const beta = 2 / vv;
      // p = beta A v, w = p − (beta pᵀv / 2) v, A ← A − v wᵀ − w vᵀ on the trailing block
      let pv = 0;
      for (let i = k + 1; i < n; i++) {
        p[i] = beta * dot(a, i * n + k + 1, v, k + 1, n - k - 1);
        pv += p[i] * v[i];
      }
      const c = (beta * pv) / 2;
      for (let i = k + 1; i < n; i++) p[i] -= c * v[i];
      for (let i = k + 1; i < n; i++) {
        const vi = v[i];
        const pi = p[i];
        const row = i * n;
        for (let j = k + 1; j <= i; j++) {
          const value = a[row + j] - vi * p[j] - pi * v[j];
          a[row + j] = value;
          a[j * n + i] = value; // symmetric: the upper triangle mirrors the lower
        }
      }
      a[(k + 1) * n + k] = alpha;
      a[k * n + k + 1] = alpha;
    }
    // the tridiagonal matrix: diagonal d[i] = a[i][i], off-diagonal e[i] = a[i + 1][i]
    const d = new Float64Array(n);
    const e2 = new Float64Array(n);
    let lower = -Infinity;
    let upper = -Infinity;
    for (let i = 0; i < n; i++) {
      d[i] = a[i * n + i];
      const left = i > 0 ? Math.abs(a[i * n + i - 1]) : 0;
      const right = i + 1 < n ? Math.abs(a[(i + 1) * n + i]) : 0;
      if (i + 1 < n) e2[i] = right * right;
      lower = Math.max(lower, d[i]); // the largest eigenvalue is at least every diagonal entry
      upper = Math.max(upper, d[i] + left + right); // Gershgorin
    }
    const below = (x) => {
      // how many eigenvalues are smaller than x (Sturm sequence of the LDLᵀ pivots)
      let count = 0;
      let q = d[0] - x;
      for (let i = 0; ; i++) {
        if (q < 0) count++;
        if (i + 1 === n) break;
        if (q === 0) q = Number.EPSILON * (Math.abs(x) + Number.MIN_VALUE);
        q = d[i + 1] - x - e2[i] / q;
      }
      return count;
    };
    upper = Math.max(upper, lower);
    if (below(upper) < n) upper += Math.abs(upper) * 4 * Number.EPSILON + Number.MIN_VALUE;
    // invariant: below(lower) < n <= below(upper)
    for (;;) {
      const middle = lower + (upper - lower) / 2;
      if (middle <= lower || middle >= upper) break;
      if (below(middle) < n) lower = middle;
      else upper = middle;
    }
    return lower;
  }


  /** x · 2^n for any integer n, rounded once (Math.pow(2, n) alone overflows past n = 1023). */
  function ldexp(x, n) {
    let value = x;
    let e = n;
    while (e > 1023) {
      value *= 2 ** 1023;
      e -= 1023;
    }
    while (e < -1022) {
      value *= 2 ** -1022;
      e += 1022;
    }
    return value * 2 ** e;
  }

  /** floor(log2 |x|) of the largest |entry| of a[start … start + length): −Infinity for zeros. */
  function exponentOf(a, start = 0, length = a.length) {
    let largest = 0;
    for (let i = start; i < start + length; i++) {
      const v = Math.abs(a[i]);
      if (v > largest || v !== v) largest = v; // NaN is kept
    }
    if (largest === 0) return -Infinity;
    if (!Number.isFinite(largest)) return largest; // Infinity or NaN: the forward pass overflowed
    let e = Math.floor(Math.log2(largest));
    // log2 may round up just below a power of two: make sure 2^e ≤ largest < 2^(e + 1)
    if (ldexp(1, e) > largest) e -= 1;
    else if (ldexp(1, e + 1) <= largest) e += 1;
    return e;
  }

  /** dst[i] = src[i] · 2^n for i < length: exact unless a result is subnormal (then rounded once). */
  function scaleInto(src, dst, length, n) {
    if (n >= -1022 && n <= 1023) {
      const factor = 2 ** n;
      for (let i = 0; i < length; i++) dst[i] = src[i] * factor;
    } else {
      for (let i = 0; i < length; i++) dst[i] = ldexp(src[i], n);
    }
  }

  /**
   * ‖m‖₂, the largest singular value of the rows × cols matrix m (row-major, left unchanged),
   * as [value, exponent] with ‖m‖₂ = value · 2^exponent: m is first scaled by a power of two
   * (exact) so that its largest entry is in [1, 2), then the largest eigenvalue of the Gram
   * matrix of its shorter side gives value².
   */
  function spectralNorm(m, rows, cols, work) {
    const size = rows * cols;
    const e = exponentOf(m, 0, size);
    if (e === -Infinity) return [0, 0];
    if (!Number.isFinite(e)) return [e, 0]; // Infinity or NaN, passed on
    const s = work.scaled;
    scaleInto(m, s, size, -e);
    let n = rows;
    let length = cols;
    let source = s;
    if (rows > cols) {
      // mᵀm is the smaller Gram matrix: make the columns rows
      const t = work.transposed;
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = s[i * cols + j];
      n = cols;
      length = rows;
      source = t;
    }
    const gram = work.gram; // its largest eigenvalue is ‖s‖₂²
    for (let i = 0; i < n; i++) {
      for (let k = 0; k <= i; k++) {
        const value = dot(source, i * length, source, k * length, length);
        gram[i * n + k] = value;
        gram[k * n + i] = value;
      }
    }
    return [Math.sqrt(Math.max(largestEigenvalue(gram, n, work.v, work.p), 0)), e];
  }

  /** Scratch space of the norm computations, for matrices of up to size × size. */
  function workspace(size) {
    return {
      scaled: new Float64Array(size * size),
      transposed: new Float64Array(size * size),
      gram: new Float64Array(size * size),
      v: new Float64Array(size),
      p: new Float64Array(size),
    };
  }

  // -- the Jacobians of one step ------------------------------------------------------------
  /** [c · 2^−e, e] with e the exponent of c's largest entry, or [zeros, −Infinity]. */
  function normalised(c) {
    const e = exponentOf(c);
    const out = new Float64Array(c.length);
    if (Number.isFinite(e)) scaleInto(c, out, c.length, -e);
    else if (e !== -Infinity) out.fill(NaN);
    return [out, e];
  }

  /** The largest of the exponents, leaving out −Infinity (a zero term); 0 when all are zero. */
  function largestExponent(exponents) {
    let E = -Infinity;
    for (const e of exponents) {
      if (e !== e) return NaN;
      if (e > E) E = e;
    }
    return E === -Infinity ? 0 : E;
  }

  /** c · 2^shift as a new array (c a coefficient vector of one term). */
  function shifted(c, shift) {
    const out = new Float64Array(c.length);
    if (shift === -Infinity || shift !== shift) return out.fill(shift === -Infinity ? 0 : NaN);
    scaleInto(c, out, c.length, shift);
    return out;
  }

  /**
   * The Jacobians of step t of example b, written into ft and gt, each scaled by a power of
   * two: ft[k][j] = ∂s⟨t⟩_j/∂s⟨t−1⟩_k · 2^−EF (S × S) and gt[f][j] = ∂s⟨t⟩_j/∂x⟨t⟩_f · 2^−EG
   * (features × S); returns [EF, EG]. Every term is a coefficient vector times a block of the
   * kernels, which come pre-scaled (u = recurrentKernel · 2^−eU, w = kernel · 2^−eW): the
   * exponents are added up first, each term is scaled to the largest, and only then are the
   * terms computed, so that nothing overflows and only negligible terms underflow.
   */
  function stepJacobians(p, trace, scaled, b, t, ft, gt, wantInput) {
    const { steps, features: D, units: n, blocks: m } = p;
    const { u, w, eU, eW } = scaled;
    const width = m * n;
    const S = p.cell === "lstm" ? 2 * n : n;
    const previous = (b * (steps + 1) + t - 1) * n;
    const current = previous + n;
    const grad = p.activation.gradFromOutput;
    const sgrad = p.recurrentActivation ? p.recurrentActivation.gradFromOutput : null;
    const vector = (f) => {
      const out = new Float64Array(n);
      for (let j = 0; j < n; j++) out[j] = f(j);
      return out;
    };
    // Fill ft (or gt) from a list of terms [coefficients c, exponent of the rest, writer, bound]:
    // writer(c · 2^(rest − E)) adds the term; bound (rest by default) is what the term's
    // largest entry can reach besides c.
    const finish = (terms, matrix, rows) => {
      const E = largestExponent(
        terms.map(([c, extra, , bound = extra]) => exponentOf(c) + bound),
      );
      if (!Number.isFinite(E)) {
        matrix.fill(NaN, 0, rows * S);
        return NaN;
      }
      matrix.fill(0, 0, rows * S);
      for (const [c, extra, write] of terms) write(shifted(c, extra - E), E);
      return E;
    };
    // add coefficient_j · block[k][blockIndex · n + j] to matrix[k][offset + j] for all k, j
    const addBlock = (matrix, rows, source, block, coefficient, offset = 0) => {
      for (let k = 0; k < rows; k++) {
        const row = k * width + block * n;
        const target = k * S + offset;
        for (let j = 0; j < n; j++) matrix[target + j] += coefficient[j] * source[row + j];
      }
    };
    const addDiagonal = (coefficient, from, to) => {
      for (let j = 0; j < n; j++) ft[(from + j) * S + to + j] += coefficient[j];
    };

    if (p.cell === "simple_rnn") {
      // (eq-bptt-jacobian)  ∂a⟨t⟩/∂a⟨t−1⟩ = diag(g′(s⟨t⟩)) W_aa, W_aa = recurrentKernelᵀ
      const slope = vector((j) => grad(trace.h[current + j]));
      const EF = finish([[slope, eU, (c) => addBlock(ft, n, u, 0, c)]], ft, n);
      const EG = wantInput ? finish([[slope, eW, (c) => addBlock(gt, D, w, 0, c)]], gt, D) : 0;
      return [EF, EG];
    }

    const gates = (b * steps + t - 1) * width;
    const gate = (block, j) => trace.gates[gates + block * n + j];
    if (p.cell === "gru") {
      // h⟨t⟩ = z ⊙ h⟨t−1⟩ + (1 − z) ⊙ h̃ (eq-gru-state), differentiated through z, r and h̃
      const z = vector((j) => gate(0, j));
      const r = vector((j) => gate(1, j));
      const delta = vector((j) => (1 - z[j]) * grad(gate(2, j))); // ∂h/∂(h̃'s pre-activation)
      const alpha = vector((j) => (trace.h[previous + j] - gate(2, j)) * sgrad(z[j])); // via z
      if (p.resetAfter) {
        const q = (b * steps + t - 1) * n;
        const beta = vector((j) => delta[j] * trace.q[q + j] * sgrad(r[j])); // via r
        const gamma = vector((j) => delta[j] * r[j]); // via h U_h inside r ⊙ (h U_h + b′_h)
        const EF = finish(
          [
            [z, 0, (c) => addDiagonal(c, 0, 0)],
            [alpha, eU, (c) => addBlock(ft, n, u, 0, c)],
            [beta, eU, (c) => addBlock(ft, n, u, 1, c)],
            [gamma, eU, (c) => addBlock(ft, n, u, 2, c)],
          ],
          ft,
          n,
        );
        const EG = !wantInput
          ? 0
          : finish(
              [
                [alpha, eW, (c) => addBlock(gt, D, w, 0, c)],
                [beta, eW, (c) => addBlock(gt, D, w, 1, c)],
                [delta, eW, (c) => addBlock(gt, D, w, 2, c)],
              ],
              gt,
              D,
            );
        return [EF, EG];
      }
      // reset before: h̃ = g(x W_h + b_h + (r ⊙ h) U_h), r = σ(… + h U_r): two paths through h
      const [rUnit, eR] = normalised(r);
      const [wUnit, eWr] = normalised(vector((j) => trace.h[previous + j] * sgrad(r[j])));
      // through r: Σ_m U_r[k][m] w_m U_h[m][j] (and W_r for the input), with w = h ⊙ σ′(r)
      const through = (source, rows) => {
        const out = new Float64Array(rows * n);
        for (let k = 0; k < rows; k++) {
          for (let mm = 0; mm < n; mm++) {
            const factor = source[k * width + n + mm] * wUnit[mm];
            if (factor === 0) continue;
            const row = mm * width + 2 * n;
            for (let j = 0; j < n; j++) out[k * n + j] += factor * u[row + j];
          }
        }
        return out;
      };
      const addProduct = (matrix, rows, product, coefficient) => {
        for (let k = 0; k < rows; k++) {
          for (let j = 0; j < n; j++) matrix[k * S + j] += coefficient[j] * product[k * n + j];
        }
      };
      const EF = finish(
        [
          [z, 0, (c) => addDiagonal(c, 0, 0)],
          [alpha, eU, (c) => addBlock(ft, n, u, 0, c)],
          [
            delta,
            eR + eU,
            (c) => {
              for (let k = 0; k < n; k++) {
                const row = k * width + 2 * n;
                for (let j = 0; j < n; j++) ft[k * S + j] += c[j] * rUnit[k] * u[row + j];
              }
            },
          ],
          [delta, eWr + 2 * eU, (c) => addProduct(ft, n, through(u, n), c)],
        ],
        ft,
        n,
      );
      const EG = !wantInput
        ? 0
        : finish(
            [
              [alpha, eW, (c) => addBlock(gt, D, w, 0, c)],
              [delta, eW, (c) => addBlock(gt, D, w, 2, c)],
              [delta, eWr + eU + eW, (c) => addProduct(gt, D, through(w, D), c)],
            ],
            gt,
            D,
          );
      return [EF, EG];
    }

    // LSTM, s = (h, c): c⟨t⟩ = f ⊙ c⟨t−1⟩ + i ⊙ c̃ (eq-lstm-cell), h⟨t⟩ = o ⊙ g(c⟨t⟩)
    const phi = (b * steps + t - 1) * n;
    const f = vector((j) => gate(1, j));
    const kappa = [
      vector((j) => gate(2, j) * sgrad(gate(0, j))), // ∂c/∂(i's pre-activation) = c̃ σ′
      vector((j) => trace.c[previous + j] * sgrad(f[j])), // ∂c/∂(f's) = c⟨t−1⟩ σ′
      vector((j) => gate(0, j) * grad(gate(2, j))), // ∂c/∂(c̃'s) = i g′
    ];
    const lambda = vector((j) => gate(3, j) * grad(trace.phiC[phi + j])); // ∂h/∂c = o g′(c)
    const mu = vector((j) => trace.phiC[phi + j] * sgrad(gate(3, j))); // ∂h/∂(o's) = g(c) σ′
    const lambdaF = vector((j) => lambda[j] * f[j]);
    // The sum M = Σ κ_k U_k (rows: the state or input features), into columns offset … of
    // matrix, and λ ⊙ M added to columns 0 … n − 1: ∂c/∂· and its path into h
    const lambdaExponent = Math.max(exponentOf(lambda), 0);
    const cellTerms = (matrix, rows, source, e) =>
      kappa.map((k, block) => [
        k,
        e,
        (c) => {
          addBlock(matrix, rows, source, block, c, n);
          for (let r = 0; r < rows; r++) {
            const row = r * width + block * n;
            for (let j = 0; j < n; j++) matrix[r * S + j] += lambda[j] * c[j] * source[row + j];
          }
        },
        e + lambdaExponent, // λ ⊙ M can be 2^e(λ) times larger than M
      ]);
    const ftTerms = [
      [mu, eU, (c) => addBlock(ft, n, u, 3, c)],
      ...cellTerms(ft, n, u, eU),
      [lambdaF, 0, (c) => addDiagonal(c, n, 0)],
      [f, 0, (c) => addDiagonal(c, n, n)],
    ];
    const EF = finish(ftTerms, ft, S);
    const EG = !wantInput
      ? 0
      : finish(
          [[mu, eW, (c) => addBlock(gt, D, w, 3, c)], ...cellTerms(gt, D, w, eW)],
          gt,
          D,
        );
    return [EF, EG];
  }

  // -- the norms: one sweep backwards in time -----------------------------------------------
  /**
   * For every example: state[t] = ‖∂s⟨T⟩/∂s⟨t⟩‖₂ (t = 0 … T − 1) and input[t − 1] =
   * ‖∂y⟨T⟩/∂x⟨t⟩‖₂ (t = 1 … T), y⟨T⟩ the first `units` entries of s⟨T⟩.
   *
   * (eq-bptt-jacobian)  ∂s⟨T⟩/∂s⟨t−1⟩ = ∂s⟨T⟩/∂s⟨t⟩ · ∂s⟨t⟩/∂s⟨t−1⟩, accumulated from t = T
   * down to 1 starting from the identity; ∂y⟨T⟩/∂x⟨t⟩ = (the y rows of ∂s⟨T⟩/∂s⟨t⟩) ·
   * ∂s⟨t⟩/∂x⟨t⟩. Row i of the product is kept as numbers of at most 2 times 2^exponent[i]
   * (rows do not mix in a product from the right), and a norm is scaled back only at the end.
   */
  function sweep(p, wantState, wantInput) {
    const { batch, steps, features: D, units: n } = p;
    const S = p.cell === "lstm" ? 2 * n : n;
    const trace = run(p);
    const eU = exponentOf(p.recurrent); // −Infinity for zeros, NaN or Infinity passed on
    const eW = exponentOf(p.kernel);
    const scaled = {
      u: new Float64Array(p.recurrent.length),
      w: new Float64Array(p.kernel.length),
      eU: Number.isFinite(eU) ? eU : 0,
      eW: Number.isFinite(eW) ? eW : 0,
    };
    scaleInto(p.recurrent, scaled.u, p.recurrent.length, -scaled.eU);
    scaleInto(p.kernel, scaled.w, p.kernel.length, -scaled.eW);
    const work = workspace(Math.max(S, D));
    const ft = new Float64Array(S * S);
    const gt = new Float64Array(D * S);
    let jacobian = new Float64Array(S * S);
    let next = new Float64Array(S * S);
    const exponent = new Float64Array(S);
    const common = new Float64Array(S * S);
    const product = new Float64Array(n * D);
    // Rows 0 … rows − 1 of the Jacobian scaled to their largest exponent, into `common`.
    const commonRows = (rows) => {
      let E = -Infinity;
      for (let i = 0; i < rows; i++) {
        if (exponent[i] !== exponent[i]) return NaN;
        if (exponent[i] > E) E = exponent[i];
      }
      if (E === -Infinity) return -Infinity;
      for (let i = 0; i < rows; i++) {
        const target = common.subarray(i * S, (i + 1) * S);
        if (exponent[i] === -Infinity) target.fill(0);
        else scaleInto(jacobian.subarray(i * S, (i + 1) * S), target, S, exponent[i] - E);
      }
      return E;
    };
    const norm = (matrix, rows, cols, E) => {
      if (E === -Infinity) return 0;
      if (E !== E) return NaN;
      const [value, e] = spectralNorm(matrix, rows, cols, work);
      return ldexp(value, e + E);
    };
    const stateNorms = [];
    const inputNorms = [];
    for (let b = 0; b < batch; b++) {
      jacobian.fill(0);
      for (let i = 0; i < S; i++) jacobian[i * S + i] = 1; // ∂s⟨T⟩/∂s⟨T⟩ = I
      exponent.fill(0);
      const state = new Array(steps);
      const input = new Array(steps);
      for (let t = steps; t >= 1; t--) {
        const [EF, EG] = stepJacobians(p, trace, scaled, b, t, ft, gt, wantInput);
        if (wantInput) {
          // ∂y⟨T⟩/∂x⟨t⟩[i][f] = Σ_j ∂y⟨T⟩_i/∂s⟨t⟩_j ∂s⟨t⟩_j/∂x⟨t⟩_f, rows i < units
          const E = commonRows(n);
          for (let i = 0; i < n; i++) {
            for (let f = 0; f < D; f++) product[i * D + f] = dot(common, i * S, gt, f * S, S);
          }
          input[t - 1] = norm(product, n, D, E + EG);
        }
        // J⟨t−1⟩[i][k] = Σ_j J⟨t⟩[i][j] ft[k][j]; for the LSTM the columns k of c⟨t−1⟩ have
        // two entries only (∂h⟨t⟩_k and ∂c⟨t⟩_k by ∂c⟨t−1⟩_k)
        const dense = p.cell === "lstm" ? n : S;
        for (let i = 0; i < S; i++) {
          const row = i * S;
          for (let k = 0; k < dense; k++) next[row + k] = dot(jacobian, row, ft, k * S, S);
          for (let k = dense; k < S; k++) {
            next[row + k] = jacobian[row + k - n] * ft[k * S + k - n] + jacobian[row + k] * ft[k * S + k];
          }
        }
        [jacobian, next] = [next, jacobian];
        for (let i = 0; i < S; i++) {
          if (exponent[i] === -Infinity) continue; // a zero row stays zero
          const e = exponentOf(jacobian, i * S, S);
          if (e === -Infinity) {
            exponent[i] = -Infinity;
          } else if (!Number.isFinite(e) || EF !== EF) {
            exponent[i] = NaN;
          } else {
            const row = jacobian.subarray(i * S, (i + 1) * S);
            scaleInto(row, row, S, -e);
            exponent[i] += EF + e;
          }
        }
        if (wantState) state[t - 1] = norm(common, S, S, commonRows(S));
      }
      stateNorms.push(state);
      inputNorms.push(input);
    }
    return { state: stateNorms, input: inputNorms };
  }

  /** [b][t] = ‖∂s⟨T⟩/∂s⟨t⟩‖₂ for t = 0 … T − 1 (see the header). */
  function jacobianNorms(inputs, kernel, recurrentKernel, bias, options) {
    const p = parseWithCell("jacobianNorms", inputs, kernel, recurrentKernel, bias, options);
    return sweep(p, true, false).state;
  }

  /** [b][t − 1] = ‖∂y⟨T⟩/∂x⟨t⟩‖₂ for t = 1 … T (see the header). */
  function inputGradientNorms(inputs, kernel, recurrentKernel, bias, options) {
    const p = parseWithCell("inputGradientNorms", inputs, kernel, recurrentKernel, bias, options);
    return sweep(p, false, true).input;
  }

  /** Both, {state, input}, from one sweep. */
  function gradientNorms(inputs, kernel, recurrentKernel, bias, options) {
    const p = parseWithCell("gradientNorms", inputs, kernel, recurrentKernel, bias, options);
    return sweep(p, true, true);
  }

  // -- the playground's random weights and inputs ----------------------------------------
  /** A seeded generator of uniform numbers in [0, 1) (mulberry32), one stream per use. */
  function generator(seed, stream) {
    let state = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0;
    const next32 = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 15), z | 1);
      z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
      return (z ^ (z >>> 14)) >>> 0;
    };
    const uniform = () => (next32() * 2 ** 21 + (next32() >>> 11)) / 2 ** 53; // 53 random bits
    let spare = null;
    const normal = () => {
      // Box–Muller; the second number of each pair is kept for the next call
      if (spare !== null) {
        const value = spare;
        spare = null;
        return value;
      }
      const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
      const angle = 2 * Math.PI * uniform();
      spare = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    };
    return { uniform, normal };
  }

  /**
   * A random rows × cols matrix (rows ≥ cols, row-major) with orthonormal columns: the Q of
   * the QR decomposition of a standard normal matrix, with R's diagonal made positive, as
   * Keras' Orthogonal initializer does. Modified Gram–Schmidt on the columns, done twice so
   * that Q is orthogonal to rounding.
   */
  function orthogonal(rows, cols, rng) {
    const q = new Float64Array(rows * cols);
    for (let i = 0; i < rows * cols; i++) q[i] = rng.normal();
    for (let c = 0; c < cols; c++) {
      for (let pass = 0; pass < 2; pass++) {
        for (let prev = 0; prev < c; prev++) {
          let dot = 0;
          for (let i = 0; i < rows; i++) dot += q[i * cols + prev] * q[i * cols + c];
          for (let i = 0; i < rows; i++) q[i * cols + c] -= dot * q[i * cols + prev];
        }
      }
      let norm = 0;
      for (let i = 0; i < rows; i++) norm = Math.hypot(norm, q[i * cols + c]);
      for (let i = 0; i < rows; i++) q[i * cols + c] /= norm;
    }
    return q;
  }

  function matmul(a, b, n) {
    const c = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        const aik = a[i * n + k];
        for (let j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
      }
    }
    return c;
  }

  function nested(flat, rows, columns) {
    const out = [];
    for (let i = 0; i < rows; i++) out.push(Array.from(flat.subarray(i * columns, (i + 1) * columns)));
    return out;
  }

  const FEATURES = 4; // input features, as in the chapter "The SimpleRNN cell"
  const SHEAR = 3; // β of the non-normal matrix's shear S = I + β u vᵀ
  const DEFAULTS = {
    cell: "simple_rnn",
    resetAfter: true,
    rho: 0.9,
    matrix: "orthogonal",
    inputScale: 1,
    biasScale: 0,
    forgetBias: 1,
    updateBias: 0,
    activation: "tanh",
    recurrentActivation: "sigmoid",
    steps: 200,
    units: 32,
    pattern: "impulse",
    seed: 1,
  };
  const LIMITS = { steps: [1, 10000], units: [1, 256], seed: [0, 4294967295] };
  const CHOICES = {
    cell: Object.keys(CELLS),
    matrix: ["orthogonal", "nonnormal"],
    pattern: ["impulse", "random", "constant"],
    activation: Object.keys(ACTIVATIONS),
    recurrentActivation: Object.keys(RECURRENT_ACTIVATIONS),
  };

  /** The settings of makeModel, checked: every key known, every value of its kind. */
  function checkSettings(settings) {
    const given = checkOptions(settings, Object.keys(DEFAULTS), "makeModel");
    const s = Object.assign({}, DEFAULTS, given);
    for (const [key, value] of Object.entries(s)) {
      const name = `settings.${key}`;
      if (key in CHOICES) {
        if (!CHOICES[key].includes(value)) {
          throw new TypeError(`${name} must be one of ${CHOICES[key].join(", ")}, got ${describe(value)}`);
        }
      } else if (key === "resetAfter") {
        if (typeof value !== "boolean") throw new TypeError(`${name} must be true or false, got ${describe(value)}`);
      } else if (typeof value !== "number") {
        throw new TypeError(`${name} must be a number, got ${describe(value)}`);
      } else if (key in LIMITS) {
        const [low, high] = LIMITS[key];
        if (!Number.isInteger(value) || value < low || value > high) {
          throw new RangeError(`${name} must be an integer from ${low} to ${high}, got ${value}`);
        }
      } else if (!Number.isFinite(value) || (key === "rho" && value < 0)) {
        throw new RangeError(
          `${name} must be a finite number${key === "rho" ? " ≥ 0" : ""}, got ${value}`,
        );
      }
    }
    return s;
  }

  /**
   * The weights and the input sequence for the page's settings (DEFAULTS lists them; an
   * unknown key is a TypeError, a value out of range a RangeError, both naming the setting).
   *
   * SimpleRNN (cell "simple_rnn"): kernel ~ glorot_uniform, Keras' default; W_aa = ρ Q with Q
   * random orthogonal ("orthogonal", eigenvalues all of modulus ρ), or S ρQ S⁻¹ with the
   * shear S = I + β u vᵀ (u ⟂ v unit vectors, S⁻¹ = I − β u vᵀ): the same eigenvalues, so the
   * same spectral radius ρ, but a non-normal matrix ("nonnormal") with condition number κ(S);
   * with one unit there is no shear (shear is null). bias ~ biasScale · N(0, 1).
   * GRU and LSTM: kernel ~ glorot_uniform over (features, m·units) and recurrent_kernel = ρ
   * times Keras' orthogonal initializer for its (units, m·units) shape (orthonormal rows);
   * bias ~ biasScale · N(0, 1) in every entry, plus updateBias in the GRU's z block (of the
   * input bias, row 0, with resetAfter) or forgetBias in the LSTM's f block (1 is Keras'
   * unit_forget_bias=True, 0 is unit_forget_bias=False).
   * Inputs: inputScale times one at step 1 ("impulse"), N(0, 1) at every step ("random") or
   * one at every step ("constant"), in all features. Each part has its own random stream, so
   * changing T keeps the first steps' inputs. `options` are the cell's options for the
   * functions above (cell, resetAfter, activation, recurrentActivation).
   */
  function makeModel(settings) {
    const s = checkSettings(settings);
    const n = s.units;
    const features = FEATURES;
    const m = CELLS[s.cell].blocks;
    const width = m * n;
    const limit = Math.sqrt(6 / (features + width));
    const kernelRng = generator(s.seed, 0);
    const kernel = new Float64Array(features * width);
    for (let i = 0; i < kernel.length; i++) kernel[i] = (2 * kernelRng.uniform() - 1) * limit;

    const options = { cell: s.cell, activation: s.activation };
    if (m > 1) options.recurrentActivation = s.recurrentActivation;
    if (s.cell === "gru") options.resetAfter = s.resetAfter;
    const inputs = makeInputs(s, features);
    if (m > 1) {
      // recurrent_kernel (n, m·n) = ρ Qᵀ, Q (m·n, n) with orthonormal columns
      const q = orthogonal(width, n, generator(s.seed, 1));
      const recurrent = [];
      for (let i = 0; i < n; i++) {
        const row = new Array(width);
        for (let j = 0; j < width; j++) row[j] = s.rho * q[j * n + i];
        recurrent.push(row);
      }
      const biasRng = generator(s.seed, 3);
      const rows = s.cell === "gru" && s.resetAfter ? 2 : 1;
      const bias = [];
      for (let r = 0; r < rows; r++) {
        bias.push(Array.from({ length: width }, () => s.biasScale * biasRng.normal()));
      }
      const gateOffset = s.cell === "gru" ? [0, s.updateBias] : [n, s.forgetBias]; // z or f
      for (let j = 0; j < n; j++) bias[0][gateOffset[0] + j] += gateOffset[1];
      return {
        settings: s,
        options,
        inputs: [inputs],
        kernel: nested(kernel, features, width),
        recurrentKernel: recurrent,
        bias: rows === 2 ? bias : bias[0],
        orthogonal: null,
        shear: null,
      };
    }

    const q = orthogonal(n, n, generator(s.seed, 1));
    let w = q.map((value) => value * s.rho); // W_aa, column (textbook) orientation
    let shear = null; // with one unit there are no u ⟂ v, and every 1 × 1 matrix is normal
    if (s.matrix === "nonnormal" && n > 1) {
      const rng = generator(s.seed, 2);
      const u = new Float64Array(n).map(() => rng.normal());
      const v = new Float64Array(n).map(() => rng.normal());
      const unit = (x) => {
        const norm = Math.hypot(...x);
        return x.map((value) => value / norm);
      };
      const uu = unit(u);
      const dot = v.reduce((sum, value, i) => sum + value * uu[i], 0);
      const vv = unit(v.map((value, i) => value - dot * uu[i]));
      const forward = new Float64Array(n * n);
      const inverse = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const identity = i === j ? 1 : 0;
          forward[i * n + j] = identity + SHEAR * uu[i] * vv[j];
          inverse[i * n + j] = identity - SHEAR * uu[i] * vv[j];
        }
      }
      w = matmul(matmul(forward, w, n), inverse, n);
      const root = Math.sqrt(SHEAR * SHEAR + 4);
      shear = {
        beta: SHEAR,
        u: Array.from(uu),
        v: Array.from(vv),
        // singular values of S: (√(β²+4) ± β)/2 and 1, so κ(S) = ((√(β²+4) + β)/2)²
        condition: ((root + SHEAR) / 2) ** 2,
      };
    }
    const recurrent = new Float64Array(n * n); // recurrent_kernel = W_aaᵀ
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) recurrent[j * n + i] = w[i * n + j];

    const biasRng = generator(s.seed, 3);
    const bias = new Float64Array(n).map(() => s.biasScale * biasRng.normal());
    return {
      settings: s,
      options,
      inputs: [inputs],
      kernel: nested(kernel, features, n),
      recurrentKernel: nested(recurrent, n, n),
      bias: Array.from(bias),
      orthogonal: nested(q, n, n),
      shear,
    };
  }

  function makeInputs(s, features) {
    const inputRng = generator(s.seed, 4);
    const inputs = [];
    for (let t = 0; t < s.steps; t++) {
      const row = [];
      for (let f = 0; f < features; f++) {
        if (s.pattern === "random") row.push(s.inputScale * inputRng.normal());
        else if (s.pattern === "constant" || t === 0) row.push(s.inputScale);
        else row.push(0);
      }
      inputs.push(row);
    }
    return inputs;
  }

  window.rnnPlayground = Object.assign(window.rnnPlayground || {}, {
    ACTIVATIONS: Object.keys(ACTIVATIONS),
    RECURRENT_ACTIVATIONS: Object.keys(RECURRENT_ACTIVATIONS),
    CELLS: Object.keys(CELLS),
    DEFAULTS,
    FEATURES,
    simpleRnn,
    gru,
    lstm,
    gateValues,
    jacobianNorms,
    inputGradientNorms,
    gradientNorms,
    makeModel,
  });
})();
