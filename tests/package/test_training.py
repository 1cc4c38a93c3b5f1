"""rnn_playground.training against Keras: adam_update against keras.optimizers.Adam,
readout_mse against tf.GradientTape on keras.layers.Dense, and the adding problem against its
definition and its closed-form statistics; the bad inputs of all three.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from rnn_playground.training import (
    ReadoutMSE,
    adam_update,
    adding_problem,
    keras_power_bases,
    readout_mse,
)

SHAPES = [(3, 4), (5,), (2, 1)]
STEPS = 40


def _gradients(rng, dtype):
    """One gradient per weight, entries spread over eleven orders of magnitude (Adam's step
    depends on |g| relative to ε / √(1 − β₂) ≈ 3·10⁻⁶: both sides of it)."""
    return [
        (rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 3, size=shape)).astype(dtype)
        for shape in SHAPES
    ]


def _train_both(dtype, rng, **hyperparameters):
    """STEPS steps of keras.optimizers.Adam and of adam_update on the same gradients; the
    two weight lists after each step."""
    start = [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]
    variables = [keras.Variable(w, dtype=dtype) for w in start]
    optimizer = keras.optimizers.Adam(**hyperparameters)
    weights = start
    m = [np.zeros_like(w) for w in weights]
    v = [np.zeros_like(w) for w in weights]
    history = []
    for k in range(1, STEPS + 1):
        grads = _gradients(rng, dtype)
        optimizer.apply_gradients(zip([tf.constant(g) for g in grads], variables, strict=True))
        weights, m, v = adam_update(weights, grads, m, v, k, **hyperparameters)
        history.append((weights, [variable.numpy() for variable in variables]))
    return history


def _largest_difference(history):
    """max |ours − Keras| over every weight and step."""
    return max(
        np.max(np.abs(ours - theirs))
        for step in history
        for ours, theirs in zip(*step, strict=True)
    )


HYPERPARAMETERS = [
    {},  # Keras' defaults: learning_rate 0.001 is not exact in float32
    {"learning_rate": 2.0**-7},
    {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-4},
]


@pytest.mark.parametrize("hyperparameters", HYPERPARAMETERS, ids=["defaults", "2^-7", "other"])
def test_adam_update_follows_keras_in_float64(hyperparameters, rng):
    history = _train_both("float64", rng, **hyperparameters)
    learning_rate = hyperparameters.get("learning_rate", 0.001)
    # Each step moves a weight by at most about the learning rate; the two compute the same
    # operations in the same order, so they agree to float64 rounding of that step (seen:
    # bitwise equal on every step). A float32 rounding anywhere (β^k from the exact β, say,
    # or an unrounded learning rate) shows as about 1e-8 relative to the step.
    difference = _largest_difference(history)
    assert difference <= 1e-14 * learning_rate, difference
    for ours, theirs in zip(*history[-1], strict=True):
        assert ours.dtype == np.float64
        np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=0)


def test_adam_update_follows_keras_in_float32(rng):
    history = _train_both("float32", rng, learning_rate=0.01)
    for weights, variables in history:
        for ours, theirs in zip(weights, variables, strict=True):
            assert ours.dtype == np.float32
            # α_k is rounded to float32 once here, computed in float32 by Keras: a few ulps
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6 * np.abs(theirs).max())


def test_the_float32_beta_powers_matter(rng):
    """With the exact βs in α_k the first step already differs from Keras by about
    η · 6.7e-6 (the training chapter's arithmetic): what the default reproduces."""
    start = [rng.standard_normal(shape) for shape in SHAPES]
    grads = _gradients(rng, "float64")
    variables = [keras.Variable(w, dtype="float64") for w in start]
    learning_rate = 2.0**-7
    keras.optimizers.Adam(learning_rate=learning_rate).apply_gradients(
        zip([tf.constant(g) for g in grads], variables, strict=True)
    )
    zeros = [np.zeros_like(w) for w in start]
    keras_first = [variable.numpy() for variable in variables]
    default, _, _ = adam_update(start, grads, zeros, zeros, 1, learning_rate=learning_rate)
    exact, _, _ = adam_update(
        start, grads, zeros, zeros, 1, learning_rate=learning_rate, power_bases=(0.9, 0.999)
    )
    gap = max(np.max(np.abs(e - t)) for e, t in zip(exact, keras_first, strict=True))
    assert 1e-6 * learning_rate < gap < 1e-5 * learning_rate
    for ours, theirs in zip(default, keras_first, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-15, atol=0)
    assert keras_power_bases() == (float(np.float32(0.9)), float(np.float32(0.999)))
    assert f"{keras_power_bases()[0]:.14f}" == "0.89999997615814"


def test_adam_update_returns_new_arrays(rng):
    weights = [rng.standard_normal(shape) for shape in SHAPES]
    grads = _gradients(rng, "float64")
    m = [rng.standard_normal(shape) for shape in SHAPES]
    v = [rng.random(shape) for shape in SHAPES]
    copies = [[a.copy() for a in arrays] for arrays in (weights, grads, m, v)]
    new = adam_update(weights, grads, m, v, 3)
    for before, after in zip((weights, grads, m, v), copies, strict=True):
        for a, b in zip(before, after, strict=True):
            np.testing.assert_array_equal(a, b)
    for arrays, old in zip(new, (weights, m, v), strict=True):
        assert len(arrays) == len(old)
        for a, b in zip(arrays, old, strict=True):
            assert not np.shares_memory(a, b)
            assert a.shape == b.shape


# -- the readout ----------------------------------------------------------------------------
@pytest.mark.parametrize("outputs", [1, 3])
def test_readout_mse_against_gradient_tape(outputs, rng):
    batch, units = 7, 5
    state = rng.standard_normal((batch, units))
    targets = rng.standard_normal((batch, outputs))
    dense = keras.layers.Dense(outputs, dtype="float64", bias_initializer="random_normal")
    dense.build((None, units))
    kernel, bias = (w.numpy() for w in dense.weights)
    state_tf = tf.constant(state)
    with tf.GradientTape() as tape:
        tape.watch(state_tf)
        loss = tf.reduce_mean((dense(state_tf) - targets) ** 2)
    d_state, d_kernel, d_bias = tape.gradient(loss, [state_tf, *dense.trainable_variables])
    ours = readout_mse(state, kernel, bias, targets)
    assert isinstance(ours, ReadoutMSE)
    assert isinstance(ours.loss, float)
    np.testing.assert_allclose(ours.loss, float(loss), rtol=1e-14, atol=0)
    for mine, theirs in [(ours.state, d_state), (ours.kernel, d_kernel), (ours.bias, d_bias)]:
        assert mine.shape == theirs.shape
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-13, atol=1e-16)


