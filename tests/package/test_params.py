"""SimpleRNNParams: Keras round trips, immutability, and the default initialisers.

Round trips are judged by Keras' own outputs: weights copied out of a Keras object give
``simple_rnn`` results equal to that object's, and weights written into one make it
compute what ``simple_rnn`` computes.
"""

import pickle

import keras
import numpy as np
import pytest

from rnn_playground import SimpleRNNParams, simple_rnn, simple_rnn_cell
from rnn_playground.testing import ATOL, random_params

BATCH, STEPS, FEATURES, UNITS = 3, 4, 3, 5


def make_keras(kind, *, dtype="float32", use_bias=True):
    """A Keras SimpleRNN, SimpleRNNCell or RNN(SimpleRNNCell) with return_sequences/state."""
    if kind == "SimpleRNN":
        obj = keras.layers.SimpleRNN(
            UNITS, use_bias=use_bias, return_sequences=True, return_state=True, dtype=dtype
        )
    elif kind == "SimpleRNNCell":
        obj = keras.layers.SimpleRNNCell(UNITS, use_bias=use_bias, dtype=dtype)
    else:
        cell = keras.layers.SimpleRNNCell(UNITS, use_bias=use_bias, dtype=dtype)
        obj = keras.layers.RNN(cell, return_sequences=True, return_state=True, dtype=dtype)
    obj.build((None, FEATURES) if kind == "SimpleRNNCell" else (None, STEPS, FEATURES))
    return obj


def keras_run(obj, x, h0):
    """(outputs, final state) of a Keras object; a bare cell is run for one step."""
    if isinstance(obj, keras.layers.SimpleRNNCell):
        output, [state] = obj(x[:, 0, :], [h0])
        return np.asarray(output)[:, None, :], np.asarray(state)
    outputs, state = obj(x, initial_state=h0)
    return np.asarray(outputs), np.asarray(state)


def ours_run(kind, x, h0, params):
    if kind == "SimpleRNNCell":
        state = simple_rnn_cell(x[:, 0, :], h0, params)
        return state[:, None, :], state
    return simple_rnn(x, params, initial_state=h0, return_sequences=True, return_state=True)


KINDS = ["SimpleRNN", "SimpleRNNCell", "RNN(SimpleRNNCell)"]
DTYPES = list(ATOL)


@pytest.fixture
def data(rng):
    return rng.normal(size=(BATCH, STEPS, FEATURES)), rng.uniform(-1, 1, size=(BATCH, UNITS))


# -- from_keras ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("kind", KINDS)
def test_from_keras_gives_keras_outputs(kind, use_bias, dtype, data):
    obj = make_keras(kind, dtype=dtype, use_bias=use_bias)
    if use_bias:  # Keras initialises the bias to zeros; make it count
        cell = obj if kind == "SimpleRNNCell" else obj.cell
        cell.bias.assign(np.linspace(-0.5, 0.5, UNITS).astype(dtype))
    params = SimpleRNNParams.from_keras(obj)

    assert (params.input_dim, params.units, params.dtype) == (FEATURES, UNITS, np.dtype(dtype))
    keras_weights = obj.get_weights()
    ours_weights = [params.kernel, params.recurrent_kernel] + ([params.bias] if use_bias else [])
    assert len(keras_weights) == len(ours_weights)
    for theirs, ours in zip(keras_weights, ours_weights, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    if not use_bias:
        assert params.bias is None

    x, h0 = (a.astype(dtype) for a in data)
    for ours, theirs in zip(ours_run(kind, x, h0, params), keras_run(obj, x, h0), strict=True):
        assert ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=ATOL[dtype])


@pytest.mark.parametrize("kind", KINDS)
def test_from_keras_copies(kind):
    obj = make_keras(kind)
    before = [w.copy() for w in obj.get_weights()]
    params = SimpleRNNParams.from_keras(obj)
    cell = obj if kind == "SimpleRNNCell" else obj.cell
    for variable in (cell.kernel, cell.recurrent_kernel, cell.bias):
        variable.assign(np.full(variable.shape, 7.0, dtype="float32"))
    assert np.all(obj.get_weights()[0] == 7.0)  # Keras did change ...
    for ours, original in zip(
        [params.kernel, params.recurrent_kernel, params.bias], before, strict=True
    ):
        np.testing.assert_array_equal(ours, original)  # ... and the params did not


