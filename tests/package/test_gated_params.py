"""GRUParams and LSTMParams: Keras round trips on the layer, the cell and RNN(cell), both GRU
variants, immutability, astype, and Keras' default initialisers.

Round trips are judged by Keras' own outputs: weights copied out of a Keras object give
``gru``/``lstm`` results equal to that object's, and weights written into one make it compute
what the package computes.
"""

import pickle

import keras
import numpy as np
import pytest

from rnn_playground import GRUParams, LSTMParams, gru, gru_cell, lstm, lstm_cell
from rnn_playground.testing import ATOL, random_params

BATCH, STEPS, FEATURES, UNITS = 3, 4, 3, 5
DTYPES = list(ATOL)
VARIANTS = {"gru": ("gru", True), "gru-reset_before": ("gru", False), "lstm": ("lstm", None)}
KINDS = ["layer", "cell", "RNN(cell)"]


def keras_options(variant, use_bias):
    cell, reset_after = VARIANTS[variant]
    return {"use_bias": use_bias, **({"reset_after": reset_after} if cell == "gru" else {})}


def make_keras(variant, kind, *, dtype="float32", use_bias=True):
    """A built Keras GRU/LSTM layer, cell or RNN(cell), returning sequences and states."""
    is_lstm = VARIANTS[variant][0] == "lstm"
    layer_class = keras.layers.LSTM if is_lstm else keras.layers.GRU
    cell_class = keras.layers.LSTMCell if is_lstm else keras.layers.GRUCell
    options = {**keras_options(variant, use_bias), "dtype": dtype}
    if kind == "layer":
        obj = layer_class(UNITS, return_sequences=True, return_state=True, **options)
    elif kind == "cell":
        obj = cell_class(UNITS, **options)
    else:
        obj = keras.layers.RNN(
            cell_class(UNITS, **options), return_sequences=True, return_state=True, dtype=dtype
        )
    obj.build((None, FEATURES) if kind == "cell" else (None, STEPS, FEATURES))
    return obj


def keras_run(obj, kind, x, states):
    """(outputs, *final states) of a Keras object; a bare cell runs one step."""
    if kind == "cell":
        output, new_states = obj(x[:, 0, :], list(states))
        return (np.asarray(output)[:, None, :], *(np.asarray(s) for s in new_states))
    return tuple(np.asarray(r) for r in obj(x, initial_state=list(states)))


def ours_run(variant, kind, x, states, params):
    if VARIANTS[variant][0] == "lstm":
        if kind == "cell":
            h, c = lstm_cell(x[:, 0, :], states, params)
            return h[:, None, :], h, c
        return lstm(x, params, initial_state=states, return_sequences=True, return_state=True)
    if kind == "cell":
        h = gru_cell(x[:, 0, :], states[0], params)
        return h[:, None, :], h
    return gru(x, params, initial_state=states[0], return_sequences=True, return_state=True)


def params_class(variant):
    return LSTMParams if VARIANTS[variant][0] == "lstm" else GRUParams


@pytest.fixture
def data(rng):
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    return x, tuple(rng.uniform(-1, 1, size=(2, BATCH, UNITS)))


def states_for(variant, states, dtype):
    count = 2 if VARIANTS[variant][0] == "lstm" else 1
    return tuple(s.astype(dtype) for s in states[:count])


def assert_same_results(ours, theirs, dtype):
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs, strict=True):
        assert o.dtype == t.dtype == np.dtype(dtype)
        np.testing.assert_allclose(o, t, rtol=0, atol=ATOL[dtype])


