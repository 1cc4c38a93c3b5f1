"""The playground's script (docs/_static/playground/rnn.js) for the gated cells, in the browser.

``rnnPlayground.gru``, ``rnnPlayground.lstm`` and ``rnnPlayground.gateValues`` against
``rnn_playground.gru``/``lstm`` and the package's own forward pass (the gates), for both GRU
variants, the LSTM and every pair of activation and recurrent activation the script accepts, on
random weights, inputs and initial states; ``jacobianNorms`` and ``inputGradientNorms`` of every
cell against Jacobians stacked from the package's backward passes (``simple_rnn_backward``,
``gru_backward``, ``lstm_backward`` with unit output or state gradients), never against the
script itself. Then the norms at the edges of float64, and the argument checks the issue asked
for (unknown option keys, a function as activation, ``makeModel``'s settings).

Needs the built site and a Chromium (see browsing.py).
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest
from test_playground import TOLERANCE, relative_difference

from rnn_playground import (
    GRUParams,
    LSTMParams,
    SimpleRNNParams,
    _recurrence,
    gru,
    gru_backward,
    lstm,
    lstm_backward,
    simple_rnn,
    simple_rnn_backward,
)
from rnn_playground.activations import get_activation

pytestmark = pytest.mark.browser

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
RECURRENT_ACTIVATIONS = ("sigmoid", "hard_sigmoid", "tanh", "relu", "linear")
PAIRS = list(itertools.product(ACTIVATIONS, RECURRENT_ACTIVATIONS))
VARIANTS = ("gru", "gru_before", "lstm")  # the cells with gates; "gru_before": reset_after=False


# -- random cases, and the script's and the package's view of them ----------------------------
def random_case(rng, variant, *, gain=1.0, steps=None, tame=False):
    """Weights, inputs and an initial state (or None) in Keras' layout for one cell. ``tame``:
    shorter and smaller, for activations without bound (a relu or linear gate multiplies the
    state by an unbounded factor at every step: float64 overflows within a few dozen)."""
    blocks = 4 if variant == "lstm" else 3
    batch, length = int(rng.integers(1, 3)), steps or int(rng.integers(1, 6 if tame else 9))
    gain = min(gain, 0.6) if tame else gain
    features, units = int(rng.integers(1, 5)), int(rng.integers(1, 6))
    x = rng.standard_normal((batch, length, features)) * (0.5 if tame else 1)
    kernel = rng.standard_normal((features, blocks * units)) / np.sqrt(features)
    recurrent = rng.standard_normal((units, blocks * units)) * gain / np.sqrt(units)
    bias = None
    if rng.random() < 0.8:
        shape = (2, 3 * units) if variant == "gru" else (blocks * units,)
        bias = rng.normal(0, 0.5, shape)
    initial = None
    if rng.random() < 0.8:
        count = 2 if variant == "lstm" else 1
        initial = [rng.standard_normal((batch, units)) for _ in range(count)]
    return x, kernel, recurrent, bias, initial


def params_of(variant, kernel, recurrent, bias):
    if variant == "lstm":
        return LSTMParams(kernel, recurrent, bias)
    if variant == "gru":
        return GRUParams(kernel, recurrent, bias, reset_after=True)
    if variant == "gru_before":
        return GRUParams(kernel, recurrent, bias, reset_after=False)
    return SimpleRNNParams(kernel, recurrent, bias)


def js_options(variant, activation, recurrent_activation, initial):
    options = {"cell": "gru" if variant.startswith("gru") else variant, "activation": activation}
    if variant != "simple_rnn":
        options["recurrentActivation"] = recurrent_activation
    if variant.startswith("gru"):
        options["resetAfter"] = variant == "gru"
    if initial is not None:
        options["initialState"] = (
            [s.tolist() for s in initial] if variant == "lstm" else initial[0].tolist()
        )
    return options


def call(page, function, x, kernel, recurrent, bias, options):
    return page.evaluate(
        f"([x, k, r, b, o]) => rnnPlayground.{function}(x, k, r, b, o)",
        [x.tolist(), kernel.tolist(), recurrent.tolist(),
         None if bias is None else np.asarray(bias).tolist(), options],
    )  # fmt: skip


def package_keywords(variant, activation, recurrent_activation, initial):
    keywords = {"activation": activation}
    if variant != "simple_rnn":
        keywords["recurrent_activation"] = recurrent_activation
    if initial is not None:
        keywords["initial_state"] = list(initial) if variant == "lstm" else initial[0]
    return keywords


# -- Jacobians from the package's backward passes -----------------------------------------------
FORWARD = {"simple_rnn": simple_rnn, "gru": gru, "gru_before": gru, "lstm": lstm}
BACKWARD = {
    "simple_rnn": simple_rnn_backward,
    "gru": gru_backward,
    "gru_before": gru_backward,
    "lstm": lstm_backward,
}


def state_after(variant, x, params, keywords, t):
    """s⟨t⟩ of one example (1, T, D) from the package's forward pass: a list of (1, units)."""
    units = params.units
    if t == 0:
        start = keywords.get("initial_state")
        count = 2 if variant == "lstm" else 1
        if start is None:
            return [np.zeros((1, units))] * count
        return list(start) if variant == "lstm" else [start]
    result = FORWARD[variant](x[:, :t], params, return_state=True, **keywords)
    return list(result[1:]) if variant == "lstm" else [result[1]]


