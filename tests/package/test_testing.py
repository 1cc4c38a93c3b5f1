"""rnn_playground.testing's own helpers: the differences, the side-by-side timer, and the one
table that makes the Keras helpers work for the three cells (keras_gradients checked against
finite differences).

The timer is checked with a clock that each function advances by a known cost, so the
expected times are exact and no wall-clock time is asserted.
"""

import contextlib
import gc
import re

import numpy as np
import pytest

from rnn_playground import gru, lstm, simple_rnn
from rnn_playground.testing import (
    CELLS,
    Timing,
    keras_gradients,
    keras_layer,
    keras_outputs,
    max_abs_diff,
    random_params,
    relative_error,
    time_side_by_side,
)


def test_max_abs_diff_is_computed_in_float64():
    # In int8, |0 - (-128)| overflows to -128; in float32, 1 + 1e-8 is 1.
    assert max_abs_diff(np.array([0], np.int8), np.array([-128], np.int8)) == 128.0
    assert max_abs_diff(np.float32(1), np.float64(1 + 2**-40)) == 2**-40


def test_relative_error():
    assert relative_error([1.0, 2.5], [1.0, 2.0]) == 0.25
    assert relative_error([[0.0, -3.0]], [[1.0, -4.0]]) == 0.25  # scaled by max |reference|
    assert relative_error([0.0, 1e-3], [0.0, 0.0]) == 1e-3  # all-zero reference: absolute