# -- the adding problem ---------------------------------------------------------------------
def test_adding_problem_is_the_adding_problem():
    inputs, targets = adding_problem(500, 7, np.random.default_rng(1))
    assert inputs.shape == (500, 7, 2)
    assert targets.shape == (500, 1)
    assert inputs.dtype == targets.dtype == np.float64
    values, markers = inputs[..., 0], inputs[..., 1]
    assert np.all((values >= 0) & (values < 1))
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert np.all(markers.sum(axis=1) == 2)
    # the target, by an independent computation: the two marked values, looked up
    marked = np.argwhere(markers == 1).reshape(500, 2, 2)[:, :, 1]
    expected = np.take_along_axis(values, marked, axis=1).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(targets, expected, rtol=1e-15, atol=0)
    # every step gets marked about equally often (2/7 of the sequences each)
    np.testing.assert_allclose(markers.mean(axis=0), 2 / 7, atol=0.07)


def test_adding_problem_statistics():
    """The sum of two independent U[0, 1) numbers: mean 1, variance 2/12 (the training
    chapter's baseline); checked within about five standard errors on 40 000 sequences."""
    _, targets = adding_problem(40_000, 3, 0)
    assert abs(targets.mean() - 1) < 5 * np.sqrt(2 / 12 / 40_000)
    assert abs(targets.var() - 2 / 12) < 0.004


