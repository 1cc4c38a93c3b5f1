"""The seed notebook's three checks, on today's Keras and TensorFlow.

The 2018 notebook ran a SimpleRNNCell in a Python loop, then ``tf.nn.dynamic_rnn`` on the
same cell, and found (1) the loop and dynamic_rnn equal bit for bit, (2) the final states
equal, (3) the last output equal to the final state. Here the modern
``keras.layers.RNN(cell)`` joins in, and ``rnn_playground`` is held to the loop.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from rnn_playground import SimpleRNNParams, simple_rnn
from rnn_playground.testing import ATOL

BATCH_SIZE, SEQ_LEN, NUM_INPUTS, NUM_UNITS = 2, 3, 4, 5  # the notebook's constants


@pytest.fixture(params=list(ATOL))
def seed_setup(request, rng):
    """Inputs, initial state and a built cell, drawn as in the notebook (uniform [0, 1))."""
    dtype = request.param
    rnn_inputs = rng.uniform(size=(BATCH_SIZE, SEQ_LEN, NUM_INPUTS)).astype(dtype)
    rnn_initial_state = rng.uniform(size=(BATCH_SIZE, NUM_UNITS)).astype(dtype)
    rnn_cell = keras.layers.SimpleRNNCell(NUM_UNITS, dtype=dtype)
    rnn_cell.build((None, NUM_INPUTS))
    return dtype, rnn_inputs, rnn_initial_state, rnn_cell


def cell_loop(rnn_cell, rnn_inputs, rnn_initial_state):
    """The notebook's loop: time-major stack of outputs, then batch-major."""
    stack = []
    rnn_state = tf.constant(rnn_initial_state)
    for i in range(rnn_inputs.shape[1]):
        output_snapshot, [rnn_state] = rnn_cell(rnn_inputs[:, i, :], [rnn_state])
        stack.append(output_snapshot)
    rnn_output = tf.transpose(tf.convert_to_tensor(stack), [1, 0, 2])
    return rnn_output.numpy(), rnn_state.numpy()


def test_cell_loop_equals_keras_rnn_bitwise(seed_setup):
    dtype, rnn_inputs, rnn_initial_state, rnn_cell = seed_setup
    loop_output, loop_state = cell_loop(rnn_cell, rnn_inputs, rnn_initial_state)
    # A float64 cell inside RNN(...) needs dtype="float64" on the RNN too, or it runs in float32.
    rnn = keras.layers.RNN(rnn_cell, return_sequences=True, return_state=True, dtype=dtype)
    rnn_output, rnn_state = rnn(rnn_inputs, initial_state=[rnn_initial_state])
    assert rnn_output.dtype == dtype
    np.testing.assert_array_equal(rnn_output.numpy(), loop_output)
    np.testing.assert_array_equal(rnn_state.numpy(), loop_state)


def test_dynamic_rnn_with_initial_state_equals_cell_loop(seed_setup):
    _, rnn_inputs, rnn_initial_state, rnn_cell = seed_setup
    loop_output, loop_state = cell_loop(rnn_cell, rnn_inputs, rnn_initial_state)
    # Deprecated, and TensorFlow says so through its logger (not the warnings module).
    rnn_output2, rnn_state2 = tf.compat.v1.nn.dynamic_rnn(
        rnn_cell, rnn_inputs, initial_state=tf.constant(rnn_initial_state)
    )
    np.testing.assert_array_equal(rnn_output2.numpy(), loop_output)
    np.testing.assert_array_equal(rnn_state2.numpy(), loop_state)


def test_last_output_equals_final_state(seed_setup):
    _, rnn_inputs, rnn_initial_state, rnn_cell = seed_setup
    loop_output, loop_state = cell_loop(rnn_cell, rnn_inputs, rnn_initial_state)
    np.testing.assert_array_equal(loop_output[:, -1, :], loop_state)


def test_dynamic_rnn_without_initial_state_raises_type_error_today():
    """Documented in the book: the notebook's call needs ``initial_state`` with Keras 3 cells."""
    rnn_cell = keras.layers.SimpleRNNCell(NUM_UNITS)
    rnn_inputs = tf.random.uniform((BATCH_SIZE, SEQ_LEN, NUM_INPUTS))
    with pytest.raises(TypeError, match=r"get_initial_state\(\) got an unexpected keyword"):
        tf.compat.v1.nn.dynamic_rnn(rnn_cell, rnn_inputs, dtype=tf.float32)


def test_rnn_playground_equals_cell_loop(seed_setup):
    dtype, rnn_inputs, rnn_initial_state, rnn_cell = seed_setup
    loop_output, loop_state = cell_loop(rnn_cell, rnn_inputs, rnn_initial_state)
    params = SimpleRNNParams.from_keras(rnn_cell)
    outputs, state = simple_rnn(
        rnn_inputs, params, initial_state=rnn_initial_state, return_sequences=True,
        return_state=True,
    )  # fmt: skip
    assert outputs.dtype == state.dtype == np.dtype(dtype)
    np.testing.assert_allclose(outputs, loop_output, rtol=0, atol=ATOL[dtype])
    np.testing.assert_allclose(state, loop_state, rtol=0, atol=ATOL[dtype])
    np.testing.assert_array_equal(outputs[:, -1, :], state)  # check (3) holds for us too