def reference_norms(variant, x, params, keywords):
    """(‖∂s⟨T⟩/∂s⟨t⟩‖₂ for t = 0 … T − 1, ‖∂y⟨T⟩/∂x⟨t⟩‖₂ for t = 1 … T) of one example.

    Row i of ∂s⟨T⟩/∂s⟨t⟩ is the gradient of the initial state of the backward pass run on
    steps t + 1 … T from s⟨t⟩, with the final state's gradient e_i and no output gradient;
    row i of ∂y⟨T⟩/∂x⟨t⟩ is the input gradient at step t of the backward pass over the whole
    sequence with the last output's gradient e_i."""
    units = params.units
    size = 2 * units if variant == "lstm" else units
    _, steps, _ = x.shape
    rest = {k: v for k, v in keywords.items() if k != "initial_state"}
    states = []
    for t in range(steps):
        start = state_after(variant, x, params, keywords, t)
        eye = np.eye(size)
        if variant == "lstm":
            initial = [np.repeat(s, size, axis=0) for s in start]
            state_grad = (eye[:, :units], eye[:, units:])
        else:
            initial = np.repeat(start[0], size, axis=0)
            state_grad = eye
        grads = BACKWARD[variant](
            np.repeat(x[:, t:], size, axis=0),
            params,
            np.zeros((size, units)),
            initial_state=initial,
            state_grad=state_grad,
            **rest,
        )
        if variant == "lstm":
            jacobian = np.concatenate(grads.initial_state, axis=1)
        else:
            jacobian = grads.initial_state
        states.append(np.linalg.norm(jacobian, 2))
    initial = keywords.get("initial_state")
    if initial is not None:
        initial = [np.repeat(s, units, axis=0) for s in initial] if variant == "lstm" else (
            np.repeat(initial, units, axis=0))  # fmt: skip
    grads = BACKWARD[variant](
        np.repeat(x, units, axis=0),
        params,
        np.eye(units),  # ∂L/∂y⟨T⟩ = e_i for example i
        initial_state=initial,
        **rest,
    )
    inputs = [np.linalg.norm(grads.inputs[:, t, :], 2) for t in range(steps)]
    return np.array(states), np.array(inputs)


# -- the forward passes and the gates -----------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_gated_outputs_and_gates_match_the_package(playground, variant):
    rng = np.random.default_rng(100 + VARIANTS.index(variant))
    largest = 0.0
    for activation, recurrent_activation in PAIRS:
        for gain in (0.5, 1.5):
            tame = recurrent_activation in ("relu", "linear")
            x, kernel, recurrent, bias, initial = random_case(rng, variant, gain=gain, tame=tame)
            params = params_of(variant, kernel, recurrent, bias)
            keywords = package_keywords(variant, activation, recurrent_activation, initial)
            theirs = FORWARD[variant](x, params, return_sequences=True, **keywords)
            options = js_options(variant, activation, recurrent_activation, initial)
            function = "lstm" if variant == "lstm" else "gru"
            only_cell = {k: v for k, v in options.items() if k != "cell"}
            ours = np.array(call(playground, function, x, kernel, recurrent, bias, only_cell))
            assert ours.shape == theirs.shape
            # relative to the largest value: linear gates let the states grow like a power
            scale = max(1.0, float(np.max(np.abs(theirs))))
            largest = max(largest, float(np.max(np.abs(ours - theirs))) / scale)

            # the gates, against the package's forward pass that keeps them
            values = call(playground, "gateValues", x, kernel, recurrent, bias, options)
            states_of = _recurrence.lstm_states if variant == "lstm" else _recurrence.gru_states
            start = keywords.get("initial_state")
            count = 2 if variant == "lstm" else 1
            start = [np.zeros((len(x), params.units))] * count if start is None else (
                list(start) if variant == "lstm" else [start])  # fmt: skip
            states, gates = states_of(
                x.transpose(1, 0, 2).copy(),
                tuple(np.array(s, dtype=float) for s in start),
                None,
                params,
                get_activation(activation).forward,
                get_activation(recurrent_activation).forward,
            )
            gates = _recurrence.keras_columns(gates)  # gate-major -> Keras' column blocks
            scale = max(scale, float(np.max(np.abs(gates))))
            names = ["i", "f", "candidate", "o"] if variant == "lstm" else ["z", "r", "candidate"]
            for block, name in enumerate(names):
                expected = gates[:, :, block * params.units : (block + 1) * params.units]
                got = np.array(values[name]).transpose(1, 0, 2)
                largest = max(largest, float(np.max(np.abs(got - expected))) / scale)
            got_h = np.array(values["h"]).transpose(1, 0, 2)
            largest = max(largest, float(np.max(np.abs(got_h - states[0][1:]))) / scale)
            if variant == "lstm":
                c_scale = max(1.0, float(np.max(np.abs(states[1]))))
                got_c = np.array(values["c"]).transpose(1, 0, 2)
                largest = max(largest, float(np.max(np.abs(got_c - states[1][1:]))) / c_scale)
    print(f"{variant}: largest difference {largest:.1e} over {len(PAIRS)} activation pairs")
    assert largest <= TOLERANCE


