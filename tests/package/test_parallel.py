"""rnn_playground.parallel: the scans against step-by-step loops, minGRU and minLSTM against
TensorFlow (a transcription of the paper's equations differentiated by tf.GradientTape) and
finite differences, and newton_gru against keras.layers.GRU itself.

The loops here are written from the equations, independently of the package: a scan is checked
against the recurrence it claims to solve, never against another scan.
"""

import itertools
import sys

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_playground import GRUParams, parallel
from rnn_playground.parallel import (
    MinGRUParams,
    MinLSTMParams,
    linear_scan,
    log_linear_scan,
    min_gru,
    min_gru_backward,
    min_lstm,
    min_lstm_backward,
    newton_gru,
)
from rnn_playground.testing import keras_outputs, random_params, relative_error


def loop(a, b, initial):
    """h⟨t⟩ = a⟨t⟩ h⟨t−1⟩ + b⟨t⟩ one step after another (a elementwise or a matrix per step)."""
    h, states = initial, []
    for t in range(b.shape[1]):
        product = a[:, t] * h if a.ndim == 3 else np.einsum("bij,bj->bi", a[:, t], h)
        h = product + b[:, t]
        states.append(h)
    return np.stack(states, axis=1)


# -- linear_scan ---------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    batch=st.integers(1, 3),
    steps=st.integers(1, 70),
    units=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
    special=st.sampled_from([None, 0.0, 1.0]),
)
def test_linear_scan_equals_the_loop(batch, steps, units, seed, special):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (batch, steps, units))
    if special is not None:  # a whole row of a = 0 (forget) or a = 1 (keep) at some step
        a[:, rng.integers(steps)] = special
    b, initial = rng.normal(size=(batch, steps, units)), rng.normal(size=(batch, units))
    assert relative_error(linear_scan(a, b, initial), loop(a, b, initial)) <= 1e-12


def test_linear_scan_keeps_and_forgets():
    """a = 1 carries the state unchanged plus b; a = 0 restarts from b: exactly."""
    b = np.arange(1.0, 7.0).reshape(1, 6, 1)
    assert np.array_equal(linear_scan(np.ones((1, 6, 1)), b, np.zeros((1, 1))), np.cumsum(b, 1))
    assert np.array_equal(linear_scan(np.zeros((1, 6, 1)), b, np.full((1, 1), 9.0)), b)