# -- to_keras --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("kind", KINDS)
def test_to_keras_makes_keras_compute_simple_rnn(kind, use_bias, dtype, rng, data):
    params = random_params(FEATURES, UNITS, seed=rng, use_bias=use_bias, dtype=dtype)
    obj = make_keras(kind, dtype=dtype, use_bias=use_bias)
    params.to_keras(obj)

    expected = [params.kernel, params.recurrent_kernel] + ([params.bias] if use_bias else [])
    for theirs, ours in zip(obj.get_weights(), expected, strict=True):
        np.testing.assert_array_equal(theirs, ours)
    x, h0 = (a.astype(dtype) for a in data)
    for ours, theirs in zip(ours_run(kind, x, h0, params), keras_run(obj, x, h0), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=ATOL[dtype])


def test_to_keras_casts_to_the_layer_dtype(data):
    params = SimpleRNNParams.init(FEATURES, UNITS, seed=3, dtype="float64")
    layer = make_keras("SimpleRNN", dtype="float32")
    params.to_keras(layer)
    assert all(w.dtype == np.float32 for w in layer.get_weights())
    x, h0 = (a.astype("float32") for a in data)
    ours = simple_rnn(
        x, params.astype("float32"), initial_state=h0, return_sequences=True, return_state=True
    )
    for o, t in zip(ours, keras_run(layer, x, h0), strict=True):
        np.testing.assert_allclose(o, t, rtol=0, atol=ATOL["float32"])


@pytest.mark.parametrize("kind", KINDS)
def test_to_keras_then_from_keras_round_trip(kind):
    params = SimpleRNNParams.init(FEATURES, UNITS, seed=11)
    obj = make_keras(kind)
    params.to_keras(obj)
    back = SimpleRNNParams.from_keras(obj)
    np.testing.assert_array_equal(back.kernel, params.kernel)
    np.testing.assert_array_equal(back.recurrent_kernel, params.recurrent_kernel)
    np.testing.assert_array_equal(back.bias, params.bias)


# -- immutability ----------------------------------------------------------------------------
@pytest.fixture
def params(rng):
    return SimpleRNNParams(
        rng.normal(size=(FEATURES, UNITS)), rng.normal(size=(UNITS, UNITS)), rng.normal(size=UNITS)
    )


@pytest.mark.parametrize("name", ["kernel", "recurrent_kernel", "bias"])
def test_params_arrays_are_read_only(params, name):
    array = getattr(params, name)
    assert not array.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        array[0] = 1.0
    with pytest.raises(ValueError, match="WRITEABLE"):
        array.flags.writeable = True  # and cannot be made writeable again


@pytest.mark.parametrize(
    "name", ["kernel", "recurrent_kernel", "bias", "_kernel", "units", "dtype", "something_new"]
)
def test_params_attributes_cannot_be_set_or_deleted(params, name):
    with pytest.raises(AttributeError, match=f"immutable: cannot set '{name}'"):
        setattr(params, name, np.zeros((FEATURES, UNITS)))
    with pytest.raises(AttributeError, match=f"immutable: cannot delete '{name}'"):
        delattr(params, name)


def test_params_copy_the_callers_arrays(rng):
    kernel = rng.normal(size=(FEATURES, UNITS))
    recurrent_kernel = rng.normal(size=(UNITS, UNITS))
    bias = rng.normal(size=UNITS)
    originals = [a.copy() for a in (kernel, recurrent_kernel, bias)]
    params = SimpleRNNParams(kernel, recurrent_kernel, bias)
    for array in (kernel, recurrent_kernel, bias):
        array += 1.0  # the caller changes their arrays afterwards
    for ours, original in zip(
        (params.kernel, params.recurrent_kernel, params.bias), originals, strict=True
    ):
        np.testing.assert_array_equal(ours, original)
        assert not np.shares_memory(ours, kernel)


def test_params_pickle(params):
    back = pickle.loads(pickle.dumps(params))
    for name in ("kernel", "recurrent_kernel", "bias"):
        np.testing.assert_array_equal(getattr(back, name), getattr(params, name))
        assert not getattr(back, name).flags.writeable


@pytest.mark.parametrize(
    ("kernel_dtype", "bias_dtype", "expected"),
    [
        ("float32", "float32", "float32"),
        ("float64", "float64", "float64"),
        ("float32", "float64", "float64"),
        ("int64", None, "float32"),
        ("int32", "int32", "float32"),
    ],
)
def test_params_dtype(kernel_dtype, bias_dtype, expected):
    kernel = np.ones((FEATURES, UNITS), dtype=kernel_dtype)
    recurrent_kernel = np.eye(UNITS, dtype=kernel_dtype)
    bias = None if bias_dtype is None else np.zeros(UNITS, dtype=bias_dtype)
    params = SimpleRNNParams(kernel, recurrent_kernel, bias)
    assert params.dtype == np.dtype(expected)
    for array in (params.kernel, params.recurrent_kernel, params.bias):
        assert array is None or array.dtype == np.dtype(expected)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_astype(params, dtype):
    cast = params.astype(dtype)
    assert cast.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(cast.kernel, params.kernel.astype(dtype))
    assert not cast.kernel.flags.writeable