@pytest.mark.parametrize("variant", ["simple_rnn", *VARIANTS])
def test_norms_match_the_package(playground, variant):
    rng = np.random.default_rng(200 + ("simple_rnn", *VARIANTS).index(variant))
    pairs = [(a, "sigmoid") for a in ACTIVATIONS] if variant == "simple_rnn" else PAIRS
    largest = {"state": 0.0, "input": 0.0}
    for activation, recurrent_activation in pairs:
        gain = rng.choice([0.5, 1.0, 2.0])
        tame = recurrent_activation in ("relu", "linear")
        x, kernel, recurrent, bias, initial = random_case(rng, variant, gain=gain, tame=tame)
        if variant == "simple_rnn":  # one block
            units = recurrent.shape[0]
            kernel, recurrent = kernel[:, :units], recurrent[:, :units]
            bias = None if bias is None else np.ravel(bias)[:units]
            initial = None if initial is None else initial[:1]
        params = params_of(variant, kernel, recurrent, bias)
        keywords = package_keywords(variant, activation, recurrent_activation, initial)
        options = js_options(variant, activation, recurrent_activation, initial)
        ours = call(playground, "gradientNorms", x, kernel, recurrent, bias, options)
        alone = {
            "state": call(playground, "jacobianNorms", x, kernel, recurrent, bias, options),
            "input": call(playground, "inputGradientNorms", x, kernel, recurrent, bias, options),
        }
        for b in range(len(x)):
            example = {k: v for k, v in keywords.items() if k != "initial_state"}
            if initial is not None:
                start = [s[b : b + 1] for s in initial]
                example["initial_state"] = start if variant == "lstm" else start[0]
            states, inputs = reference_norms(variant, x[b : b + 1], params, example)
            for kind, reference in (("state", states), ("input", inputs)):
                assert ours[kind][b] == alone[kind][b], "one sweep or two: the same numbers"
                assert len(ours[kind][b]) == len(reference)
                largest[kind] = max(largest[kind], relative_difference(ours[kind][b], reference))
    print(f"{variant}: largest relative differences {largest}")
    assert largest["state"] <= TOLERANCE
    assert largest["input"] <= TOLERANCE


# -- the edges of float64 -----------------------------------------------------------------------
def test_the_issue_reproducers(playground):
    """A 1e-310 recurrent weight (a subnormal): the norm is 1e-310, not NaN; a 2 × 2 recurrent
    matrix of 1e308: the product overflows, the norm is Infinity, not NaN."""
    tiny = playground.evaluate(
        "() => rnnPlayground.jacobianNorms([[[0]]], [[0]], [[1e-310]], null, "
        "{activation: 'linear'})"
    )
    assert tiny == [[1e-310]]
    huge = playground.evaluate(
        "() => rnnPlayground.jacobianNorms([[[0], [0]]], [[0, 0]],"
        " [[1e308, 1e308], [1e308, 1e308]], null, {activation: 'linear'})"
    )
    # ‖W²‖ = 4e616 and ‖W‖ = 2e308: both beyond float64
    assert huge == [[math.inf, math.inf]]


def log2_norms_of_powers(matrix, steps):
    """log2 ‖Mᵏ‖₂ for k = steps … 1 (t = 0 … T − 1), M = 2^e · m computed at scale 1."""
    exponent = math.frexp(float(np.abs(matrix).max()))[1]
    unit = matrix / 2.0**exponent
    logs, power = [], np.eye(len(matrix))
    for k in range(1, steps + 1):
        power = power @ unit
        logs.append(math.log2(np.linalg.norm(power, 2)) + k * exponent)
    return np.array(logs[::-1])


