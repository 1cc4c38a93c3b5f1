"""The recurrence core carries any state layout: an LSTM written only as a step function.

``_recurrence.run``, ``outputs`` and ``backprop`` are what ``simple_rnn`` and
``simple_rnn_backward`` are built on (and what the SimpleRNN tests check). A cell is meant
to be "one step function plus its state layout": here an LSTM step, with its two states
(h, c), written in this file only, goes through the same core and must give
``keras.layers.LSTM``'s outputs, final states and ``tf.GradientTape`` gradients on every
masking, ``go_backwards`` and ``return_*`` option: masking carries both states, and a step
backwards can keep its own per-step values (the gates).
"""

import itertools
from types import SimpleNamespace

import keras
import numpy as np
import pytest
import tensorflow as tf

from rnn_playground import _recurrence
from rnn_playground._checks import prepare_output_grad, prepare_sequence, prepare_state_grad
from rnn_playground.activations import sigmoid
from rnn_playground.testing import keras_gradient_function, relative_error

BATCH, STEPS, FEATURES, UNITS = 4, 5, 3, 2
MASK = np.array(
    [[1, 1, 1, 1, 1], [0, 1, 1, 0, 0], [0, 0, 0, 0, 0], [1, 1, 0, 0, 0]],
    dtype=bool,
)
TOLERANCE = 1e-9  # float64, relative


def lstm_weights(rng):
    """What the core's checks read of a params object, and the LSTM's weights, blocks
    [i | f | c | o] as Keras stores them."""
    kernel = rng.uniform(-0.8, 0.8, size=(FEATURES, 4 * UNITS))
    return SimpleNamespace(
        kernel=kernel,
        recurrent_kernel=rng.normal(scale=0.5, size=(UNITS, 4 * UNITS)),
        bias=rng.normal(scale=0.5, size=4 * UNITS),
        input_dim=FEATURES,
        units=UNITS,
        dtype=np.dtype("float64"),
    )


def lstm_step(x_steps, params, gates):
    """The LSTM's step for ``_recurrence.run``; keeps i, f, g, o of step k in ``gates[k]``."""
    input_half = x_steps @ params.kernel + params.bias

    def step(k, previous, new):
        (h_previous, c_previous), (h, c) = previous, new
        z = input_half[k] + h_previous @ params.recurrent_kernel
        i, f, g, o = np.split(z, 4, axis=-1)
        i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
        gates[k] = i, f, g, o
        c[...] = f * c_previous + i * g
        h[...] = o * np.tanh(c)

    return step


def lstm_step_backward(states, params, gates, dz):
    """The LSTM's step backwards for ``_recurrence.backprop``; keeps dz⟨k⟩ in ``dz[k]``."""
    c_states = states[1]

    def step_backward(k, d_new, d_previous):
        (dh, dc), (dh_previous, dc_previous) = d_new, d_previous
        i, f, g, o = gates[k]
        tanh_c = np.tanh(c_states[k + 1])
        dc = dc + dh * o * (1 - tanh_c**2)
        dz[k] = np.concatenate(
            [dc * g * i * (1 - i), dc * c_states[k] * f * (1 - f), dc * i * (1 - g**2),
             dh * tanh_c * o * (1 - o)],
            axis=-1,
        )  # fmt: skip
        dc_previous[...] = dc * f
        dh_previous[...] = dz[k] @ params.recurrent_kernel.T

    return step_backward


OPTIONS = list(itertools.product([False, True], repeat=4))  # masked, backwards, zero_out, seq


def _id(options):
    names = ["mask", "backwards", "zero_out", "seq"]
    return "-".join(name for name, on in zip(names, options, strict=True) if on) or "plain"