# -- from_keras ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_from_keras_gives_keras_outputs(variant, kind, use_bias, dtype, data, rng):
    obj = make_keras(variant, kind, dtype=dtype, use_bias=use_bias)
    cell = obj if kind == "cell" else obj.cell
    if use_bias:  # Keras initialises the bias to zeros (ones in the LSTM's f); make it count
        cell.bias.assign(rng.uniform(-0.5, 0.5, size=cell.bias.shape).astype(dtype))
    params = params_class(variant).from_keras(obj)

    assert (params.input_dim, params.units, params.dtype) == (FEATURES, UNITS, np.dtype(dtype))
    if VARIANTS[variant][0] == "gru":
        assert params.reset_after is VARIANTS[variant][1]
    ours_weights = [params.kernel, params.recurrent_kernel] + ([params.bias] if use_bias else [])
    keras_weights = obj.get_weights()
    assert len(keras_weights) == len(ours_weights)
    for theirs, ours in zip(keras_weights, ours_weights, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    if not use_bias:
        assert params.bias is None

    x, states = data[0].astype(dtype), states_for(variant, data[1], dtype)
    assert_same_results(
        ours_run(variant, kind, x, states, params), keras_run(obj, kind, x, states), dtype
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_from_keras_copies(variant, kind):
    obj = make_keras(variant, kind)
    before = [w.copy() for w in obj.get_weights()]
    params = params_class(variant).from_keras(obj)
    cell = obj if kind == "cell" else obj.cell
    for variable in (cell.kernel, cell.recurrent_kernel, cell.bias):
        variable.assign(np.full(variable.shape, 7.0, dtype="float32"))
    assert np.all(obj.get_weights()[0] == 7.0)  # Keras did change ...
    ours = [params.kernel, params.recurrent_kernel, params.bias]
    for mine, original in zip(ours, before, strict=True):
        np.testing.assert_array_equal(mine, original)  # ... and the params did not


# -- to_keras --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_to_keras_makes_keras_compute_the_package(variant, kind, use_bias, dtype, data, rng):
    cell, reset_after = VARIANTS[variant]
    params = random_params(
        FEATURES, UNITS, seed=rng, use_bias=use_bias, dtype=dtype, cell=cell,
        reset_after=reset_after,
    )  # fmt: skip
    obj = make_keras(variant, kind, dtype=dtype, use_bias=use_bias)
    params.to_keras(obj)

    expected = [params.kernel, params.recurrent_kernel] + ([params.bias] if use_bias else [])
    for theirs, ours in zip(obj.get_weights(), expected, strict=True):
        np.testing.assert_array_equal(theirs, ours)
    x, states = data[0].astype(dtype), states_for(variant, data[1], dtype)
    assert_same_results(
        ours_run(variant, "layer" if kind != "cell" else "cell", x, states, params),
        keras_run(obj, kind, x, states),
        dtype,
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_to_keras_casts_to_the_layer_dtype(variant, data):
    cell, reset_after = VARIANTS[variant]
    params = random_params(FEATURES, UNITS, seed=3, cell=cell, reset_after=reset_after)
    assert params.dtype == np.float64
    layer = make_keras(variant, "layer", dtype="float32")
    params.to_keras(layer)
    assert all(w.dtype == np.float32 for w in layer.get_weights())
    x, states = data[0].astype("float32"), states_for(variant, data[1], "float32")
    ours = ours_run(variant, "layer", x, states, params.astype("float32"))
    assert_same_results(ours, keras_run(layer, "layer", x, states), "float32")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_to_keras_then_from_keras_round_trip(variant, kind):
    cls = params_class(variant)
    options = {"reset_after": VARIANTS[variant][1]} if cls is GRUParams else {}
    params = cls.init(FEATURES, UNITS, seed=11, **options)
    obj = make_keras(variant, kind)
    params.to_keras(obj)
    back = cls.from_keras(obj)
    for name in ("kernel", "recurrent_kernel", "bias"):
        np.testing.assert_array_equal(getattr(back, name), getattr(params, name))
    assert repr(back) == repr(params)


# -- immutability, astype, pickling ----------------------------------------------------------
@pytest.fixture(params=list(VARIANTS))
def params(request):
    cell, reset_after = VARIANTS[request.param]
    return random_params(FEATURES, UNITS, seed=0, cell=cell, reset_after=reset_after)


@pytest.mark.parametrize("name", ["kernel", "recurrent_kernel", "bias"])
def test_arrays_are_read_only(params, name):
    array = getattr(params, name)
    assert not array.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        array[0] = 1.0
    with pytest.raises(ValueError, match="WRITEABLE"):
        array.flags.writeable = True


@pytest.mark.parametrize(
    "name", ["kernel", "bias", "units", "reset_after", "_reset_after", "something_new"]
)
def test_attributes_cannot_be_set_or_deleted(params, name):
    with pytest.raises(AttributeError, match=f"immutable: cannot set '{name}'"):
        setattr(params, name, False)
    with pytest.raises(AttributeError, match=f"immutable: cannot delete '{name}'"):
        delattr(params, name)


@pytest.mark.parametrize("variant", VARIANTS)
def test_params_copy_the_callers_arrays(variant, rng):
    cell, reset_after = VARIANTS[variant]
    blocks = 4 if cell == "lstm" else 3
    kernel = rng.normal(size=(FEATURES, blocks * UNITS))
    recurrent_kernel = rng.normal(size=(UNITS, blocks * UNITS))
    bias = rng.normal(size=(2, 3 * UNITS) if reset_after else blocks * UNITS)
    originals = [a.copy() for a in (kernel, recurrent_kernel, bias)]
    options = {} if cell == "lstm" else {"reset_after": reset_after}
    params = params_class(variant)(kernel, recurrent_kernel, bias, **options)
    for array in (kernel, recurrent_kernel, bias):
        array += 1.0
    for ours, original in zip(
        (params.kernel, params.recurrent_kernel, params.bias), originals, strict=True
    ):
        np.testing.assert_array_equal(ours, original)


def test_pickle_keeps_everything(params):
    back = pickle.loads(pickle.dumps(params))
    assert type(back) is type(params)
    assert repr(back) == repr(params)
    for name in ("kernel", "recurrent_kernel", "bias"):
        np.testing.assert_array_equal(getattr(back, name), getattr(params, name))
        assert not getattr(back, name).flags.writeable


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_astype_keeps_the_layout(params, dtype):
    cast = params.astype(dtype)
    assert type(cast) is type(params)
    assert cast.dtype == np.dtype(dtype)
    if isinstance(params, GRUParams):
        assert cast.reset_after == params.reset_after
    for name in ("kernel", "recurrent_kernel", "bias"):
        np.testing.assert_array_equal(getattr(cast, name), getattr(params, name).astype(dtype))
        assert not getattr(cast, name).flags.writeable


def test_repr():
    gru_params = random_params(FEATURES, UNITS, seed=0, cell="gru", reset_after=False)
    assert repr(gru_params) == (
        "GRUParams(input_dim=3, units=5, dtype=float64, bias=(15,), reset_after=False)"
    )
    assert repr(random_params(FEATURES, UNITS, seed=0, cell="gru", use_bias=False)) == (
        "GRUParams(input_dim=3, units=5, dtype=float64, bias=None, reset_after=True)"
    )
    assert repr(random_params(FEATURES, UNITS, seed=0, cell="lstm", dtype="float32")) == (
        "LSTMParams(input_dim=3, units=5, dtype=float32, bias=(20,))"
    )


@pytest.mark.parametrize(("kernel_dtype", "bias_dtype", "expected"), [
    ("float32", "float32", "float32"), ("float32", "float64", "float64"),
    ("int64", None, "float32"), ("int32", "int32", "float32"),
])  # fmt: skip
@pytest.mark.parametrize("variant", VARIANTS)
def test_dtype_is_the_common_float_type(variant, kernel_dtype, bias_dtype, expected):
    cell, reset_after = VARIANTS[variant]
    blocks = 4 if cell == "lstm" else 3
    bias_shape = (2, 3 * UNITS) if reset_after else (blocks * UNITS,)
    bias = None if bias_dtype is None else np.zeros(bias_shape, dtype=bias_dtype)
    options = {} if cell == "lstm" else {"reset_after": reset_after}
    params = params_class(variant)(
        np.ones((FEATURES, blocks * UNITS), kernel_dtype),
        np.ones((UNITS, blocks * UNITS), kernel_dtype),
        bias,
        **options,
    )
    assert params.dtype == np.dtype(expected)
    assert all(a is None or a.dtype == np.dtype(expected) for a in
               (params.kernel, params.recurrent_kernel, params.bias))  # fmt: skip


# -- init: Keras' default initialisers ---------------------------------------------------
SHAPES = [(1, 1), (3, 5), (8, 2), (40, 64)]


def init(variant, input_dim, units, **kwargs):
    cls = params_class(variant)
    if cls is GRUParams:
        kwargs.setdefault("reset_after", VARIANTS[variant][1])
    return cls.init(input_dim, units, **kwargs)


@pytest.mark.parametrize(("input_dim", "units"), SHAPES, ids=str)
@pytest.mark.parametrize("variant", VARIANTS)
def test_init_recurrent_kernel_has_orthonormal_rows_like_keras(variant, input_dim, units):
    """Keras draws the whole (units, n·units) matrix orthogonal: its rows are orthonormal,
    its gate blocks are not orthogonal each."""
    q = init(variant, input_dim, units, seed=0, dtype="float64").recurrent_kernel
    blocks = q.shape[1] // units
    keras_q = keras.initializers.Orthogonal(seed=0)((units, blocks * units)).numpy()
    for matrix, atol in ((q, 1e-12), (keras_q.astype("float64"), 1e-6)):
        assert matrix.shape == (units, blocks * units)
        np.testing.assert_allclose(matrix @ matrix.T, np.eye(units), rtol=0, atol=atol)
    if units > 1:  # a block alone is not orthogonal: its rows are shorter than 1
        block = q[:, :units]
        assert np.abs(block @ block.T - np.eye(units)).max() > 0.1


@pytest.mark.parametrize(("input_dim", "units"), SHAPES, ids=str)
@pytest.mark.parametrize("variant", VARIANTS)
def test_init_kernel_within_the_glorot_bound_of_the_whole_matrix(variant, input_dim, units):
    blocks = 4 if VARIANTS[variant][0] == "lstm" else 3
    limit = np.sqrt(6 / (input_dim + blocks * units))
    for seed in range(5):
        kernel = init(variant, input_dim, units, seed=seed, dtype="float64").kernel
        assert kernel.shape == (input_dim, blocks * units)
        assert np.abs(kernel).max() <= limit
    keras_kernel = keras.initializers.GlorotUniform(seed=0)((input_dim, blocks * units)).numpy()
    assert np.abs(keras_kernel).max() <= np.float32(limit)


@pytest.mark.parametrize("variant", ["gru", "lstm"])
def test_init_kernel_spread_is_uniform_like_keras(variant):
    input_dim, units = 300, 100
    blocks = 4 if variant == "lstm" else 3
    limit = np.sqrt(6 / (input_dim + blocks * units))
    ours = init(variant, input_dim, units, seed=1, dtype="float64").kernel.ravel()
    theirs = keras.initializers.GlorotUniform(seed=1)((input_dim, blocks * units)).numpy().ravel()
    for sample in (ours, theirs):
        assert abs(sample.mean()) < 0.01 * limit
        np.testing.assert_allclose(sample.std(), limit / np.sqrt(3), rtol=0.01)
        assert sample.min() < -0.999 * limit
        assert sample.max() > 0.999 * limit
        counts, _ = np.histogram(sample, bins=10, range=(-limit, limit))
        np.testing.assert_allclose(counts, sample.size / 10, rtol=0.05)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_init_shapes_and_bias_are_a_fresh_keras_layers(variant, use_bias, dtype):
    params = init(variant, FEATURES, UNITS, use_bias=use_bias, seed=0, dtype=dtype)
    assert params.dtype == np.dtype(dtype)
    layer = make_keras(variant, "layer", use_bias=use_bias)
    keras_weights = layer.get_weights()  # zeros, and the LSTM's f block of ones
    ours = [params.kernel, params.recurrent_kernel] + ([params.bias] if use_bias else [])
    assert [w.shape for w in ours] == [w.shape for w in keras_weights]
    assert all(w.dtype == np.dtype(dtype) for w in ours)
    if use_bias:
        np.testing.assert_array_equal(params.bias, keras_weights[2])
    else:
        assert params.bias is None


@pytest.mark.parametrize("unit_forget_bias", [True, False])
def test_init_unit_forget_bias_like_keras(unit_forget_bias):
    params = LSTMParams.init(FEATURES, UNITS, seed=0, unit_forget_bias=unit_forget_bias)
    layer = keras.layers.LSTM(UNITS, unit_forget_bias=unit_forget_bias)
    layer.build((None, STEPS, FEATURES))
    np.testing.assert_array_equal(params.bias, layer.cell.bias.numpy())
    forget_block = params.bias[UNITS : 2 * UNITS]
    np.testing.assert_array_equal(forget_block, 1.0 if unit_forget_bias else 0.0)


@pytest.mark.parametrize("variant", VARIANTS)
def test_init_is_reproducible_by_seed(variant):
    a, b, c = (init(variant, 4, 6, seed=s) for s in (42, 42, 43))
    np.testing.assert_array_equal(a.kernel, b.kernel)
    np.testing.assert_array_equal(a.recurrent_kernel, b.recurrent_kernel)
    assert not np.array_equal(a.kernel, c.kernel)
    a = init(variant, 4, 6, seed=np.random.default_rng(5))
    b = init(variant, 4, 6, seed=np.random.default_rng(5))
    np.testing.assert_array_equal(a.recurrent_kernel, b.recurrent_kernel)
    assert not np.array_equal(*(init(variant, 4, 6).kernel for _ in range(2)))