@pytest.mark.parametrize("scale", [1e-200, 1e-100, 1e100, 1e200])
def test_norms_at_the_edges_of_float64(playground, scale):
    """A linear SimpleRNN: ∂a⟨T⟩/∂a⟨t⟩ = W_aa^(T−t). With entries of 10^±100 or 10^±200 the
    products leave float64's range after a few steps: every norm must be the true one (checked
    in log2 against powers of the matrix scaled to 1), 0 where it is below the smallest
    subnormal number, Infinity where above the largest number, never NaN."""
    rng = np.random.default_rng(7)
    units, steps = 3, 8
    recurrent = rng.standard_normal((units, units)) * scale
    x = np.zeros((1, steps, 1))
    ours = np.array(call(playground, "jacobianNorms", x, np.zeros((1, units)), recurrent, None,
                         {"activation": "linear"})[0])  # fmt: skip
    logs = log2_norms_of_powers(recurrent.T, steps)
    assert not np.any(np.isnan(ours))
    for value, log in zip(ours, logs, strict=True):
        if log > 1024:
            assert value == math.inf
        elif log < -1075:
            assert value == 0
        elif log > -1020:
            assert abs(math.log2(value) - log) < 1e-12 * max(1, abs(log)) + 1e-12, (value, log)
    # where the package's float64 holds every number, the same as its backward pass
    params = SimpleRNNParams(np.zeros((1, units)), recurrent)
    compared = 0
    for t in range(steps - 2, steps):
        if abs(logs[t]) < 900:
            grads = simple_rnn_backward(np.zeros((units, steps - t, 1)), params,
                                        np.zeros((units, units)), activation="linear",
                                        state_grad=np.eye(units))  # fmt: skip
            reference = np.linalg.norm(grads.initial_state, 2)
            assert abs(ours[t] - reference) <= TOLERANCE * reference
            compared += 1
    assert compared >= 1


def test_gated_norms_beyond_float64(playground):
    """A GRU whose candidate is linear, with x = 0, h⟨0⟩ = 0 and no bias: the states stay 0,
    z = r = ½ and ∂h⟨t⟩/∂h⟨t−1⟩ = ½ I + ¼ U_hᵀ exactly. With U_h of order 10^100 the norms
    overflow after three steps: Infinity there, the true value before (10^−100 relative terms
    aside), never NaN."""
    rng = np.random.default_rng(11)
    units, steps = 3, 6
    recurrent = rng.standard_normal((units, 3 * units)) * 1e100
    x = np.zeros((1, steps, 2))
    options = {"cell": "gru", "activation": "linear"}
    ours = np.array(call(playground, "jacobianNorms", x, np.zeros((2, 3 * units)), recurrent,
                         None, options)[0])  # fmt: skip
    factor = 0.5 * np.eye(units) + 0.25 * recurrent[:, 2 * units :].T
    logs = log2_norms_of_powers(factor, steps)
    for value, log in zip(ours, logs, strict=True):
        if log > 1024:
            assert value == math.inf
        else:
            assert abs(math.log2(value) - log) < 1e-12 * abs(log), (value, log)


# -- the checks at the boundary ------------------------------------------------------------------
CALLS = {
    "simpleRnn": "[[[1]]], [[1]], [[1]], null",
    "gru": "[[[1]]], [[1, 1, 1]], [[1, 1, 1]], null",
    "lstm": "[[[1]]], [[1, 1, 1, 1]], [[1, 1, 1, 1]], null",
    "jacobianNorms": "[[[1]]], [[1]], [[1]], null",
    "inputGradientNorms": "[[[1]]], [[1]], [[1]], null",
    "gradientNorms": "[[[1]]], [[1]], [[1]], null",
    "gateValues": "[[[1]]], [[1, 1, 1]], [[1, 1, 1]], null",
}


@pytest.mark.parametrize("function", CALLS)
def test_an_unknown_option_is_a_type_error_naming_it(playground, function):
    from playwright.sync_api import Error

    cell = {"gateValues": "cell: 'gru', "}.get(function, "")
    with pytest.raises(Error, match=r'TypeError: .*unknown option "activaton"'):
        playground.evaluate(
            f"() => rnnPlayground.{function}({CALLS[function]}, {{{cell}activaton: 'relu'}})"
        )


