"""SimpleRNNParams, GRUParams and LSTMParams refuse bad input with the right exception and a
message that names the argument and the shapes or values involved: the constructor, ``init``,
``astype``, ``from_keras`` and ``to_keras`` (which leaves the Keras layer unchanged). Each case
gives literal text that must appear in the message."""

import re

import keras
import numpy as np
import pytest

from rnn_playground import GRUParams, LSTMParams, SimpleRNNParams

STEPS, FEATURES, UNITS = 5, 3, 4
_rng = np.random.default_rng(0)
KERNEL = _rng.normal(size=(FEATURES, UNITS))
RECURRENT_KERNEL = _rng.normal(size=(UNITS, UNITS))
BIAS = _rng.normal(size=UNITS)
P = SimpleRNNParams(KERNEL, RECURRENT_KERNEL, BIAS)


def make(**kwargs):
    """SimpleRNNParams with good arrays, except those given."""
    arguments = {"kernel": KERNEL, "recurrent_kernel": RECURRENT_KERNEL, "bias": BIAS, **kwargs}
    return lambda: SimpleRNNParams(**arguments)


# -- SimpleRNNParams ----------------------------------------------------------------------
PARAMS_CASES = [
    ("kernel-rank-1", make(kernel=KERNEL[0]), ValueError,
         "kernel must have 2 dimensions (input_dim, units), got shape (4,) (1 dimension)"),
    ("kernel-rank-3", make(kernel=KERNEL[None]), ValueError,
         "kernel must have 2 dimensions (input_dim, units), got shape (1, 3, 4)"),
    ("kernel-empty-input", make(kernel=KERNEL[:0]), ValueError,
         "kernel must have input_dim >= 1 and units >= 1, got (0, 4)"),
    ("kernel-empty-units", make(kernel=KERNEL[:, :0]), ValueError,
         "kernel must have input_dim >= 1 and units >= 1, got (3, 0)"),
    ("kernel-None", make(kernel=None), TypeError, "kernel must be a real array, got None"),
    ("kernel-str", make(kernel="glorot_uniform"), TypeError,
         "kernel must be a real array, got a string: 'glorot_uniform'"),
    ("kernel-object", make(kernel=np.full((3, 4), object())), TypeError,
         "kernel must be a real numeric array, got dtype object"),
    ("kernel-complex", make(kernel=KERNEL.astype(complex)), TypeError,
         "kernel must be real, got complex dtype complex128"),
    ("recurrent_kernel-non-square", make(recurrent_kernel=np.zeros((4, 5))), ValueError,
         "recurrent_kernel must have shape (units, units) = (4, 4) to match kernel of shape "
         "(3, 4), got (4, 5)"),
    ("recurrent_kernel-mismatched-square", make(recurrent_kernel=np.eye(5)), ValueError,
         "recurrent_kernel must have shape (units, units) = (4, 4) to match kernel of shape "
         "(3, 4), got (5, 5)"),
    ("recurrent_kernel-transposed-kernel", make(recurrent_kernel=KERNEL), ValueError,
         "recurrent_kernel must have shape (units, units) = (4, 4) to match kernel of shape "
         "(3, 4), got (3, 4)"),
    ("recurrent_kernel-rank-1", make(recurrent_kernel=np.ones(4)), ValueError,
         "recurrent_kernel must have 2 dimensions (units, units), got shape (4,)"),
    ("recurrent_kernel-rank-3", make(recurrent_kernel=np.ones((1, 4, 4))), ValueError,
         "recurrent_kernel must have 2 dimensions (units, units), got shape (1, 4, 4)"),
    ("recurrent_kernel-None", make(recurrent_kernel=None), TypeError,
         "recurrent_kernel must be a real array, got None"),
    ("recurrent_kernel-complex", make(recurrent_kernel=np.eye(4) * 1j), TypeError,
         "recurrent_kernel must be real, got complex dtype complex128"),
    ("bias-length", make(bias=np.zeros(5)), ValueError,
         "bias must have shape (units,) = (4,) to match kernel of shape (3, 4), got (5,)"),
    ("bias-length-one", make(bias=np.zeros(1)), ValueError,
         "bias must have shape (units,) = (4,) to match kernel of shape (3, 4), got (1,)"),
    ("bias-rank-2", make(bias=BIAS[None]), ValueError,
         "bias must have 1 dimension (units,), got shape (1, 4) (2 dimensions)"),
    ("bias-scalar", make(bias=0.0), ValueError,
         "bias must have 1 dimension (units,), got shape () (0 dimensions)"),
    ("bias-str", make(bias="zeros"), TypeError,
         "bias must be a real array, got a string: 'zeros'"),
    ("bias-complex", make(bias=BIAS * 1j), TypeError,
         "bias must be real, got complex dtype complex128"),
    ("bias-object", make(bias=[object()] * 4), TypeError,
         "bias must be a real numeric array, got dtype object"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "message"), [c[1:] for c in PARAMS_CASES], ids=[c[0] for c in PARAMS_CASES]
)
def test_params_reject(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


# -- from_keras / to_keras ----------------------------------------------------------------
def built(layer, input_shape=(None, STEPS, FEATURES)):
    layer.build(input_shape)
    return layer


ANY_SIMPLE_RNN = "obj must be a keras.layers.SimpleRNN, SimpleRNNCell or RNN(SimpleRNNCell), got"
WRAPPING = "obj must be a SimpleRNN, a SimpleRNNCell or an RNN wrapping a SimpleRNNCell; got"
KERAS_OBJECTS = [
    ("unbuilt-SimpleRNN", lambda: keras.layers.SimpleRNN(UNITS), ValueError,
         "obj (SimpleRNN) is not built yet"),
    ("unbuilt-SimpleRNNCell", lambda: keras.layers.SimpleRNNCell(UNITS), ValueError,
         "obj (SimpleRNNCell) is not built yet"),
    ("unbuilt-RNN", lambda: keras.layers.RNN(keras.layers.SimpleRNNCell(UNITS)), ValueError,
         "obj (RNN) is not built yet"),
    ("LSTM", lambda: built(keras.layers.LSTM(UNITS)), TypeError,
         f"{WRAPPING} LSTM with a LSTMCell"),
    ("GRU", lambda: built(keras.layers.GRU(UNITS)), TypeError,
         f"{WRAPPING} GRU with a GRUCell"),
    ("RNN-LSTMCell", lambda: built(keras.layers.RNN(keras.layers.LSTMCell(UNITS))), TypeError,
         f"{WRAPPING} RNN with a LSTMCell"),
    ("RNN-stacked-cells", lambda: built(keras.layers.RNN(
             [keras.layers.SimpleRNNCell(UNITS), keras.layers.SimpleRNNCell(UNITS)])),
         TypeError, f"{WRAPPING} RNN with a StackedRNNCells"),
    ("LSTMCell", lambda: built(keras.layers.LSTMCell(UNITS), (None, FEATURES)), TypeError,
         f"{ANY_SIMPLE_RNN} LSTMCell"),
    ("Dense", lambda: built(keras.layers.Dense(UNITS), (None, FEATURES)), TypeError,
         f"{ANY_SIMPLE_RNN} Dense"),
    ("Bidirectional", lambda: built(keras.layers.Bidirectional(keras.layers.SimpleRNN(UNITS))),
         TypeError, f"{ANY_SIMPLE_RNN} Bidirectional"),
    ("ndarray", lambda: KERNEL, TypeError, f"{ANY_SIMPLE_RNN} ndarray"),
    ("None", lambda: None, TypeError, f"{ANY_SIMPLE_RNN} NoneType"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make_obj", "error", "message"),
    [c[1:] for c in KERAS_OBJECTS],
    ids=[c[0] for c in KERAS_OBJECTS],
)
def test_from_keras_rejects(make_obj, error, message):
    obj = make_obj()
    with pytest.raises(error, match=re.escape(message)):
        SimpleRNNParams.from_keras(obj)


@pytest.mark.parametrize(
    ("make_obj", "error", "message"),
    [c[1:] for c in KERAS_OBJECTS],
    ids=[c[0] for c in KERAS_OBJECTS],
)
def test_to_keras_rejects(make_obj, error, message):
    obj = make_obj()
    with pytest.raises(error, match=re.escape(message)):
        P.to_keras(obj)


TO_KERAS_MISMATCH = [
    ("units", lambda: (P, built(keras.layers.SimpleRNN(5))), ValueError,
         "obj has kernel (3, 5) and recurrent_kernel (5, 5), but these params have (3, 4) and "
         "(4, 4)"),
    ("input_dim", lambda: (P, built(keras.layers.SimpleRNN(UNITS), (None, STEPS, 2))),
         ValueError, "obj has kernel (2, 4) and recurrent_kernel (4, 4), but these params have "
         "(3, 4) and (4, 4)"),
    ("cell-units", lambda: (P, built(keras.layers.SimpleRNNCell(2), (None, FEATURES))),
         ValueError, "obj has kernel (3, 2) and recurrent_kernel (2, 2), but these params have "
         "(3, 4) and (4, 4)"),
    ("layer-without-bias", lambda: (P, built(keras.layers.SimpleRNN(UNITS, use_bias=False))),
         ValueError, "obj has use_bias=False but these params have a bias"),
    ("params-without-bias", lambda: (SimpleRNNParams(KERNEL, RECURRENT_KERNEL),
                                         built(keras.layers.SimpleRNN(UNITS))),
         ValueError, "obj has use_bias=True but these params have no bias"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make_pair", "error", "message"),
    [c[1:] for c in TO_KERAS_MISMATCH],
    ids=[c[0] for c in TO_KERAS_MISMATCH],
)
def test_to_keras_rejects_mismatch_and_leaves_keras_unchanged(make_pair, error, message):
    params, layer = make_pair()
    before = [w.copy() for w in layer.get_weights()]
    with pytest.raises(error, match=re.escape(message)):
        params.to_keras(layer)
    for after, original in zip(layer.get_weights(), before, strict=True):
        np.testing.assert_array_equal(after, original)


# -- init and astype ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        pytest.param({"input_dim": 0}, ValueError, "input_dim must be a positive integer, got 0",
                     id="input_dim-0"),
        pytest.param({"units": -2}, ValueError, "units must be a positive integer, got -2",
                     id="units-negative"),
        pytest.param({"units": 2.5}, TypeError, "units must be a positive integer, got 2.5",
                     id="units-float"),
        pytest.param({"input_dim": True}, TypeError,
                     "input_dim must be a positive integer, got True", id="input_dim-bool"),
        pytest.param({"use_bias": 1}, TypeError, "use_bias must be True or False, got 1",
                     id="use_bias-int"),
        pytest.param({"dtype": "int32"}, TypeError,
                     "dtype must be float16, float32 or float64, got int32", id="dtype-int32"),
        pytest.param({"dtype": "not-a-dtype"}, TypeError,
                     "dtype must be float16, float32 or float64, got 'not-a-dtype'",
                     id="dtype-unknown"),
    ],
)  # fmt: skip
def test_init_rejects_bad_arguments(kwargs, error, message):
    arguments = {"input_dim": 3, "units": 4, **kwargs}
    input_dim, units = arguments.pop("input_dim"), arguments.pop("units")
    with pytest.raises(error, match=re.escape(message)):
        SimpleRNNParams.init(input_dim, units, **arguments)


