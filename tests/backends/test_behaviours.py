"""Where Keras 3.15.1 behaves differently on TensorFlow, JAX and PyTorch (the chapter "One layer,
three backends" shows each): each test asserts what this backend does today, so that a Keras
release that changes it turns the test red and the chapter gets updated.
"""

import keras
import numpy as np
import pytest

from rnn_playground import simple_rnn
from rnn_playground.testing import keras_outputs, random_params

BACKEND = keras.backend.backend()


def test_float64_result_type():
    """Keras' type promotion turns float64 into float32 on every backend but TensorFlow; on
    JAX ``keras.ops.tanh`` of a float64 array is float32, on PyTorch ``keras.ops.matmul`` of
    two float64 arrays."""
    x = np.linspace(-2, 2, 5)
    promoted = keras.backend.result_type("float64", "float64")
    tanh = keras.ops.convert_to_numpy(keras.ops.tanh(x)).dtype
    matmul = keras.ops.convert_to_numpy(keras.ops.matmul(x[None], x[:, None])).dtype
    expected = {
        "tensorflow": ("float64", "float64", "float64"),
        "jax": ("float32", "float32", "float64"),
        "torch": ("float32", "float64", "float32"),
    }[BACKEND]
    assert (promoted, str(tanh), str(matmul)) == expected


def test_masked_steps_before_the_first_valid_one_output():
    """TensorFlow and PyTorch output zeros at masked steps before the first valid one (the
    previous *output*, which starts at zero); JAX outputs the initial state there."""
    params = random_params(2, 3, seed=0, dtype="float32")
    x = np.random.default_rng(0).normal(size=(1, 3, 2)).astype("float32")
    h0 = np.full((1, 3), 0.5, "float32")
    mask = np.array([[False, True, True]])
    theirs = keras_outputs(params, x, initial_state=h0, mask=mask, return_sequences=True)
    ours = simple_rnn(x, params, initial_state=h0, mask=mask, return_sequences=True)
    np.testing.assert_allclose(theirs[:, 1:], ours[:, 1:], rtol=0, atol=1e-5)
    assert np.array_equal(ours[:, 0], np.zeros((1, 3), "float32"))
    expected_first = h0 if BACKEND == "jax" else np.zeros((1, 3), "float32")
    assert np.array_equal(theirs[:, 0], expected_first)


def _stateful_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(batch_shape=(2, 3, 2))
    layer = keras.layers.LSTM(4, stateful=True)
    model = keras.Model(inputs, keras.layers.Dense(1)(layer(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    return model, layer


def _state(layer):
    return np.concatenate([keras.ops.convert_to_numpy(s) for s in layer.states])


def test_stateful_layer_in_a_model():
    """A stateful LSTM in a keras.Model: on TensorFlow train_on_batch, evaluate and predict
    move its state; on JAX all three leave it where it was; calling the layer itself moves it on
    both. On PyTorch train_on_batch raises an in-place modification error (keras#23462)."""
    model, layer = _stateful_model()
    x = np.random.default_rng(1).normal(size=(2, 3, 2)).astype("float32")
    y = np.ones((2, 1), "float32")
    before = _state(layer)
    if BACKEND == "torch":
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            model.train_on_batch(x, y)
        return
    model.train_on_batch(x, y)
    after_train = _state(layer)
    model.evaluate(x, y, verbose=0)
    after_evaluate = _state(layer)
    model.predict(x, verbose=0)
    after_predict = _state(layer)
    layer(x)
    after_call = _state(layer)
    moved = [
        not np.array_equal(a, b)
        for a, b in [
            (before, after_train),
            (after_train, after_evaluate),
            (after_evaluate, after_predict),
            (after_predict, after_call),
        ]
    ]
    assert (
        moved
        == ({"tensorflow": [True, True, True, True], "jax": [False, False, False, True]}[BACKEND])
    )
