"""The activations and their derivatives against Keras and TensorFlow: every name a layer's
``activation`` or ``recurrent_activation`` may take, in place on the strided views the gated
cells pass them, and the sigmoid's accuracy in its tails.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from rnn_playground.activations import ACTIVATIONS, RECURRENT_ACTIVATIONS, get_activation

Z = np.concatenate([np.linspace(-6, 6, 241), [-100.0, -30.0, -3.0, 3.0, 30.0, 100.0]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(RECURRENT_ACTIVATIONS))
def test_forward_matches_keras(name, dtype):
    z = Z.astype(dtype)
    theirs = keras.activations.get(name)(tf.constant(z)).numpy()
    ours = RECURRENT_ACTIVATIONS[name].forward(z)
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6 if dtype == "float32" else 1e-15)


@pytest.mark.parametrize("name", sorted(RECURRENT_ACTIVATIONS))
def test_grad_from_output_matches_gradient_tape(name):
    z = tf.constant(Z[np.abs(np.abs(Z) - 3) > 1e-9])  # away from hard_sigmoid's corners
    with tf.GradientTape() as tape:
        tape.watch(z)
        output = keras.activations.get(name)(z)
    theirs = tape.gradient(output, z).numpy()
    activation = RECURRENT_ACTIVATIONS[name]
    ours = activation.grad_from_output(activation.forward(z.numpy()))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_hard_sigmoid_has_zero_gradient_at_its_corners_as_relu6():
    z = tf.constant([-3.0, 3.0], dtype="float64")
    with tf.GradientTape() as tape:
        tape.watch(z)
        output = keras.activations.hard_sigmoid(z)
    np.testing.assert_array_equal(tape.gradient(output, z).numpy(), 0)
    activation = RECURRENT_ACTIVATIONS["hard_sigmoid"]
    np.testing.assert_array_equal(activation.grad_from_output(activation.forward(z.numpy())), 0)


def test_only_the_gates_may_name_hard_sigmoid():
    assert set(RECURRENT_ACTIVATIONS) - set(ACTIVATIONS) == {"hard_sigmoid"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(RECURRENT_ACTIVATIONS))
@pytest.mark.parametrize("width", [1, 2, 3, 5])
@pytest.mark.parametrize("blocks", [3, 4])
def test_in_place_on_every_gate_block(name, dtype, width, blocks, rng):
    """What the steps do: g(block, out=block) on the column blocks of a (batch, blocks·units)
    array, for every block; the other blocks are left alone."""
    gates = rng.normal(scale=3, size=(7, blocks * width)).astype(dtype)
    forward = RECURRENT_ACTIVATIONS[name].forward
    for j in range(blocks):
        work = gates.copy()
        block = work[:, j * width : (j + 1) * width]
        assert forward(block, out=block) is block
        expected = keras.activations.get(name)(tf.constant(gates[:, j * width : (j + 1) * width]))
        np.testing.assert_allclose(block, expected.numpy(), rtol=0, atol=1e-6)
        rest = np.delete(np.arange(blocks * width), np.arange(j * width, (j + 1) * width))
        np.testing.assert_array_equal(work[:, rest], gates[:, rest])


def test_sigmoid_is_accurate_where_it_is_tiny():
    """Relative error of a few units in the last place, down to about 1e-300 in float64 (the
    gradient of a saturated gate is σ(1 − σ)); 0 where the true value is below the normal
    range; no overflow warning (pytest turns warnings into errors)."""
    sigmoid = get_activation("sigmoid").forward
    z = np.linspace(-700, 40, 7401)
    exact = 1 / (1 + np.exp(-z.astype(np.longdouble)))
    np.testing.assert_allclose(sigmoid(z), exact.astype(np.float64), rtol=4e-16, atol=0)
    z32 = np.linspace(-87, 20, 1071).astype("float32")
    exact32 = (1 / (1 + np.exp(-z32.astype(np.float64)))).astype("float32")
    np.testing.assert_allclose(sigmoid(z32), exact32, rtol=3e-7, atol=0)
    np.testing.assert_array_equal(sigmoid(np.array([-1000.0, -746.0])), 0)
    np.testing.assert_array_equal(sigmoid(np.array([-100.0, -200.0], "float32")), 0)


def test_callable_activation_fills_out():
    forward = get_activation(lambda z: 2 * z).forward
    z = np.arange(6.0).reshape(2, 3)
    out = np.empty((2, 3))
    assert forward(z, out=out) is out
    np.testing.assert_array_equal(out, 2 * z)
    assert get_activation(lambda z: z).grad_from_output is None