@pytest.mark.parametrize(
    ("call", "error"),
    [
        # a function as activation is named as one, not "got undefined"
        ("simpleRnn([[[1]]], [[1]], [[1]], null, {activation: Math.tanh})",
         "TypeError: options.activation must be one of tanh, relu, sigmoid, linear, "
         "got a function"),
        ("gru([[[1]]], [[1, 1, 1]], [[1, 1, 1]], null, {recurrentActivation: (x) => x})",
         "TypeError: options.recurrentActivation must be one of tanh, relu, sigmoid, linear, "
         "hard_sigmoid, got a function"),
        # options that belong to another cell, and the cell's own shapes
        ("simpleRnn([[[1]]], [[1]], [[1]], null, {recurrentActivation: 'sigmoid'})",
         'TypeError: simpleRnn: unknown option "recurrentActivation"'),
        ("jacobianNorms([[[1]]], [[1]], [[1]], null, {resetAfter: false})",
         'TypeError: jacobianNorms (cell simple_rnn): unknown option "resetAfter"'),
        ("jacobianNorms([[[1]]], [[1]], [[1]], null, {cell: 'rnn'})",
         'TypeError: options.cell must be one of simple_rnn, gru, lstm, got "rnn"'),
        ("gru([[[1]]], [[1, 1]], [[1, 1]], null)",
         "RangeError: kernel must have 3·units columns"),
        ("gru([[[1]]], [[1, 1, 1]], [[1, 1, 1]], [1, 1, 1])",
         "TypeError: bias must be a nested array of rank 2 (2, 3·units) with resetAfter"),
        ("gru([[[1]]], [[1, 1, 1]], [[1, 1, 1]], [[1, 1, 1]], {resetAfter: false})",
         "TypeError: bias[0] must be a number, got an array of length 3"),
        ("gru([[[1]]], [[1, 1, 1]], [[1, 1, 1]], null, {resetAfter: 0})",
         "TypeError: options.resetAfter must be true or false, got number 0"),
        ("lstm([[[1]]], [[1, 1, 1, 1]], [[1, 1, 1, 1]], null, {initialState: [[0]]})",
         "TypeError: options.initialState of the LSTM must be a pair [h0, c0]"),
        ("lstm([[[1]]], [[1, 1, 1, 1]], [[1, 1, 1, 1]], null, {initialState: [[[0]], [[0, 1]]]})",
         "RangeError: options.initialState[1] must have shape (batch, units) = [1,1]"),
        # makeModel checks its settings at the boundary
        ("makeModel({units: -1})",
         "RangeError: settings.units must be an integer from 1 to 256, got -1"),
        ("makeModel({units: NaN})",
         "RangeError: settings.units must be an integer from 1 to 256, got NaN"),
        ("makeModel({units: '8'})", 'TypeError: settings.units must be a number, got "8"'),
        ("makeModel({seed: -1})",
         "RangeError: settings.seed must be an integer from 0 to 4294967295, got -1"),
        ("makeModel({seed: 2.5})",
         "RangeError: settings.seed must be an integer from 0 to 4294967295, got 2.5"),
        ("makeModel({steps: 0})",
         "RangeError: settings.steps must be an integer from 1 to 10000, got 0"),
        ("makeModel({rho: -0.5})",
         "RangeError: settings.rho must be a finite number ≥ 0, got -0.5"),
        ("makeModel({forgetBias: Infinity})",
         "RangeError: settings.forgetBias must be a finite number, got Infinity"),
        ("makeModel({cell: 'GRU'})",
         'TypeError: settings.cell must be one of simple_rnn, gru, lstm, got "GRU"'),
        ("makeModel({unit: 8})", 'TypeError: makeModel: unknown option "unit"'),
        ("makeModel(7)", "TypeError: makeModel: options must be an object, got number 7"),
    ],
)  # fmt: skip
def test_bad_arguments_are_named(playground, call, error):
    from playwright.sync_api import Error

    with pytest.raises(Error, match=re.escape(error)):
        playground.evaluate(f"() => rnnPlayground.{call}")


def test_seeds_are_distinct_and_arguments_untouched(playground):
    """Seed 0 and the largest seed differ (−1 no longer wraps around to 4294967295); the
    functions leave their arguments as they were."""
    first, last = playground.evaluate(
        "() => [rnnPlayground.makeModel({seed: 0}), rnnPlayground.makeModel({seed: 4294967295})]"
    )
    assert first["kernel"] != last["kernel"]
    changed = playground.evaluate(
        """() => {
          const m = rnnPlayground.makeModel({cell: "lstm", units: 3, steps: 4, seed: 3});
          const options = {...m.options, initialState: [[[0.1, 0.2, 0.3]], [[0.3, 0.2, 0.1]]]};
          const args = [m.inputs, m.kernel, m.recurrentKernel, m.bias, options];
          const before = JSON.stringify(args);
          const { cell, ...own } = options;
          rnnPlayground.lstm(m.inputs, m.kernel, m.recurrentKernel, m.bias, own);
          rnnPlayground.gateValues(...args);
          rnnPlayground.gradientNorms(...args);
          return JSON.stringify(args) !== before;
        }"""
    )
    assert not changed


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_page_weights_are_as_the_page_says(playground, variant):
    """Gated cells: glorot_uniform kernel, ρ times orthonormal rows (Keras' orthogonal
    initializer for (units, m·units)), and the gate biases the sliders set."""
    cell = "lstm" if variant == "lstm" else "gru"
    m = playground.evaluate(
        "(s) => rnnPlayground.makeModel(s)",
        {"cell": cell, "resetAfter": variant == "gru", "units": 5, "rho": 0.7,
         "forgetBias": 1.5, "updateBias": -2, "biasScale": 0},
    )  # fmt: skip
    blocks = 4 if cell == "lstm" else 3
    recurrent = np.array(m["recurrentKernel"])
    assert recurrent.shape == (5, blocks * 5)
    assert np.allclose(recurrent @ recurrent.T, 0.49 * np.eye(5), rtol=0, atol=1e-13)
    kernel = np.array(m["kernel"])
    assert kernel.shape == (4, blocks * 5)
    assert np.abs(kernel).max() <= np.sqrt(6 / (4 + blocks * 5))
    bias = np.array(m["bias"])
    if variant == "gru":
        assert bias.shape == (2, 15)
        assert np.all(bias[0, :5] == -2)
        assert np.all(bias[0, 5:] == 0)
        assert np.all(bias[1] == 0)
    elif variant == "gru_before":
        assert bias.shape == (15,)
        assert np.all(bias[:5] == -2)
        assert np.all(bias[5:] == 0)
    else:
        assert np.all(bias[5:10] == 1.5)
        assert np.all(np.delete(bias, np.s_[5:10]) == 0)


