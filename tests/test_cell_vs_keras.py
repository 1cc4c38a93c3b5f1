"""simple_rnn_cell against keras.layers.SimpleRNNCell: one step, every activation, two dtypes."""

import keras
import numpy as np
import pytest

from rnn_playground import SimpleRNNParams, simple_rnn_cell

ATOL = {"float32": 1e-5, "float64": 1e-10}


def softsign(z):
    """A callable activation that works on NumPy arrays and on TensorFlow tensors alike."""
    return z / (1 + abs(z))


ACTIVATIONS = [
    pytest.param("tanh", id="tanh"),
    pytest.param("relu", id="relu"),
    pytest.param("sigmoid", id="sigmoid"),
    pytest.param("linear", id="linear"),
    pytest.param(None, id="none"),
    pytest.param(softsign, id="callable"),
]


def random_case(rng, batch, input_dim, units, use_bias):
    x = rng.normal(size=(batch, input_dim))
    state = rng.uniform(-1, 1, size=(batch, units))
    arrays = [
        rng.uniform(-0.8, 0.8, size=(input_dim, units)),
        rng.normal(scale=0.5, size=(units, units)),
    ]
    if use_bias:
        arrays.append(rng.normal(scale=0.5, size=units))
    return x, state, arrays


def keras_cell(weights, dtype, activation, use_bias):
    input_dim, units = weights[0].shape
    cell = keras.layers.SimpleRNNCell(units, activation=activation, use_bias=use_bias, dtype=dtype)
    cell.build((None, input_dim))
    cell.set_weights([w.astype(dtype) for w in weights])
    return cell


@pytest.mark.parametrize("dtype", list(ATOL))
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_cell_matches_keras(rng, dtype, use_bias, activation):
    x, state, weights = random_case(rng, batch=3, input_dim=4, units=5, use_bias=use_bias)
    x, state = x.astype(dtype), state.astype(dtype)
    cell = keras_cell(weights, dtype, activation, use_bias)
    keras_output, [keras_state] = cell(x, [state])
    keras_output, keras_state = np.asarray(keras_output), np.asarray(keras_state)
    np.testing.assert_array_equal(keras_output, keras_state)  # y⟨t⟩ = a⟨t⟩ in Keras

    params = SimpleRNNParams(*[w.astype(dtype) for w in weights])
    ours = simple_rnn_cell(x, state, params, activation=activation)
    assert isinstance(ours, np.ndarray)
    assert ours.shape == keras_state.shape == (3, 5)
    assert ours.dtype == keras_state.dtype == np.dtype(dtype)
    np.testing.assert_allclose(ours, keras_state, rtol=0, atol=ATOL[dtype])


@pytest.mark.parametrize("dtype", list(ATOL))
@pytest.mark.parametrize(
    ("batch", "input_dim", "units"),
    [(1, 1, 1), (1, 3, 2), (4, 1, 3), (2, 5, 1)],
    ids=lambda v: str(v),
)
def test_cell_small_shapes(rng, dtype, batch, input_dim, units):
    x, state, weights = random_case(rng, batch, input_dim, units, use_bias=True)
    x, state = x.astype(dtype), state.astype(dtype)
    cell = keras_cell(weights, dtype, "tanh", True)
    _, [keras_state] = cell(x, [state])
    ours = simple_rnn_cell(x, state, SimpleRNNParams(*[w.astype(dtype) for w in weights]))
    assert ours.shape == (batch, units)
    np.testing.assert_allclose(ours, np.asarray(keras_state), rtol=0, atol=ATOL[dtype])


@pytest.mark.parametrize("param_dtype", list(ATOL))
@pytest.mark.parametrize("input_dtype", ["int32", "uint8", "bool", "float32", "float64"])
def test_cell_result_dtype_follows_params_and_integers_are_cast(rng, param_dtype, input_dtype):
    x, state, weights = random_case(rng, batch=2, input_dim=3, units=4, use_bias=True)
    x = (np.abs(x) * 3).astype(input_dtype)
    state = (state > 0).astype(input_dtype)
    cell = keras_cell(weights, param_dtype, "tanh", True)
    _, [keras_state] = cell(x.astype(param_dtype), [state.astype(param_dtype)])
    ours = simple_rnn_cell(x, state, SimpleRNNParams(*[w.astype(param_dtype) for w in weights]))
    assert ours.dtype == np.dtype(param_dtype)
    np.testing.assert_allclose(ours, np.asarray(keras_state), rtol=0, atol=ATOL[param_dtype])


@pytest.mark.parametrize("dtype", list(ATOL))
def test_cell_does_not_modify_inputs_and_accepts_read_only_arrays(rng, dtype):
    x, state, weights = random_case(rng, batch=2, input_dim=3, units=4, use_bias=True)
    x, state = x.astype(dtype), state.astype(dtype)
    weights = [w.astype(dtype) for w in weights]
    originals = [a.copy() for a in (x, state, *weights)]
    params = SimpleRNNParams(*weights)
    for array in (x, state):
        array.flags.writeable = False

    ours = simple_rnn_cell(x, state, params)
    ours[...] = 123.0  # the result is the caller's: writing into it reaches nothing else
    for before, after in zip(originals, (x, state, *weights), strict=True):
        np.testing.assert_array_equal(after, before)

    cell = keras_cell(weights, dtype, "tanh", True)
    _, [keras_state] = cell(x, [state])
    np.testing.assert_allclose(
        simple_rnn_cell(x, state, params), np.asarray(keras_state), rtol=0, atol=ATOL[dtype]
    )