@settings(max_examples=30, deadline=None)
@given(steps=st.integers(1, 40), units=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_linear_scan_with_matrices_equals_the_loop(steps, units, seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(2, steps, units, units)) / np.sqrt(units)
    b, initial = rng.normal(size=(2, steps, units)), rng.normal(size=(2, units))
    assert relative_error(linear_scan(a, b, initial), loop(a, b, initial)) <= 1e-12


@settings(max_examples=30, deadline=None)
@given(steps=st.integers(1, 60), seed=st.integers(0, 2**32 - 1))
def test_log_linear_scan_equals_the_loop(steps, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.01, 1, (2, steps, 3)), rng.uniform(0.01, 2, (2, steps, 3))
    initial = rng.uniform(0.01, 2, (2, 3))
    log_h = log_linear_scan(np.log(a), np.log(b), np.log(initial))
    assert relative_error(np.exp(log_h), loop(a, b, initial)) <= 1e-12


def test_log_linear_scan_where_the_products_underflow():
    """a = e⁻¹⁰⁰⁰ cannot even be stored; its logarithm can: h⟨t⟩ = b⟨t⟩ to rounding."""
    log_b = np.random.default_rng(0).normal(size=(1, 50, 2))
    log_h = log_linear_scan(np.full((1, 50, 2), -1000.0), log_b, np.zeros((1, 2)))
    np.testing.assert_allclose(log_h, log_b, rtol=0, atol=1e-12)


def _line_events(function, *args):
    """How many lines of rnn_playground.parallel run during ``function(*args)``."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if frame.f_code.co_filename == parallel.__file__:
            if event == "line":
                count += 1
            return tracer
        return None

    sys.settrace(tracer)
    try:
        function(*args)
    finally:
        sys.settrace(None)
    return count


def test_linear_scan_has_no_python_loop_over_time():
    """From T = 16 to T = 4096 (256 times the steps) the scan runs 4 → 12 rounds: the lines
    executed grow like log₂ T, where a loop over the steps would run 256 times as many."""
    rng = np.random.default_rng(0)

    def lines(steps):
        args = rng.uniform(size=(1, steps, 2)), rng.normal(size=(1, steps, 2)), np.zeros((1, 2))
        return _line_events(linear_scan, *args)

    short, long = lines(16), lines(4096)
    assert long < 3 * short, (short, long)


def test_linear_scan_does_not_modify_its_arguments():
    rng = np.random.default_rng(1)
    a, b, initial = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 3))
    copies = [array.copy() for array in (a, b, initial)]
    linear_scan(a, b, initial)
    assert all(np.array_equal(x, y) for x, y in zip((a, b, initial), copies, strict=True))


# -- minGRU and minLSTM against TensorFlow ----------------------------------------------------
def tf_min_gru(x, kernel, bias, h0):
    """minGRU as Feng et al. write it (z⁺ = the share of the candidate taken), in TF, a loop."""
    products = x @ kernel + bias
    z_pre, candidate = tf.split(products, 2, axis=-1)
    take = tf.sigmoid(-z_pre)  # the paper's z, 1 − σ(x W_z + b_z) in Keras' convention
    h, states = h0, []
    for t in range(x.shape[1]):
        h = (1 - take[:, t]) * h + take[:, t] * candidate[:, t]
        states.append(h)
    return tf.stack(states, axis=1)


def tf_min_lstm(x, kernel, bias, h0):
    """minLSTM as Feng et al. write it, in TF, a loop."""
    i_pre, f_pre, candidate = tf.split(x @ kernel + bias, 3, axis=-1)
    f, i = tf.sigmoid(f_pre), tf.sigmoid(i_pre)
    f, i = f / (f + i), i / (f + i)
    h, states = h0, []
    for t in range(x.shape[1]):
        h = f[:, t] * h + i[:, t] * candidate[:, t]
        states.append(h)
    return tf.stack(states, axis=1)


CELLS = {
    "min_gru": (MinGRUParams, min_gru, min_gru_backward, tf_min_gru),
    "min_lstm": (MinLSTMParams, min_lstm, min_lstm_backward, tf_min_lstm),
}


def _case(cls, seed, steps=9):
    rng = np.random.default_rng(seed)
    params = cls.init(4, 5, seed=seed, dtype="float64")
    params = cls(params.kernel * 2, rng.normal(size=params.bias.shape))  # non-zero bias
    x, h0 = rng.normal(size=(3, steps, 4)), rng.normal(size=(3, 5))
    return params, x, h0, rng


@pytest.mark.parametrize("name", CELLS)
@pytest.mark.parametrize("return_sequences", [True, False])
def test_forward_and_gradients_against_tensorflow(name, return_sequences):
    cls, forward, backward, tf_forward = CELLS[name]
    params, x, h0, rng = _case(cls, seed=3)
    output, final = forward(
        x, params, initial_state=h0, return_sequences=return_sequences, return_state=True
    )
    dy, ds = rng.normal(size=output.shape), rng.normal(size=final.shape)
    variables = [tf.Variable(v) for v in (x, params.kernel, params.bias, h0)]
    with tf.GradientTape() as tape:
        states = tf_forward(*variables)
        reference = states if return_sequences else states[:, -1]
        loss = tf.reduce_sum(dy * reference) + tf.reduce_sum(ds * states[:, -1])
    dx, dkernel, dbias, dh0 = (g.numpy() for g in tape.gradient(loss, variables))
    assert relative_error(output, reference.numpy()) <= 1e-13
    assert relative_error(final, states[:, -1].numpy()) <= 1e-13
    grads = backward(
        x, params, dy, initial_state=h0, return_sequences=return_sequences, state_grad=ds
    )
    for ours, theirs in zip(grads, (dkernel, dbias, dx, dh0), strict=True):
        assert relative_error(ours, theirs) <= 1e-12


@pytest.mark.parametrize("name", CELLS)
def test_gradients_against_finite_differences(name):
    cls, forward, backward, _ = CELLS[name]
    params, x, h0, rng = _case(cls, seed=4, steps=6)
    dy = rng.normal(size=(3, 6, 5))

    def loss(kernel=params.kernel, bias=params.bias, inputs=x, initial=h0):
        out = forward(inputs, cls(kernel, bias), initial_state=initial, return_sequences=True)
        return np.sum(dy * out)

    grads = backward(x, params, dy, initial_state=h0, return_sequences=True)
    eps = 1e-6
    for name_, value, ours in (
        ("kernel", params.kernel, grads.kernel),
        ("bias", params.bias, grads.bias),
        ("inputs", x, grads.inputs),
        ("initial", h0, grads.initial_state),
    ):
        for index in list(np.ndindex(value.shape))[:: max(1, value.size // 12)]:
            up, down = value.copy(), value.copy()
            up[index] += eps
            down[index] -= eps
            numeric = (loss(**{name_: up}) - loss(**{name_: down})) / (2 * eps)
            assert abs(numeric - ours[index]) <= 1e-7 * max(1, abs(numeric)), (name_, index)


def test_min_gru_without_bias_and_default_state():
    params = MinGRUParams.init(3, 2, seed=0, dtype="float64", use_bias=False)
    x = np.random.default_rng(0).normal(size=(2, 4, 3))
    h = min_gru(x, params, return_sequences=True)
    reference = tf_min_gru(x, params.kernel, np.zeros(4), np.zeros((2, 2))).numpy()
    assert relative_error(h, reference) <= 1e-13
    assert min_gru_backward(x, params, np.ones((2, 2))).bias is None


# -- newton_gru against keras.layers.GRU ------------------------------------------------------
@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("steps", [1, 7, 120])
def test_newton_gru_equals_keras(reset_after, steps):
    params = random_params(4, 6, cell="gru", dtype="float64", seed=steps, reset_after=reset_after)
    rng = np.random.default_rng(steps)
    x, h0 = rng.normal(size=(3, steps, 4)), rng.normal(size=(3, 6)) * 0.5
    result = newton_gru(x, params, initial_state=h0)
    reference = keras_outputs(params, x, initial_state=h0, return_sequences=True)
    assert result.converged
    assert result.iterations <= steps + 1
    assert np.max(np.abs(result.outputs - reference)) <= 1e-10


def test_newton_gru_first_step_exact_after_one_iteration():
    """h⟨0⟩ is given, so the linearisation of step 1 is taken at the right point."""
    params = random_params(3, 4, cell="gru", dtype="float64", seed=0, reset_after=True)
    x = np.random.default_rng(0).normal(size=(2, 5, 3))
    first = newton_gru(x, params, max_iter=1)
    reference = keras_outputs(params, x, return_sequences=True)
    assert not first.converged
    assert first.iterations == 1
    assert np.max(np.abs(first.outputs[:, 0] - reference[:, 0])) <= 1e-14


def test_newton_gru_reports_divergence():
    """Recurrent weights 40 times Keras' scale: the iterates leave every bound, and the
    result says so instead of returning numbers that look like states."""
    params = random_params(3, 8, cell="gru", dtype="float64", seed=1, reset_after=True)
    params = GRUParams(params.kernel, params.recurrent_kernel * 40, params.bias)
    x = np.random.default_rng(1).normal(size=(1, 200, 3))
    result = newton_gru(x, params, max_iter=8)
    assert not result.converged
    assert len(result.changes) == result.iterations <= 8


# -- rejects --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda: linear_scan(np.ones((1, 2, 3)), np.ones((1, 2, 4)), np.ones((1, 4))),
            ValueError,
            "a must have shape",
        ),
        (
            lambda: linear_scan(np.ones((1, 2, 3)), np.ones((1, 2, 3)), np.ones((2, 3))),
            ValueError,
            "initial must have shape",
        ),
        (
            lambda: linear_scan(np.ones((1, 0, 3)), np.ones((1, 0, 3)), np.ones((1, 3))),
            ValueError,
            "at least one time step",
        ),
        (lambda: linear_scan("a", np.ones((1, 2, 3)), np.ones((1, 3))), TypeError, "a must"),
        (lambda: linear_scan(np.ones((1, 2, 3)), [[1j]], np.ones((1, 3))), TypeError, "b must"),
        (
            lambda: log_linear_scan(np.ones((1, 2, 3, 3)), np.ones((1, 2, 3)), np.ones((1, 3))),
            ValueError,
            "log_a must have shape",
        ),
        (lambda: MinGRUParams(np.ones((3, 5))), ValueError, "2·units"),
        (lambda: MinLSTMParams(np.ones((3, 6)), np.ones(5)), ValueError, "bias must"),
        (lambda: MinGRUParams.init(0, 2), ValueError, "input_dim"),
        (lambda: min_gru(np.ones((1, 2, 3)), MinLSTMParams.init(3, 2)), TypeError, "params"),
        (lambda: min_gru(np.ones((1, 2, 4)), MinGRUParams.init(3, 2)), ValueError, "inputs"),
        (
            lambda: min_lstm(np.ones((1, 2, 3)), MinLSTMParams.init(3, 2), initial_state=[1]),
            ValueError,
            "initial_state",
        ),
        (
            lambda: min_gru_backward(np.ones((1, 2, 3)), MinGRUParams.init(3, 2), np.ones((1, 3))),
            ValueError,
            "output_grad",
        ),
        (lambda: newton_gru(np.ones((1, 2, 3)), MinGRUParams.init(3, 2)), TypeError, "params"),
        (lambda: newton_gru(np.ones((1, 2, 3)), GRUParams.init(3, 2), tol=-1), ValueError, "tol"),
        (
            lambda: newton_gru(np.ones((1, 2, 3)), GRUParams.init(3, 2), max_iter=0),
            ValueError,
            "max_iter",
        ),
        (
            lambda: newton_gru(np.ones((1, 2, 3)), GRUParams.init(3, 2), activation=np.tanh),
            TypeError,
            "activation",
        ),
        (
            lambda: parallel.gru_step_jacobians(
                np.ones((2, 3)), np.ones((3, 2)), GRUParams.init(3, 2)
            ),
            ValueError,
            "state",
        ),
        (
            lambda: parallel.gru_step_jacobians(
                np.ones((2, 3)), np.ones((2, 2)), MinGRUParams.init(3, 2)
            ),
            TypeError,
            "params",
        ),
    ],
)
def test_rejects(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_params_are_immutable():
    params = MinGRUParams.init(3, 2, seed=0)
    with pytest.raises(AttributeError):
        params.kernel = None
    with pytest.raises(ValueError, match="read-only"):
        params.kernel[0, 0] = 1.0
    with pytest.raises(ValueError, match="WRITEABLE"):  # nor through its base, as GRUParams
        params.kernel.base.flags.writeable = True


@pytest.mark.parametrize("reset_after", [True, False])
def test_newton_gru_jacobians_are_keras_cells(reset_after):
    """The Jacobians each iteration uses are ∂h⟨t⟩/∂h⟨t−1⟩ of keras.layers.GRUCell itself
    (tf.GradientTape.batch_jacobian): a wrong Jacobian would still converge, but slowly."""
    from rnn_playground.testing import keras_layer

    params = random_params(3, 5, cell="gru", dtype="float64", seed=2, reset_after=reset_after)
    rng = np.random.default_rng(2)
    x, h = rng.normal(size=(7, 3)), rng.normal(size=(7, 5)) * 0.7
    cell = keras_layer(params).cell
    h_tf = tf.Variable(h)
    with tf.GradientTape() as tape:
        new, _ = cell(tf.constant(x), [h_tf])
    reference = tape.batch_jacobian(new, h_tf).numpy()
    step, jacobian = parallel.gru_step_jacobians(x, h, params)
    assert relative_error(step, new.numpy()) <= 1e-14
    assert relative_error(jacobian, reference) <= 1e-13


def test_newton_gru_converges_quadratically():
    """Near the solution each change is at most about the square of the one before."""
    params = random_params(4, 6, cell="gru", dtype="float64", seed=5)
    x = np.random.default_rng(5).normal(size=(2, 200, 4))
    result = newton_gru(x, params)
    assert result.converged, result.changes
    assert result.iterations <= 12, result.changes
    small = [c for c in result.changes if c < 1e-2]
    assert all(later <= 10 * earlier**2 + 1e-13 for earlier, later in itertools.pairwise(small))