@pytest.mark.parametrize("dtype", ["int32", "complex128", "bool"])
def test_astype_rejects_non_float(dtype):
    message = f"dtype must be float16, float32 or float64, got {dtype}"
    with pytest.raises(TypeError, match=re.escape(message)):
        P.astype(dtype)


# -- GRUParams and LSTMParams ---------------------------------------------------------------------
GRU_KERNEL = _rng.normal(size=(FEATURES, 3 * UNITS))
GRU_RECURRENT_KERNEL = _rng.normal(size=(UNITS, 3 * UNITS))
GRU_BIAS = _rng.normal(size=(2, 3 * UNITS))  # reset_after=True
LSTM_KERNEL = _rng.normal(size=(FEATURES, 4 * UNITS))
LSTM_RECURRENT_KERNEL = _rng.normal(size=(UNITS, 4 * UNITS))
LSTM_BIAS = _rng.normal(size=4 * UNITS)


def make_gru(**kwargs):
    arguments = {"kernel": GRU_KERNEL, "recurrent_kernel": GRU_RECURRENT_KERNEL,
                 "bias": GRU_BIAS, **kwargs}  # fmt: skip
    return lambda: GRUParams(**arguments)


def make_lstm(**kwargs):
    arguments = {"kernel": LSTM_KERNEL, "recurrent_kernel": LSTM_RECURRENT_KERNEL,
                 "bias": LSTM_BIAS, **kwargs}  # fmt: skip
    return lambda: LSTMParams(**arguments)