def test_repr(params):
    assert repr(params) == (
        f"SimpleRNNParams(input_dim={FEATURES}, units={UNITS}, dtype=float64, bias=({UNITS},))"
    )


# -- init: Keras' default initialisers ---------------------------------------------------
SHAPES = [(1, 1), (3, 5), (8, 2), (2, 8), (40, 64)]


@pytest.mark.parametrize(("input_dim", "units"), SHAPES, ids=lambda v: str(v))
def test_init_recurrent_kernel_is_orthogonal(input_dim, units):
    params = SimpleRNNParams.init(input_dim, units, seed=0, dtype="float64")
    q = params.recurrent_kernel
    np.testing.assert_allclose(q @ q.T, np.eye(units), rtol=0, atol=1e-6)
    np.testing.assert_allclose(q.T @ q, np.eye(units), rtol=0, atol=1e-6)
    # So is Keras' own orthogonal initialiser (the property we are reproducing).
    keras_q = keras.initializers.Orthogonal(seed=0)((units, units)).numpy().astype("float64")
    np.testing.assert_allclose(keras_q @ keras_q.T, np.eye(units), rtol=0, atol=1e-6)


@pytest.mark.parametrize(("input_dim", "units"), SHAPES, ids=lambda v: str(v))
def test_init_kernel_within_glorot_bound(input_dim, units):
    limit = np.sqrt(6 / (input_dim + units))
    for seed in range(5):
        kernel = SimpleRNNParams.init(input_dim, units, seed=seed, dtype="float64").kernel
        assert kernel.shape == (input_dim, units)
        assert np.abs(kernel).max() <= limit
    keras_kernel = keras.initializers.GlorotUniform(seed=0)((input_dim, units)).numpy()
    assert np.abs(keras_kernel).max() <= np.float32(limit)


def test_init_kernel_spread_is_uniform_like_keras():
    input_dim, units = 300, 200
    limit = np.sqrt(6 / (input_dim + units))
    ours = SimpleRNNParams.init(input_dim, units, seed=1, dtype="float64").kernel.ravel()
    theirs = keras.initializers.GlorotUniform(seed=1)((input_dim, units)).numpy().ravel()
    for sample in (ours, theirs):
        # U(-l, l): mean 0, standard deviation l / sqrt(3), both ends reached, flat histogram.
        assert abs(sample.mean()) < 0.01 * limit
        np.testing.assert_allclose(sample.std(), limit / np.sqrt(3), rtol=0.01)
        assert sample.min() < -0.999 * limit
        assert sample.max() > 0.999 * limit
        counts, _ = np.histogram(sample, bins=10, range=(-limit, limit))
        np.testing.assert_allclose(counts, sample.size / 10, rtol=0.05)
    np.testing.assert_allclose(ours.std(), theirs.std(), rtol=0.01)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "nobias"])
def test_init_bias_dtype_and_keras_layout(use_bias, dtype):
    params = SimpleRNNParams.init(FEATURES, UNITS, use_bias=use_bias, seed=0, dtype=dtype)
    assert params.dtype == np.dtype(dtype)
    assert params.kernel.dtype == params.recurrent_kernel.dtype == np.dtype(dtype)
    layer = make_keras("SimpleRNN", use_bias=use_bias)
    keras_weights = layer.get_weights()  # a fresh Keras layer: shapes, and zeros bias
    ours = [params.kernel, params.recurrent_kernel] + ([params.bias] if use_bias else [])
    assert [w.shape for w in ours] == [w.shape for w in keras_weights]
    if use_bias:
        assert params.bias.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(params.bias, keras_weights[2])  # both zeros
        np.testing.assert_array_equal(params.bias, 0)
    else:
        assert params.bias is None


def test_init_is_reproducible_by_seed():
    a = SimpleRNNParams.init(4, 6, seed=42)
    b = SimpleRNNParams.init(4, 6, seed=42)
    c = SimpleRNNParams.init(4, 6, seed=43)
    np.testing.assert_array_equal(a.kernel, b.kernel)
    np.testing.assert_array_equal(a.recurrent_kernel, b.recurrent_kernel)
    assert not np.array_equal(a.kernel, c.kernel)
    assert not np.array_equal(a.recurrent_kernel, c.recurrent_kernel)
    unseeded = [SimpleRNNParams.init(4, 6).kernel for _ in range(2)]
    assert not np.array_equal(*unseeded)


def test_init_with_a_generator_seed():
    a = SimpleRNNParams.init(4, 6, seed=np.random.default_rng(5))
    b = SimpleRNNParams.init(4, 6, seed=np.random.default_rng(5))
    np.testing.assert_array_equal(a.kernel, b.kernel)
