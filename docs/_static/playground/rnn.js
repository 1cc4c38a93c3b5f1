/*
 * rnn-playground in the browser: the SimpleRNN recurrence, the norms of its state Jacobians,
 * and the random weights of the playground page. Plain JavaScript, float64 throughout, no
 * dependency. The page's views are drawn from these functions, and the book's browser tests
 * compare them with the Python package `rnn_playground` (tests/book/test_playground.py).
 *
 * Everything is exposed as `window.rnnPlayground`:
 *
 *   simpleRnn(inputs, kernel, recurrentKernel, bias, {activation, initialState})
 *       inputs (batch, time, features), kernel (features, units), recurrentKernel
 *       (units, units), bias (units,) or null, initialState (batch, units) or omitted (zeros):
 *       nested arrays in Keras' layout. Returns the outputs (batch, time, units), like
 *       rnn_playground.simple_rnn(..., return_sequences=True).
 *   jacobianNorms(inputs, kernel, recurrentKernel, bias, {activation, initialState})
 *       Returns (batch, time): entry [b][t] is the spectral norm ‖∂a⟨T⟩/∂a⟨t⟩‖₂ for
 *       t = 0, …, T−1, where a⟨0⟩ is the initial state (eq-bptt-jacobian of the book).
 *   makeModel(settings)
 *       The weights and inputs the page shows for its control settings (see below).
 */