# -- the page: the cell selector, the gate traces, the connectivity view, presets ---------------
@pytest.fixture
def fresh(browser, site_url):
    """A playground page of its own (these tests focus controls directly, never Tab through the
    formulas: no wait for MathJax's speech)."""
    from test_playground import open_playground

    context, page = open_playground(browser, site_url, keyboard=False)
    yield page
    try:
        assert not page.off_host, f"requests left the host: {page.off_host}"
        assert not page.errors, f"errors in the page: {page.errors}"
    finally:
        context.close()


@pytest.fixture(scope="module")
def seed_page(browser, site_url):
    """One playground page for the seed box's cases: each case starts by setting seed 17 and
    checks that the box accepts it, so none depends on the one before."""
    from test_playground import open_playground

    context, page = open_playground(browser, site_url, keyboard=False)
    yield page
    context.close()


def wait_for_redraw(page, action):
    revision = page.evaluate("() => rnnPlayground.view.revision")
    action()
    page.wait_for_function(f"() => rnnPlayground.view.revision > {revision}")


def set_value(page, selector, value):
    page.evaluate(
        """([s, v]) => {
          const input = document.querySelector(s);
          input.value = v;
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }""",
        [selector, value],
    )


def package_of(m):
    """The page's model as the package's parameters, the inputs and the variant name."""
    s = m["settings"]
    variant = "gru_before" if s["cell"] == "gru" and not s["resetAfter"] else s["cell"]
    params = params_of(variant, np.array(m["kernel"]), np.array(m["recurrentKernel"]),
                       np.array(m["bias"]))  # fmt: skip
    return variant, params, np.array(m["inputs"])


def package_gates(variant, params, x, activation="tanh"):
    states_of = _recurrence.lstm_states if variant == "lstm" else _recurrence.gru_states
    count = 2 if variant == "lstm" else 1
    states, gates = states_of(
        x.transpose(1, 0, 2).copy(),
        tuple(np.zeros((len(x), params.units)) for _ in range(count)),
        None,
        params,
        get_activation(activation).forward,
        get_activation("sigmoid").forward,
    )
    gates = _recurrence.keras_columns(gates)  # gate-major -> Keras' column blocks
    names = ["i", "f", "candidate", "o"] if variant == "lstm" else ["z", "r", "candidate"]
    units = params.units
    out = {n: gates[:, 0, k * units : (k + 1) * units] for k, n in enumerate(names)}
    out["h"] = states[0][1:, 0]
    if variant == "lstm":
        out["c"] = states[1][1:, 0]
    return out


def polyline(page, selector):
    d = page.get_attribute(selector, "d")
    return np.array([[float(v) for v in p.split(",")] for p in re.split("[ML]", d)[1:]])