GATED_PARAMS_CASES = [
    ("gru-kernel-width", make_gru(kernel=LSTM_KERNEL), ValueError,
         "kernel must have 3·units columns, the blocks [z | r | h] side by side; got shape "
         "(3, 16), and 16 is not a multiple of 3"),
    ("gru-kernel-rank-1", make_gru(kernel=GRU_KERNEL[0]), ValueError,
         "kernel must have 2 dimensions (input_dim, 3·units), got shape (12,)"),
    ("gru-recurrent_kernel-lstm", make_gru(recurrent_kernel=LSTM_RECURRENT_KERNEL), ValueError,
         "recurrent_kernel must have shape (units, 3·units) = (4, 12) to match kernel of shape "
         "(3, 12), got (4, 16)"),
    ("gru-recurrent_kernel-square", make_gru(recurrent_kernel=np.eye(UNITS)), ValueError,
         "recurrent_kernel must have shape (units, 3·units) = (4, 12) to match kernel of shape "
         "(3, 12), got (4, 4)"),
    ("gru-bias-reset_before-shape", make_gru(bias=GRU_BIAS[0]), ValueError,
         "bias must have 2 dimensions (2, 3·units) with reset_after=True (row 0 the input bias, "
         "row 1 the recurrent bias; (3·units,) is reset_after=False's), got shape (12,)"),
    ("gru-bias-reset_after-shape", make_gru(bias=GRU_BIAS, reset_after=False), ValueError,
         "bias must have 1 dimension (3·units,) with reset_after=False (one bias; (2, 3·units) "
         "is reset_after=True's), got shape (2, 12)"),
    ("gru-bias-three-rows", make_gru(bias=np.zeros((3, 12))), ValueError,
         "bias must have shape (2, 3·units) = (2, 12) to match kernel of shape (3, 12) with "
         "reset_after=True"),
    ("gru-bias-cudnn-flat", make_gru(bias=np.zeros(24)), ValueError,
         "bias must have 2 dimensions (2, 3·units) with reset_after=True"),
    ("gru-bias-width", make_gru(bias=np.zeros(13), reset_after=False), ValueError,
         "bias must have shape (3·units,) = (12,) to match kernel of shape (3, 12) with "
         "reset_after=False"),
    ("gru-bias-str", make_gru(bias="zeros"), TypeError, "bias must be a real array, got a string"),
    ("gru-reset_after-int", make_gru(reset_after=1), TypeError,
         "reset_after must be True or False, got 1"),
    ("gru-reset_after-str", make_gru(reset_after="False"), TypeError,
         "reset_after must be True or False, got 'False'"),
    ("lstm-kernel-width", make_lstm(kernel=np.zeros((FEATURES, 10))), ValueError,
         "kernel must have 4·units columns, the blocks [i | f | c | o] side by side; got shape "
         "(3, 10), and 10 is not a multiple of 4"),
    ("lstm-gru-weights", make_lstm(kernel=GRU_KERNEL, recurrent_kernel=GRU_RECURRENT_KERNEL),
         ValueError, "recurrent_kernel must have shape (units, 4·units) = (3, 12) to match "
         "kernel of shape (3, 12), got (4, 12)"),
    ("lstm-kernel-empty", make_lstm(kernel=LSTM_KERNEL[:, :0]), ValueError,
         "kernel must have input_dim >= 1 and units >= 1, got (3, 0)"),
    ("lstm-bias-width", make_lstm(bias=np.zeros(12)), ValueError,
         "bias must have shape (4·units,) = (16,) to match kernel of shape (3, 16), got (12,)"),
    ("lstm-bias-rank-2", make_lstm(bias=np.zeros((2, 16))), ValueError,
         "bias must have 1 dimension (4·units,), got shape (2, 16) (2 dimensions)"),
    ("lstm-recurrent_kernel-None", make_lstm(recurrent_kernel=None), TypeError,
         "recurrent_kernel must be a real array, got None"),
    ("lstm-reset_after", lambda: LSTMParams(LSTM_KERNEL, LSTM_RECURRENT_KERNEL,
                                              reset_after=True),
         TypeError, "unexpected keyword argument 'reset_after'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [c[1:] for c in GATED_PARAMS_CASES],
    ids=[c[0] for c in GATED_PARAMS_CASES],
)
def test_gated_params_reject(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


GRU_P = GRUParams(GRU_KERNEL, GRU_RECURRENT_KERNEL, GRU_BIAS)
LSTM_P = LSTMParams(LSTM_KERNEL, LSTM_RECURRENT_KERNEL, LSTM_BIAS)
GRU_WRAPPING = "obj must be a GRU, a GRUCell or an RNN wrapping a GRUCell; got"
LSTM_WRAPPING = "obj must be a LSTM, a LSTMCell or an RNN wrapping a LSTMCell; got"
GATED_KERAS_OBJECTS = [
    ("gru-unbuilt", GRUParams, lambda: keras.layers.GRU(UNITS), ValueError,
         "obj (GRU) is not built yet"),
    ("gru-LSTM", GRUParams, lambda: built(keras.layers.LSTM(UNITS)), TypeError,
         f"{GRU_WRAPPING} LSTM with a LSTMCell"),
    ("gru-SimpleRNNCell", GRUParams,
         lambda: built(keras.layers.SimpleRNNCell(UNITS), (None, FEATURES)), TypeError,
         "obj must be a keras.layers.GRU, GRUCell or RNN(GRUCell), got SimpleRNNCell"),
    ("lstm-unbuilt-cell", LSTMParams, lambda: keras.layers.LSTMCell(UNITS), ValueError,
         "obj (LSTMCell) is not built yet"),
    ("lstm-RNN-GRUCell", LSTMParams,
         lambda: built(keras.layers.RNN(keras.layers.GRUCell(UNITS))), TypeError,
         f"{LSTM_WRAPPING} RNN with a GRUCell"),
    ("lstm-Bidirectional", LSTMParams,
         lambda: built(keras.layers.Bidirectional(keras.layers.LSTM(UNITS))), TypeError,
         "obj must be a keras.layers.LSTM, LSTMCell or RNN(LSTMCell), got Bidirectional"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("cls", "make_obj", "error", "message"),
    [c[1:] for c in GATED_KERAS_OBJECTS],
    ids=[c[0] for c in GATED_KERAS_OBJECTS],
)
def test_gated_from_keras_and_to_keras_reject(cls, make_obj, error, message):
    obj = make_obj()
    with pytest.raises(error, match=re.escape(message)):
        cls.from_keras(obj)
    with pytest.raises(error, match=re.escape(message)):
        (GRU_P if cls is GRUParams else LSTM_P).to_keras(obj)


GATED_TO_KERAS_MISMATCH = [
    ("gru-reset_after", lambda: (GRU_P, built(keras.layers.GRU(UNITS, reset_after=False))),
         ValueError, "obj has reset_after=False but these params have reset_after=True"),
    ("gru-reset_before",
         lambda: (GRUParams(GRU_KERNEL, GRU_RECURRENT_KERNEL, reset_after=False),
                  built(keras.layers.GRU(UNITS, use_bias=False))),
         ValueError, "obj has reset_after=True but these params have reset_after=False"),
    ("gru-units", lambda: (GRU_P, built(keras.layers.GRU(5))), ValueError,
         "obj has kernel (3, 15) and recurrent_kernel (5, 15), but these params have (3, 12) "
         "and (4, 12)"),
    ("gru-use_bias", lambda: (GRU_P, built(keras.layers.GRU(UNITS, use_bias=False))),
         ValueError, "obj has use_bias=False but these params have a bias"),
    ("lstm-input_dim", lambda: (LSTM_P, built(keras.layers.LSTM(UNITS), (None, STEPS, 2))),
         ValueError, "obj has kernel (2, 16) and recurrent_kernel (4, 16), but these params "
         "have (3, 16) and (4, 16)"),
    ("lstm-no-bias", lambda: (LSTMParams(LSTM_KERNEL, LSTM_RECURRENT_KERNEL),
                              built(keras.layers.LSTMCell(UNITS), (None, FEATURES))),
         ValueError, "obj has use_bias=True but these params have no bias"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make_pair", "error", "message"),
    [c[1:] for c in GATED_TO_KERAS_MISMATCH],
    ids=[c[0] for c in GATED_TO_KERAS_MISMATCH],
)
def test_gated_to_keras_rejects_mismatch_and_leaves_keras_unchanged(make_pair, error, message):
    params, layer = make_pair()
    before = [w.copy() for w in layer.get_weights()]
    with pytest.raises(error, match=re.escape(message)):
        params.to_keras(layer)
    for after, original in zip(layer.get_weights(), before, strict=True):
        np.testing.assert_array_equal(after, original)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        pytest.param(lambda: GRUParams.init(3, 4, reset_after=1), TypeError,
                     "reset_after must be True or False, got 1", id="gru-reset_after-int"),
        pytest.param(lambda: GRUParams.init(3, 0), ValueError,
                     "units must be a positive integer, got 0", id="gru-units-0"),
        pytest.param(lambda: GRUParams.init(3, 4, dtype="int8"), TypeError,
                     "dtype must be float16, float32 or float64, got int8", id="gru-dtype"),
        pytest.param(lambda: LSTMParams.init(3, 4, unit_forget_bias="yes"), TypeError,
                     "unit_forget_bias must be True or False, got 'yes'", id="lstm-ufb-str"),
        pytest.param(lambda: LSTMParams.init(2.0, 4), TypeError,
                     "input_dim must be a positive integer, got 2.0", id="lstm-input_dim"),
        pytest.param(lambda: LSTMParams.init(3, 4, use_bias=None), TypeError,
                     "use_bias must be True or False, got None", id="lstm-use_bias"),
        pytest.param(lambda: LSTM_P.astype("complex64"), TypeError,
                     "dtype must be float16, float32 or float64, got complex64",
                     id="lstm-astype"),
        pytest.param(lambda: GRU_P.astype(bool), TypeError,
                     "dtype must be float16, float32 or float64, got bool", id="gru-astype"),
    ],
)  # fmt: skip
def test_gated_init_and_astype_reject(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()