def test_adding_problem_marks_every_pair_equally_often():
    """With 4 steps there are 6 pairs of marked steps; in 12 000 sequences each should be
    marked 2000 times, give or take sqrt(12 000 · 1/6 · 5/6) ≈ 41 (asserted within five)."""
    inputs, _ = adding_problem(12_000, 4, 5)
    pairs = np.argwhere(inputs[..., 1] == 1)[:, 1].reshape(-1, 2)
    _, counts = np.unique(pairs[:, 0] * 4 + pairs[:, 1], return_counts=True)
    assert len(counts) == 6
    assert np.all(np.abs(counts - 2000) < 5 * 41)


def test_adding_problem_seeds_and_generators():
    a = adding_problem(20, 5, 3)
    b = adding_problem(20, 5, np.random.default_rng(3))
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    rng = np.random.default_rng(3)
    first, second = adding_problem(20, 5, rng), adding_problem(20, 5, rng)
    assert not np.array_equal(first[0], second[0])  # the generator moved on


# -- bad input ------------------------------------------------------------------------------
def _adam_arguments():
    weights = [np.ones((2, 3)), np.ones(3)]
    zeros = [np.zeros((2, 3)), np.zeros(3)]
    return dict(weights=weights, grads=weights, m=zeros, v=zeros, k=1)


@pytest.mark.parametrize(
    ("change", "error", "pattern"),
    [
        (dict(weights=np.ones((2, 3))), TypeError, "weights must be a list or tuple"),
        (dict(grads=[np.ones((2, 3))]), ValueError, "one array per weight"),
        (dict(m=[np.zeros((3, 2)), np.zeros(3)]), ValueError, r"m\[0\].*\(2, 3\)"),
        (dict(v=[np.zeros((2, 3)), np.zeros(4)]), ValueError, r"v\[1\].*\(3,\)"),
        (dict(grads=[np.ones((2, 3), "float32"), np.ones(3)]), TypeError, "one float dtype"),
        (dict(grads=[None, np.ones(3)]), TypeError, r"grads\[0\]"),
        (dict(weights=[], grads=[], m=[], v=[]), ValueError, "one array per weight"),
        (dict(k=0), ValueError, "k must be a positive integer"),
        (dict(k=1.0), TypeError, "k must be a positive integer"),
        (dict(learning_rate=0.0), ValueError, "learning_rate must be a finite number positive"),
        (dict(learning_rate="0.1"), TypeError, "learning_rate"),
        (dict(beta_1=1.0), ValueError, r"beta_1 .*\[0, 1\)"),
        (dict(beta_2=-0.1), ValueError, "beta_2"),
        (dict(epsilon=np.nan), ValueError, "epsilon"),
        (dict(power_bases=0.9), TypeError, "power_bases"),
        (dict(power_bases=(0.9, 1.5)), ValueError, "power_bases"),
    ],
)
def test_adam_update_rejects(change, error, pattern):
    arguments = _adam_arguments() | change
    with pytest.raises(error, match=pattern):
        adam_update(**arguments)


@pytest.mark.parametrize(
    ("change", "error", "pattern"),
    [
        (dict(state=np.ones(4)), ValueError, r"state must have 2 dimensions \(batch, units\)"),
        (dict(kernel=np.ones((5, 1))), ValueError, r"kernel must have shape.*\(4, 1\)"),
        (dict(bias=np.ones(2)), ValueError, r"bias must have shape.*\(1,\)"),
        (dict(targets=np.ones((3, 1))), ValueError, r"targets must have shape.*\(6, 1\)"),
        (dict(targets=None), TypeError, "targets"),
        (dict(bias=np.ones(1, complex)), TypeError, "bias"),
    ],
)
def test_readout_mse_rejects(change, error, pattern):
    arguments = dict(
        state=np.ones((6, 4)), kernel=np.ones((4, 1)), bias=np.ones(1), targets=np.ones((6, 1))
    )
    with pytest.raises(error, match=pattern):
        readout_mse(**(arguments | change))


@pytest.mark.parametrize(
    ("arguments", "error", "pattern"),
    [
        ((0, 5), ValueError, "n must be a positive integer"),
        ((3, 1), ValueError, "steps must be at least 2"),
        ((3.0, 5), TypeError, "n must be a positive integer"),
        ((3, "5"), TypeError, "steps must be a positive integer"),
    ],
)
def test_adding_problem_rejects(arguments, error, pattern):
    with pytest.raises(error, match=pattern):
        adding_problem(*arguments)