@pytest.mark.parametrize("choice", ["gru", "gru_before", "lstm"])
def test_the_views_of_a_gated_cell_show_the_package_numbers(fresh, choice):
    """Choose the cell with the keyboard; the states, the chosen unit's gates, the Jacobian
    norms and the connectivity drawn are the package's, for the page's own weights."""
    page = fresh
    wait_for_redraw(page, lambda: set_value(page, "#pg-steps", "40"))
    page.focus("#pg-cell")
    presses = {"gru": 1, "gru_before": 2, "lstm": 3}[choice]
    for _ in range(presses):
        wait_for_redraw(page, lambda: page.keyboard.press("ArrowDown"))
    view = page.evaluate("() => rnnPlayground.view")
    assert page.input_value("#pg-cell") == choice
    variant, params, x = package_of(view["model"])
    assert variant == choice
    expected = package_gates(variant, params, x)
    assert np.abs(np.array(view["outputs"]) - expected["h"]).max() <= TOLERANCE
    for name, values in view["gates"].items():
        assert np.abs(np.array(values) - expected[name]).max() <= TOLERANCE, name

    # the gate traces: one curve per gate, its height linear in the package's gate value
    j = view["unit"] - 1
    names = ["i", "f", "o"] if variant == "lstm" else ["z", "r"]
    drawn = page.eval_on_selector_all("#pg-gates path.pg-gate", "ps => ps.map(p => p.dataset.gate)")
    assert drawn == names
    for name in names:
        points = polyline(page, f'#pg-gates path[data-gate="{name}"]')
        values = expected[name][:, j]
        assert len(points) == len(values)
        fit = np.polyfit(values, points[:, 1], 1)
        assert fit[0] < 0
        assert np.abs(np.polyval(fit, values) - points[:, 1]).max() < 0.01
    assert not page.is_hidden("#pg-gates-view")
    if variant == "lstm":  # the cell state, beside h in the trajectory
        points = polyline(page, "#pg-trajectory path.pg-line-cell")
        values = np.concatenate([[0], expected["c"][:, j]])
        fit = np.polyfit(values, points[:, 1], 1)
        assert np.abs(np.polyval(fit, values) - points[:, 1]).max() < 0.01

    states, inputs = reference_norms(variant, x, params, {"activation": "tanh"})
    assert relative_difference(view["norms"], states) <= TOLERANCE
    assert relative_difference(view["inputNorms"], inputs) <= TOLERANCE
    points = polyline(page, "#pg-connectivity path.pg-line")
    assert len(points) == len(inputs)
    fit = np.polyfit(np.log10(inputs), points[:, 1], 1)
    assert np.abs(np.polyval(fit, np.log10(inputs)) - points[:, 1]).max() < 0.01
    # the controls that do not apply to this cell are off, the others on
    assert page.is_disabled('input[name="pg-matrix"][value="nonnormal"]')
    assert page.is_disabled("#pg-forget-bias") == (variant != "lstm")
    assert page.is_disabled("#pg-update-bias") == (variant == "lstm")
    assert page.is_hidden("#pg-terms")


def test_the_gate_bias_sliders_move_the_gates(fresh):
    page = fresh
    wait_for_redraw(page, lambda: page.select_option("#pg-cell", "lstm"))
    before = page.evaluate("() => rnnPlayground.view.gates.f")
    page.focus("#pg-forget-bias")
    wait_for_redraw(page, lambda: page.keyboard.press("End"))
    assert page.evaluate("() => rnnPlayground.view.settings.forgetBias") == 5
    after = page.evaluate("() => rnnPlayground.view.gates.f")
    assert np.min(np.array(after) - np.array(before)) > 0, "a larger b_f opens every f"
    wait_for_redraw(page, lambda: page.select_option("#pg-cell", "gru"))
    page.focus("#pg-update-bias")
    wait_for_redraw(page, lambda: page.keyboard.press("Home"))
    m = page.evaluate("() => rnnPlayground.view.model")
    assert m["settings"]["updateBias"] == -4
    assert np.all(np.array(m["bias"])[0, :32] == -4)


@pytest.mark.parametrize("text", ["5e2", "1.5", "-5", "99999999", "abc", ""])
def test_the_seed_box_uses_the_seed_it_shows_or_refuses(seed_page, text):
    """parseInt used to read "5e2" as 5, "1.5" as 1, "-5" as 0 and "99999999" as 9999 while the
    box showed the text: now the page keeps the last seed and says so, visibly."""
    page = seed_page
    errors_before = len(page.errors)
    page.fill("#pg-seed", "17")
    page.wait_for_function("() => rnnPlayground.view.settings.seed === 17")
    assert page.get_attribute("#pg-seed", "aria-invalid") == "false"
    revision = page.evaluate("() => rnnPlayground.view.revision")
    if re.fullmatch(r"[-0-9.e]*", text):
        page.fill("#pg-seed", text)
    else:  # a number box takes no letters but e: what a person types is dropped
        page.focus("#pg-seed")
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")
        page.wait_for_function(f"() => rnnPlayground.view.revision > {revision}")
        revision = page.evaluate("() => rnnPlayground.view.revision")
        page.keyboard.type(text)
        page.wait_for_timeout(100)
        page.evaluate("() => document.getElementById('pg-seed').dispatchEvent(new Event('input'))")
    page.wait_for_function(f"() => rnnPlayground.view.revision > {revision}")
    assert page.evaluate("() => rnnPlayground.view.settings.seed") == 17
    assert page.get_attribute("#pg-seed", "aria-invalid") == "true"
    message = page.locator("#pg-seed-message")
    assert message.is_visible()
    assert "Not a seed" in message.text_content()
    assert "Still seed 17" in message.text_content()
    assert page.text_content("#pg-seed-value") == "17"
    page.fill("#pg-seed", "42")
    page.wait_for_function("() => rnnPlayground.view.settings.seed === 42")
    assert page.get_attribute("#pg-seed", "aria-invalid") == "false"
    assert page.text_content("#pg-seed-value") == "42"
    assert not page.off_host, f"requests left the host: {page.off_host}"
    assert page.errors[errors_before:] == [], "errors in the page"