class VirtualClock:
    """A clock that only the timed functions move, by their cost."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def function(self, cost):
        def call():
            self.now += cost

        return call


def test_time_side_by_side_reports_per_call_times():
    clock = VirtualClock()
    functions = {"fast": clock.function(1e-3), "slow": clock.function(4e-3)}
    times = time_side_by_side(functions, seconds=0.1, clock=clock, min_rounds=3)
    assert set(times) == {"fast", "slow"}
    for name, cost in (("fast", 1e-3), ("slow", 4e-3)):
        timing = times[name]
        assert isinstance(timing, Timing)
        assert timing.median == pytest.approx(cost)
        assert timing.best == pytest.approx(cost)
        assert timing.number == int(np.ceil(0.005 / cost))  # samples of at least 5 ms
    # 0.1 s of timing in rounds of 5 + 8 ms (virtual): 7 rounds, each function once a round
    assert times["fast"].rounds == times["slow"].rounds == 7


def test_time_side_by_side_enters_a_context_around_each_sample_of_its_function():
    clock, inside = VirtualClock(), []
    seen = {"limited": set(), "plain": set()}

    @contextlib.contextmanager
    def limit():
        inside.append(True)
        yield
        inside.pop()

    def record(name):
        work = clock.function(1e-3)

        def call():
            seen[name].add(bool(inside))
            work()

        return call

    functions = {"limited": record("limited"), "plain": record("plain")}
    times = time_side_by_side(functions, seconds=0.05, clock=clock, contexts={"limited": limit})
    assert seen == {"limited": {True}, "plain": {False}}
    assert times["limited"].rounds == times["plain"].rounds >= 3


def test_time_side_by_side_keeps_the_garbage_collector_on():
    """As in a real call (``timeit`` alone would turn it off while timing)."""
    clock, seen = VirtualClock(), set()
    work = clock.function(1e-3)

    def call():
        seen.add(gc.isenabled())
        work()

    time_side_by_side({"call": call}, seconds=0.01, clock=clock)
    assert seen == {True}


# -- one table for the three cells --------------------------------------------------------------
CELL_VARIANTS = [("simplernn", None), ("gru", True), ("gru", False), ("lstm", None)]


@pytest.mark.parametrize(("cell", "reset_after"), CELL_VARIANTS)
def test_random_params_and_keras_layer_for_every_cell(cell, reset_after):
    params = random_params(3, 2, seed=0, cell=cell, reset_after=reset_after, dtype="float32")
    assert isinstance(params, CELLS[cell].params)
    blocks = CELLS[cell].blocks
    assert params.kernel.shape == (3, blocks * 2)
    assert params.recurrent_kernel.shape == (2, blocks * 2)
    assert params.bias.shape == ((2, 6) if reset_after else (blocks * 2,))
    assert np.all(params.bias != 0)
    layer = keras_layer(params, return_sequences=True)
    assert type(layer).__name__ == CELLS[cell].keras_layer
    assert layer.dtype == "float32"
    assert layer.return_sequences
    if cell == "gru":
        assert layer.cell.reset_after is reset_after
    for theirs, ours in zip(
        layer.get_weights(), [params.kernel, params.recurrent_kernel, params.bias], strict=True
    ):
        np.testing.assert_array_equal(theirs, ours)


def test_random_params_draws_the_documented_distributions():
    """The SimpleRNN's draws are those of before the table (pages may rely on them)."""
    rng = np.random.default_rng(7)
    kernel = rng.uniform(-0.8, 0.8, size=(3, 4))
    recurrent_kernel = rng.normal(scale=0.5, size=(4, 4))
    bias = rng.normal(scale=0.5, size=4)
    params = random_params(3, 4, seed=7)
    for ours, expected in zip(
        (params.kernel, params.recurrent_kernel, params.bias),
        (kernel, recurrent_kernel, bias),
        strict=True,
    ):
        np.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cell": "rnn"}, "cell must be one of ['gru', 'lstm', 'simplernn'], got 'rnn'"),
        ({"cell": "lstm", "reset_after": True},
         "reset_after is a GRU's option, got it for cell='lstm'"),
    ],
    ids=["unknown-cell", "reset_after-lstm"],
)  # fmt: skip
def test_random_params_rejects(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        random_params(3, 4, seed=0, **kwargs)


def test_the_keras_helpers_refuse_what_is_not_params():
    with pytest.raises(TypeError, match="params must be a SimpleRNNParams, GRUParams or "):
        keras_layer(object())


def test_keras_outputs_passes_the_lstms_two_states(rng):
    params = random_params(3, 2, seed=rng, cell="lstm")
    x = rng.normal(size=(2, 4, 3))
    h0, c0 = rng.normal(size=(2, 2, 2))
    result = keras_outputs(params, x, initial_state=(h0, c0), return_state=True)
    assert len(result) == 3
    layer = keras_layer(params, return_state=True)
    for ours, theirs in zip(result, layer(x, initial_state=[h0, c0]), strict=True):
        np.testing.assert_array_equal(ours, np.asarray(theirs))


def _loss(cell, params, x, initial, output_grad, state_grad, options):
    """L = Σ output_grad ⊙ output + Σ state_grad ⊙ final states, with the package's forward
    pass (tested against Keras elsewhere)."""
    forward = {"simplernn": simple_rnn, "gru": gru, "lstm": lstm}[cell]
    output, *states = forward(x, params, initial_state=initial, return_state=True, **options)
    grads = state_grad if isinstance(state_grad, tuple) else (state_grad,)
    return np.sum(output_grad * output) + sum(
        np.sum(g * s) for g, s in zip(grads, states, strict=True)
    )


@pytest.mark.parametrize(("cell", "reset_after"), CELL_VARIANTS)
def test_keras_gradients_agree_with_finite_differences(cell, reset_after, rng):
    """Every field of keras_gradients, in the order and shape of the Grads types, against
    central differences of the loss through the package's forward pass (float64)."""
    params = random_params(2, 2, seed=rng, cell=cell, reset_after=reset_after)
    x = rng.normal(size=(2, 3, 2))
    states = tuple(rng.normal(size=(2, 2, 2)))
    initial = states if cell == "lstm" else states[0]
    state_grad = tuple(rng.normal(size=(2, 2, 2)))
    state_grad = state_grad if cell == "lstm" else state_grad[0]
    output_grad = rng.normal(size=(2, 3, 2))
    options = dict(return_sequences=True, go_backwards=True, mask=np.array([[1, 0, 1], [1, 1, 0]]))
    grads = keras_gradients(params, x, output_grad, initial_state=initial, state_grad=state_grad,
                            **options)  # fmt: skip
    assert type(grads) is CELLS[cell].grads
    assert grads._fields == ("inputs", "initial_state", "kernel", "recurrent_kernel", "bias")

    def numeric(value, rebuild):
        result, eps = np.zeros_like(value), 1e-6
        for index in np.ndindex(value.shape):
            losses = []
            for sign in (1, -1):
                moved = value.copy()
                moved[index] += sign * eps
                losses.append(_loss(cell, *rebuild(moved), output_grad, state_grad, options))
            result[index] = (losses[0] - losses[1]) / (2 * eps)
        return result

    weights = [params.kernel, params.recurrent_kernel, params.bias]
    options_of = {"reset_after": reset_after} if cell == "gru" else {}

    def with_weight(i):
        def rebuild(moved):
            new = [moved if j == i else w for j, w in enumerate(weights)]
            return type(params)(*new, **options_of), x, initial

        return rebuild

    expected = {
        "inputs": numeric(x, lambda moved: (params, moved, initial)),
        "kernel": numeric(params.kernel, with_weight(0)),
        "recurrent_kernel": numeric(params.recurrent_kernel, with_weight(1)),
        "bias": numeric(params.bias, with_weight(2)),
    }
    if cell == "lstm":
        expected["initial_state"] = (
            numeric(states[0], lambda moved: (params, x, (moved, states[1]))),
            numeric(states[1], lambda moved: (params, x, (states[0], moved))),
        )
    else:
        expected["initial_state"] = numeric(states[0], lambda moved: (params, x, moved))
    for name, value in expected.items():
        theirs = getattr(grads, name)
        for mine, reference in zip(
            value if isinstance(value, tuple) else (value,),
            theirs if isinstance(theirs, tuple) else (theirs,),
            strict=True,
        ):
            assert reference.shape == mine.shape, name
            assert relative_error(reference, mine) < 1e-7, name