(function () {
  "use strict";

  // -- the activations g, and g' written in terms of the output a = g(z) (eq-bptt-activation)
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

  // -- checks at the public boundary: nested arrays of numbers in, flat Float64Arrays inside
  function describe(value) {
    if (value === null) return "null";
    if (Array.isArray(value)) return `an array of length ${value.length}`;
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

  /** The arguments of simpleRnn and jacobianNorms, checked, as flat arrays. */
  function parseArguments(inputs, kernel, recurrentKernel, bias, options) {
    const x = toTensor(inputs, "inputs", 3, "(batch, time, features)");
    const [batch, steps, features] = x.shape;
    if (steps === 0) throw new RangeError(`inputs must have at least one time step, got [${x.shape}]`);
    const k = toTensor(kernel, "kernel", 2, "(features, units)");
    if (k.shape[0] !== features) {
      throw new RangeError(
        `kernel has ${k.shape[0]} rows (shape [${k.shape}]) but inputs have ${features} ` +
          `features (shape [${x.shape}])`,
      );
    }
    const units = k.shape[1];
    if (units === 0) throw new RangeError(`kernel must have at least one unit, got [${k.shape}]`);
    const r = toTensor(recurrentKernel, "recurrentKernel", 2, "(units, units)");
    checkShape(r, "recurrentKernel", [units, units], "(units, units)");
    let b = null;
    if (bias !== null && bias !== undefined) {
      b = toTensor(bias, "bias", 1, "(units,)");
      checkShape(b, "bias", [units], "(units,)");
    }
    const settings = options === undefined ? {} : options;
    if (typeof settings !== "object" || settings === null) {
      throw new TypeError(`options must be an object, got ${describe(settings)}`);
    }
    const activation = settings.activation === undefined ? "tanh" : settings.activation;
    if (!Object.hasOwn(ACTIVATIONS, activation)) {
      throw new TypeError(
        `options.activation must be one of ${Object.keys(ACTIVATIONS).join(", ")}, ` +
          `got ${JSON.stringify(activation)}`,
      );
    }
    let a0 = new Float64Array(batch * units);
    if (settings.initialState !== undefined && settings.initialState !== null) {
      const s = toTensor(settings.initialState, "options.initialState", 2, "(batch, units)");
      checkShape(s, "options.initialState", [batch, units], "(batch, units)");
      a0 = s.data;
    }
    return {
      x: x.data,
      kernel: k.data,
      recurrent: r.data,
      bias: b === null ? null : b.data,
      a0,
      batch,
      steps,
      features,
      units,
      activation: ACTIVATIONS[activation],
    };
  }

  // -- the recurrence ----------------------------------------------------------------------
  /**
   * Every state of every example: a flat (batch, time + 1, units) array whose step 0 is the
   * initial state a⟨0⟩ and step t is a⟨t⟩ = y⟨t⟩.
   */
  function runStates(p) {
    const { batch, steps, features, units } = p;
    const g = p.activation.g;
    const states = new Float64Array(batch * (steps + 1) * units);
    const recurrentPart = new Float64Array(units);
    for (let b = 0; b < batch; b++) {
      const base = b * (steps + 1) * units;
      states.set(p.a0.subarray(b * units, (b + 1) * units), base);
      for (let t = 1; t <= steps; t++) {
        const previous = base + (t - 1) * units;
        const current = base + t * units;
        const xOffset = (b * steps + t - 1) * features;
        // (eq-simple-rnn-step)  a⟨t⟩ = g(x⟨t⟩ W_ax^T + b_a + a⟨t−1⟩ W_aa^T), in rows:
        // z = x⟨t⟩ @ kernel + bias + a⟨t−1⟩ @ recurrentKernel, in Keras' order of sums
        for (let j = 0; j < units; j++) {
          let z = 0;
          for (let f = 0; f < features; f++) z += p.x[xOffset + f] * p.kernel[f * units + j];
          states[current + j] = p.bias === null ? z : z + p.bias[j];
          recurrentPart[j] = 0;
        }
        for (let i = 0; i < units; i++) {
          const a = states[previous + i];
          const row = i * units;
          for (let j = 0; j < units; j++) recurrentPart[j] += a * p.recurrent[row + j];
        }
        for (let j = 0; j < units; j++) {
          states[current + j] = g(states[current + j] + recurrentPart[j]);
        }
      }
    }
    return states;
  }

  /** The outputs y⟨1⟩ … y⟨T⟩ (batch, time, units) as nested arrays. */
  function simpleRnn(inputs, kernel, recurrentKernel, bias, options) {
    const p = parseArguments(inputs, kernel, recurrentKernel, bias, options);
    const states = runStates(p);
    const { batch, steps, units } = p;
    const output = [];
    for (let b = 0; b < batch; b++) {
      const sequence = [];
      for (let t = 1; t <= steps; t++) {
        const start = (b * (steps + 1) + t) * units;
        sequence.push(Array.from(states.subarray(start, start + units)));
      }
      output.push(sequence);
    }
    return output;
  }

  // -- the spectral norm of a square matrix ------------------------------------------------
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

  /** ‖m‖₂, the largest singular value of the n × n matrix m (row-major, left unchanged). */
  function spectralNorm(m, n, work) {
    let largest = 0;
    for (let i = 0; i < n * n; i++) largest = Math.max(largest, Math.abs(m[i]));
    if (largest === 0 || !Number.isFinite(largest)) return largest;
    // scale by a power of two (exact) so that the Gram matrix neither overflows nor underflows
    const scale = 2 ** -Math.floor(Math.log2(largest));
    const s = work.scaled;
    for (let i = 0; i < n * n; i++) s[i] = m[i] * scale;
    const gram = work.gram; // s sᵀ: its largest eigenvalue is ‖s‖₂²
    for (let i = 0; i < n; i++) {
      for (let k = 0; k <= i; k++) {
        const value = dot(s, i * n, s, k * n, n);
        gram[i * n + k] = value;
        gram[k * n + i] = value;
      }
    }
    return Math.sqrt(Math.max(largestEigenvalue(gram, n, work.v, work.p), 0)) / scale;
  }

  /** out = (m diag(d)) rᵀ for n × n row-major matrices; m is scaled in place. */
  function multiplyTransposed(m, d, r, out, n) {
    for (let i = 0; i < n; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) m[row + j] *= d[j];
    }
    for (let i = 0; i < n; i++) {
      const row = i * n;
      for (let k = 0; k < n; k++) out[row + k] = dot(m, row, r, k * n, n);
    }
  }

  /** Scratch space of the norm computations for n × n matrices. */
  function workspace(n) {
    return {
      scaled: new Float64Array(n * n),
      gram: new Float64Array(n * n),
      v: new Float64Array(n),
      p: new Float64Array(n),
    };
  }

  /**
   * ‖∂a⟨T⟩/∂a⟨t⟩‖₂ for t = 0 … T − 1, for each example: (batch, time) nested arrays.
   *
   * (eq-bptt-jacobian)  ∂a⟨T⟩/∂a⟨t⟩ = ∏_{s=T}^{t+1} diag(g'(z⟨s⟩)) W_aa, accumulated from
   * t = T − 1 down to 0. With W_aa = recurrentKernelᵀ, entry [j][k] of one factor is
   * g'_j(z⟨s⟩) · recurrentKernel[k][j].
   */
  function jacobianNorms(inputs, kernel, recurrentKernel, bias, options) {
    const p = parseArguments(inputs, kernel, recurrentKernel, bias, options);
    const { batch, steps, units: n } = p;
    const states = runStates(p);
    const gradient = p.activation.gradFromOutput;
    const recurrent = p.recurrent;
    const work = workspace(n);
    let jacobian = new Float64Array(n * n);
    let next = new Float64Array(n * n);
    const slope = new Float64Array(n);
    const result = [];
    for (let b = 0; b < batch; b++) {
      jacobian.fill(0);
      for (let i = 0; i < n; i++) jacobian[i * n + i] = 1; // ∂a⟨T⟩/∂a⟨T⟩ = I
      let exponent = 0; // the true Jacobian is jacobian · 2^exponent (no under- or overflow)
      const norms = new Array(steps);
      for (let t = steps - 1; t >= 0; t--) {
        const after = (b * (steps + 1) + t + 1) * n; // a⟨t+1⟩
        for (let j = 0; j < n; j++) slope[j] = gradient(states[after + j]);
        // J⟨t+1⟩ diag(g'(z⟨t+1⟩)), then J⟨t⟩[i][k] = Σ_j (J⟨t+1⟩ diag(g'))[i][j] recurrentKernel[k][j]
        multiplyTransposed(jacobian, slope, recurrent, next, n);
        [jacobian, next] = [next, jacobian];
        let largest = 0;
        for (let i = 0; i < n * n; i++) largest = Math.max(largest, Math.abs(jacobian[i]));
        if (largest > 2 ** 400 || (largest > 0 && largest < 2 ** -400)) {
          const shift = Math.floor(Math.log2(largest));
          const factor = 2 ** -shift;
          for (let i = 0; i < n * n; i++) jacobian[i] *= factor;
          exponent += shift;
        }
        norms[t] = spectralNorm(jacobian, n, work) * 2 ** exponent;
      }
      result.push(norms);
    }
    return result;
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
   * A random orthogonal n × n matrix (row-major): the Q of the QR decomposition of a standard
   * normal matrix, with R's diagonal made positive, as Keras' Orthogonal initializer does.
   * Modified Gram–Schmidt on the columns, done twice so that Q is orthogonal to rounding.
   */
  function orthogonal(n, rng) {
    const q = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) q[i] = rng.normal();
    for (let c = 0; c < n; c++) {
      for (let pass = 0; pass < 2; pass++) {
        for (let prev = 0; prev < c; prev++) {
          let dot = 0;
          for (let i = 0; i < n; i++) dot += q[i * n + prev] * q[i * n + c];
          for (let i = 0; i < n; i++) q[i * n + c] -= dot * q[i * n + prev];
        }
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm = Math.hypot(norm, q[i * n + c]);
      for (let i = 0; i < n; i++) q[i * n + c] /= norm;
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
    rho: 0.9,
    matrix: "orthogonal",
    inputScale: 1,
    biasScale: 0,
    activation: "tanh",
    steps: 200,
    units: 32,
    pattern: "impulse",
    seed: 1,
  };

  /**
   * The weights and the input sequence for the page's settings.
   *
   * kernel ~ glorot_uniform, Keras' default; W_aa = ρ Q with Q random orthogonal
   * ("orthogonal", eigenvalues all of modulus ρ), or S ρQ S⁻¹ with the shear
   * S = I + β u vᵀ (u ⟂ v unit vectors, S⁻¹ = I − β u vᵀ): the same eigenvalues, so the same
   * spectral radius ρ, but a non-normal matrix ("nonnormal") with condition number κ(S); with
   * one unit there is no shear (shear is null).
   * bias ~ biasScale · N(0, 1). Inputs: inputScale times one at step 1 ("impulse"), N(0, 1)
   * at every step ("random") or one at every step ("constant"), in all features. Each part
   * has its own random stream, so changing T keeps the first steps' inputs.
   */
  function makeModel(settings) {
    const s = Object.assign({}, DEFAULTS, settings);
    const n = s.units;
    const features = FEATURES;
    const limit = Math.sqrt(6 / (features + n));
    const kernelRng = generator(s.seed, 0);
    const kernel = new Float64Array(features * n);
    for (let i = 0; i < kernel.length; i++) kernel[i] = (2 * kernelRng.uniform() - 1) * limit;

    const q = orthogonal(n, generator(s.seed, 1));
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
    return {
      settings: s,
      inputs: [inputs],
      kernel: nested(kernel, features, n),
      recurrentKernel: nested(recurrent, n, n),
      bias: Array.from(bias),
      orthogonal: nested(q, n, n),
      shear,
    };
  }

  window.rnnPlayground = Object.assign(window.rnnPlayground || {}, {
    ACTIVATIONS: Object.keys(ACTIVATIONS),
    DEFAULTS,
    FEATURES,
    simpleRnn,
    jacobianNorms,
    makeModel,
  });
})();