PRESET_CHAPTERS = {
    "simple-rnn": "bptt.html",
    "lstm-forget-bias": "lstm.html",
    "lstm-no-forget-bias": "lstm.html",
    "lstm-cell-path": "gated-bptt.html",
    "gru-update-shut": "why-gates.html",
    "gru-reset-before": "gru.html",
}


def test_every_preset_links_its_chapter_and_sets_the_controls(fresh):
    page = fresh
    for preset, chapter in PRESET_CHAPTERS.items():
        item = page.locator(f'li:has(button[data-preset="{preset}"])')
        hrefs = item.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert any(h.split("#")[0] == chapter for h in hrefs), (preset, hrefs)
        button = page.locator(f'button[data-preset="{preset}"]')
        button.focus()
        wait_for_redraw(page, lambda: page.keyboard.press("Enter"))
        s = page.evaluate("() => rnnPlayground.view.settings")
        assert (s["pattern"], s["steps"], s["units"], s["rho"]) == ("random", 200, 32, 1)
        assert button.text_content().strip() in page.text_content("#pg-status")


def first_step_norms(page, **settings):
    """‖∂s⟨T⟩/∂s⟨0⟩‖₂ and ‖∂y⟨T⟩/∂x⟨1⟩‖₂ for the page's weights, from the package's backward
    passes; and the package's gates."""
    base = {"pattern": "random", "rho": 1, "steps": 200, "units": 32}
    m = page.evaluate("(s) => rnnPlayground.makeModel(s)", {**base, **settings})
    variant, params, x = package_of(m)
    units = params.units
    size = 2 * units if variant == "lstm" else units
    eye = np.eye(size)
    state_grad = (eye[:, :units], eye[:, units:]) if variant == "lstm" else eye
    grads = BACKWARD[variant](np.repeat(x, size, axis=0), params, np.zeros((size, units)),
                              state_grad=state_grad)  # fmt: skip
    jacobian = grads.initial_state
    if variant == "lstm":
        jacobian = np.concatenate(jacobian, axis=1)
    grads = BACKWARD[variant](np.repeat(x, units, axis=0), params, np.eye(units))
    gates = None if variant == "simple_rnn" else package_gates(variant, params, x)
    return np.linalg.norm(jacobian, 2), np.linalg.norm(grads.inputs[:, 0, :], 2), gates


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_what_the_presets_say(playground, seed):
    """The statements next to the presets, for seeds 1 to 3, with the package."""
    state, inputs, _ = first_step_norms(playground, cell="simple_rnn", seed=seed)
    assert state < 1e-20
    assert inputs < 1e-20

    assert 0.73 < 1 / (1 + math.exp(-1)) < 0.735  # "σ(1) ≈ 0.73"
    with_bias = first_step_norms(playground, cell="lstm", forgetBias=1, seed=seed)
    assert 0.63 <= np.median(with_bias[2]["f"]) <= 0.83  # "f near σ(1) ≈ 0.73"
    without = first_step_norms(playground, cell="lstm", forgetBias=0, seed=seed)
    assert 0.4 <= np.median(without[2]["f"]) <= 0.6  # "f ≈ 0.5"
    assert with_bias[1] > 1e20 * without[1]  # "falls more than 10²⁰-fold"
    open_gate = first_step_norms(playground, cell="lstm", forgetBias=3, seed=seed)
    assert 0.9 <= np.median(open_gate[2]["f"]) <= 0.99  # "f ≈ 0.95"
    assert open_gate[0] > 1

    shut = first_step_norms(playground, cell="gru", updateBias=3, seed=seed)
    assert 0.9 <= np.median(shut[2]["z"]) <= 0.99  # "z ≈ 0.95"
    assert shut[0] > 1e-4
    after = first_step_norms(playground, cell="gru", updateBias=0, seed=seed)
    assert after[0] < 1e-30
    before = first_step_norms(playground, cell="gru", resetAfter=False, seed=seed)
    assert np.abs(before[2]["h"] - after[2]["h"]).max() > 1e-3  # "every state differs"
    assert 0.1 <= before[0] / after[0] <= 10  # "within a factor of 10"


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_horizontal_scroll_on_a_phone(browser, site_url, mode):
    """At 390 px wide the page does not scroll sideways, for every cell (the table of terms
    scrolls inside its own box)."""
    context = browser.new_context(
        color_scheme=mode, viewport={"width": 390, "height": 844}, service_workers="block"
    )
    context.add_init_script(f"localStorage.setItem('mode', '{mode}');")
    page = context.new_page()
    try:
        page.goto(site_url + "playground.html", wait_until="load")
        page.wait_for_function("() => window.rnnPlayground && rnnPlayground.view.revision >= 1")
        for choice in ["simple_rnn", "gru", "gru_before", "lstm"]:
            if choice != "simple_rnn":
                wait_for_redraw(page, lambda c=choice: page.select_option("#pg-cell", c))
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 390, (choice, width)
    finally:
        context.close()