@pytest.mark.parametrize("options", OPTIONS, ids=[_id(o) for o in OPTIONS])
def test_an_lstm_step_through_the_core_matches_keras(options):
    masked, go_backwards, zero_output_for_mask, return_sequences = options
    rng = np.random.default_rng(OPTIONS.index(options))
    params = lstm_weights(rng)
    x = rng.standard_normal((BATCH, STEPS, FEATURES))
    h0, c0 = rng.standard_normal((2, BATCH, UNITS))
    mask = MASK if masked else None
    output_grad = rng.standard_normal((BATCH, STEPS, UNITS) if return_sequences else (BATCH, UNITS))
    state_grad = tuple(rng.standard_normal((2, BATCH, UNITS)))
    layer = keras.layers.LSTM(
        UNITS,
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
        return_sequences=return_sequences,
        return_state=True,
        dtype="float64",
    )
    layer.build((None, STEPS, FEATURES))
    layer.set_weights([params.kernel, params.recurrent_kernel, params.bias])

    # forward: run + outputs, the two states given as an (h0, c0) list
    x_steps, initial_states, mask_steps = prepare_sequence(
        x, params, [h0, c0], mask, go_backwards=go_backwards, state_count=2
    )
    gates = [None] * STEPS
    states = _recurrence.run(
        lstm_step(x_steps, params, gates),
        _recurrence.new_states(initial_states, steps=STEPS),
        mask_steps,
    )
    ours = _recurrence.outputs(
        states,
        mask_steps,
        return_sequences=return_sequences,
        return_state=True,
        zero_output_for_mask=zero_output_for_mask,
    )
    theirs = [np.asarray(r) for r in layer(x, initial_state=[h0, c0], mask=mask)]
    assert len(ours) == len(theirs) == 3  # output, h, c
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.shape == reference.shape
        assert relative_error(mine, reference) < TOLERANCE

    # backward: backprop with the same states, and the sums over time for the weights
    dz = np.empty((STEPS, BATCH, 4 * UNITS))
    d_h0, d_c0 = _recurrence.backprop(
        lstm_step_backward(states, params, gates, dz),
        prepare_output_grad(
            output_grad, params, return_sequences=return_sequences, batch=BATCH, steps=STEPS
        ),
        prepare_state_grad(state_grad, params, batch=BATCH, state_count=2),
        mask_steps,
        zero_output_for_mask=zero_output_for_mask,
    )
    d_inputs = _recurrence.batch_major(dz @ params.kernel.T, go_backwards=go_backwards)
    rows = STEPS * BATCH
    d_kernel = x_steps.reshape(rows, FEATURES).T @ dz.reshape(rows, -1)
    d_recurrent_kernel = states[0][:-1].reshape(rows, UNITS).T @ dz.reshape(rows, -1)
    d_bias = dz.sum(axis=(0, 1))
    reference = keras_gradient_function(layer)(
        tf.constant(x),
        (tf.constant(h0), tf.constant(c0)),
        tf.constant(output_grad),
        mask=None if mask is None else tf.constant(mask),
        state_grad=tuple(tf.constant(g) for g in state_grad),
    )
    mine = [d_inputs, d_h0, d_c0, d_kernel, d_recurrent_kernel, d_bias]
    names = ["inputs", "h0", "c0", "kernel", "recurrent_kernel", "bias"]
    for name, ours_grad, tf_grad in zip(names, mine, reference, strict=True):
        error = relative_error(ours_grad, tf_grad.numpy())
        assert error < TOLERANCE, f"{name}: relative error {error:.1e}"
    if masked:  # masked input steps get exactly zero gradient
        assert np.all(d_inputs[~MASK] == 0)


@pytest.mark.parametrize(
    ("initial_state", "error", "message"),
    [
        pytest.param(np.zeros((BATCH, UNITS)), TypeError,
                     "initial_state must be a tuple or list of 2 arrays (batch, units), "
                     "got ndarray", id="one-array"),
        pytest.param([np.zeros((BATCH, UNITS))], TypeError,
                     "initial_state must be a tuple or list of 2 arrays (batch, units), got list "
                     "of length 1", id="one-element-list"),
        pytest.param((np.zeros((BATCH, UNITS)), np.zeros((BATCH, UNITS + 1))), ValueError,
                     "initial_state[1] must have shape (batch, units) = (4, 2), got (4, 3)",
                     id="c0-units"),
    ],
)  # fmt: skip
def test_prepare_sequence_rejects_a_bad_state_pair(initial_state, error, message):
    params = lstm_weights(np.random.default_rng(0))
    x = np.zeros((BATCH, STEPS, FEATURES))
    with pytest.raises(error) as raised:
        prepare_sequence(x, params, initial_state, None, go_backwards=False, state_count=2)
    assert message in str(raised.value)
