"""Bad input is refused at the boundary, with the right exception and a message that names
the argument and the shapes or values involved (never a NumPy error from inside the loop,
never a silently broadcast result)."""

import re

import keras
import numpy as np
import pytest

from rnn_playground import SimpleRNNParams, simple_rnn, simple_rnn_cell

BATCH, STEPS, FEATURES, UNITS = 2, 5, 3, 4
_rng = np.random.default_rng(0)
X = _rng.normal(size=(BATCH, STEPS, FEATURES))
H0 = _rng.normal(size=(BATCH, UNITS))
MASK = np.ones((BATCH, STEPS), dtype=bool)
KERNEL = _rng.normal(size=(FEATURES, UNITS))
RECURRENT_KERNEL = _rng.normal(size=(UNITS, UNITS))
BIAS = _rng.normal(size=UNITS)
P = SimpleRNNParams(KERNEL, RECURRENT_KERNEL, BIAS)
ACTIVATION_NAMES = "['linear', 'relu', 'sigmoid', 'tanh']"


def case(case_id, call, error, message):
    """``message`` is literal text that must appear in the error message."""
    return pytest.param(call, error, re.escape(message), id=case_id)


def run(**kwargs):
    """simple_rnn with good arguments, except those given."""
    arguments = {"inputs": X, "params": P, **kwargs}
    return lambda: simple_rnn(arguments.pop("inputs"), arguments.pop("params"), **arguments)


def step(**kwargs):
    """simple_rnn_cell with good arguments, except those given."""
    arguments = {"inputs": X[:, 0], "state": H0, "params": P, **kwargs}
    return lambda: simple_rnn_cell(
        arguments.pop("inputs"), arguments.pop("state"), arguments.pop("params"), **arguments
    )


def make(**kwargs):
    """SimpleRNNParams with good arrays, except those given."""
    arguments = {"kernel": KERNEL, "recurrent_kernel": RECURRENT_KERNEL, "bias": BIAS, **kwargs}
    return lambda: SimpleRNNParams(**arguments)


# -- simple_rnn ---------------------------------------------------------------------------
SIMPLE_RNN_CASES = [
    # inputs: rank, features, time steps, type
    case("inputs-rank-2", run(inputs=X[0]), ValueError,
         "inputs must have 3 dimensions (batch, time, features), got shape (5, 3) (2 dimensions)"),
    case("inputs-rank-4", run(inputs=X[None]), ValueError,
         "inputs must have 3 dimensions (batch, time, features), got shape (1, 2, 5, 3)"),
    case("inputs-scalar", run(inputs=1.0), ValueError,
         "inputs must have 3 dimensions (batch, time, features), got shape ()"),
    case("inputs-features", run(inputs=X[..., :2]), ValueError,
         "inputs has 2 features (shape (2, 5, 2)) but kernel expects input_dim = 3 "
         "(kernel shape (3, 4))"),
    case("inputs-features-one", run(inputs=X[..., :1]), ValueError,
         "inputs has 1 features (shape (2, 5, 1)) but kernel expects input_dim = 3"),
    case("inputs-zero-steps", run(inputs=X[:, :0]), ValueError,
         "inputs must have at least one time step, got shape (2, 0, 3)"),
    case("inputs-None", run(inputs=None), TypeError, "inputs must be a real array, got None"),
    case("inputs-str", run(inputs="abc"), TypeError,
         "inputs must be a real array, got a string: 'abc'"),
    case("inputs-bytes", run(inputs=b"abc"), TypeError,
         "inputs must be a real array, got a string: b'abc'"),
    case("inputs-str-array", run(inputs=X.astype(str)), TypeError,
         "inputs must be a real numeric array, got dtype <U"),
    case("inputs-object", run(inputs=np.full((2, 5, 3), object())), TypeError,
         "inputs must be a real numeric array, got dtype object"),
    case("inputs-object-None", run(inputs=[[[None] * 3] * 5] * 2), TypeError,
         "inputs must be a real numeric array, got dtype object"),
    case("inputs-complex", run(inputs=X + 1j), TypeError,
         "inputs must be real, got complex dtype complex128"),
    case("inputs-ragged", run(inputs=[[[1.0, 2.0, 3.0]], [[1.0, 2.0]]]), TypeError,
         "inputs must be a real array; could not convert it"),
    # params
    case("params-tuple", run(params=(KERNEL, RECURRENT_KERNEL, BIAS)), TypeError,
         "params must be a SimpleRNNParams, got tuple"),
    case("params-None", run(params=None), TypeError,
         "params must be a SimpleRNNParams, got NoneType"),
    # initial_state: batch, units, rank, type; a broadcastable shape is refused too
    case("initial_state-batch", run(initial_state=np.zeros((3, UNITS))), ValueError,
         "initial_state must have shape (batch, units) = (2, 4), got (3, 4)"),
    case("initial_state-broadcastable-batch", run(initial_state=np.zeros((1, UNITS))), ValueError,
         "initial_state must have shape (batch, units) = (2, 4), got (1, 4)"),
    case("initial_state-units", run(initial_state=np.zeros((BATCH, 5))), ValueError,
         "initial_state must have shape (batch, units) = (2, 4), got (2, 5)"),
    case("initial_state-transposed", run(initial_state=H0.T), ValueError,
         "initial_state must have shape (batch, units) = (2, 4), got (4, 2)"),
    case("initial_state-rank-1", run(initial_state=np.zeros(UNITS)), ValueError,
         "initial_state must have 2 dimensions (batch, units), got shape (4,) (1 dimension)"),
    case("initial_state-rank-3", run(initial_state=H0[None]), ValueError,
         "initial_state must have 2 dimensions (batch, units), got shape (1, 2, 4)"),
    case("initial_state-two-states", run(initial_state=[H0, H0]), ValueError,
         "initial_state must have 2 dimensions (batch, units), got shape (2, 2, 4)"),
    case("initial_state-str", run(initial_state="zeros"), TypeError,
         "initial_state must be a real array, got a string"),
    case("initial_state-complex", run(initial_state=H0 * 1j), TypeError,
         "initial_state must be real, got complex dtype complex128"),
    case("initial_state-object", run(initial_state=[[object()] * UNITS] * BATCH), TypeError,
         "initial_state must be a real numeric array, got dtype object"),
    # mask: shape, dtype, type
    case("mask-steps", run(mask=MASK[:, :4]), ValueError,
         "mask must have shape (batch, time) = (2, 5) to match inputs, got (2, 4)"),
    case("mask-transposed", run(mask=MASK.T), ValueError,
         "mask must have shape (batch, time) = (2, 5) to match inputs, got (5, 2)"),
    case("mask-broadcastable", run(mask=MASK[:1]), ValueError,
         "mask must have shape (batch, time) = (2, 5) to match inputs, got (1, 5)"),
    case("mask-rank-1", run(mask=MASK[0]), ValueError,
         "mask must have shape (batch, time) = (2, 5) to match inputs, got (5,)"),
    case("mask-rank-3", run(mask=MASK[..., None]), ValueError,
         "mask must have shape (batch, time) = (2, 5) to match inputs, got (2, 5, 1)"),
    case("mask-float", run(mask=MASK.astype(float)), TypeError,
         "mask must be boolean (or integers 0/1), got dtype float64"),
    case("mask-int-2", run(mask=MASK.astype(int) * 2), TypeError,
         "mask must be boolean (or integers 0/1), got dtype int64 with values other than 0 and 1"),
    case("mask-str", run(mask="all"), TypeError,
         "mask must be a boolean array of shape (batch, time), got 'all'"),
    case("mask-object", run(mask=np.full((2, 5), object())), TypeError,
         "mask must be boolean (or integers 0/1), got dtype object"),
    # activation
    case("activation-softmax", run(activation="softmax"), ValueError,
         f"activation must be one of {ACTIVATION_NAMES} or None, got 'softmax'"),
    case("activation-Tanh", run(activation="Tanh"), ValueError,
         f"activation must be one of {ACTIVATION_NAMES} or None, got 'Tanh'"),
    case("activation-empty", run(activation=""), ValueError,
         f"activation must be one of {ACTIVATION_NAMES} or None, got ''"),
    case("activation-int", run(activation=3), TypeError,
         f"activation must be one of {ACTIVATION_NAMES}, None or a callable, got int"),
    case("activation-callable-changes-shape", run(activation=lambda z: z.sum(axis=-1)),
         ValueError, "activation callable must keep the shape of its input: got (2,) from an "
         "input of shape (2, 4)"),
    # the boolean flags
    case("return_sequences-int", run(return_sequences=1), TypeError,
         "return_sequences must be True or False, got 1"),
    case("return_state-str", run(return_state="yes"), TypeError,
         "return_state must be True or False, got 'yes'"),
    case("go_backwards-None", run(go_backwards=None), TypeError,
         "go_backwards must be True or False, got None"),
    case("zero_output_for_mask-float", run(zero_output_for_mask=0.0), TypeError,
         "zero_output_for_mask must be True or False, got 0.0"),
    case("return_sequences-array", run(return_sequences=np.array([True, False])), TypeError,
         "return_sequences must be True or False, got array([ True, False])"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "match"), SIMPLE_RNN_CASES)
def test_simple_rnn_rejects(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- simple_rnn_cell ----------------------------------------------------------------------
CELL_CASES = [
    case("inputs-rank-3", step(inputs=X), ValueError,
         "inputs must have 2 dimensions (batch, input_dim), got shape (2, 5, 3) (3 dimensions)"),
    case("inputs-rank-1", step(inputs=X[0, 0]), ValueError,
         "inputs must have 2 dimensions (batch, input_dim), got shape (3,) (1 dimension)"),
    case("inputs-features", step(inputs=X[:, 0, :2]), ValueError,
         "inputs has 2 features (shape (2, 2)) but kernel expects input_dim = 3 "
         "(kernel shape (3, 4))"),
    case("inputs-None", step(inputs=None), TypeError, "inputs must be a real array, got None"),
    case("inputs-complex", step(inputs=X[:, 0] * 1j), TypeError,
         "inputs must be real, got complex dtype complex128"),
    case("state-batch", step(state=np.zeros((3, UNITS))), ValueError,
         "state must have shape (batch, units) = (2, 4), got (3, 4)"),
    case("state-broadcastable-batch", step(state=np.zeros((1, UNITS))), ValueError,
         "state must have shape (batch, units) = (2, 4), got (1, 4)"),
    case("state-units", step(state=np.zeros((BATCH, 3))), ValueError,
         "state must have shape (batch, units) = (2, 4), got (2, 3)"),
    case("state-rank-1", step(state=np.zeros(UNITS)), ValueError,
         "state must have 2 dimensions (batch, units), got shape (4,) (1 dimension)"),
    case("state-None", step(state=None), TypeError, "state must be a real array, got None"),
    case("state-str", step(state="h0"), TypeError, "state must be a real array, got a string"),
    case("state-object", step(state=np.full((2, 4), object())), TypeError,
         "state must be a real numeric array, got dtype object"),
    case("params-dict", step(params={"kernel": KERNEL}), TypeError,
         "params must be a SimpleRNNParams, got dict"),
    case("activation-gelu", step(activation="gelu"), ValueError,
         f"activation must be one of {ACTIVATION_NAMES} or None, got 'gelu'"),
    case("activation-list", step(activation=["tanh"]), TypeError,
         f"activation must be one of {ACTIVATION_NAMES}, None or a callable, got list"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "match"), CELL_CASES)
def test_simple_rnn_cell_rejects(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- SimpleRNNParams ----------------------------------------------------------------------
PARAMS_CASES = [
    case("kernel-rank-1", make(kernel=KERNEL[0]), ValueError,
         "kernel must have 2 dimensions (input_dim, units), got shape (4,) (1 dimension)"),
    case("kernel-rank-3", make(kernel=KERNEL[None]), ValueError,
         "kernel must have 2 dimensions (input_dim, units), got shape (1, 3, 4)"),
    case("kernel-empty-input", make(kernel=KERNEL[:0]), ValueError,
         "kernel must have input_dim >= 1 and units >= 1, got (0, 4)"),
    case("kernel-empty-units", make(kernel=KERNEL[:, :0]), ValueError,
         "kernel must have input_dim >= 1 and units >= 1, got (3, 0)"),
    case("kernel-None", make(kernel=None), TypeError, "kernel must be a real array, got None"),
    case("kernel-str", make(kernel="glorot_uniform"), TypeError,
         "kernel must be a real array, got a string: 'glorot_uniform'"),
    case("kernel-object", make(kernel=np.full((3, 4), object())), TypeError,
         "kernel must be a real numeric array, got dtype object"),
    case("kernel-complex", make(kernel=KERNEL.astype(complex)), TypeError,
         "kernel must be real, got complex dtype complex128"),
    case("recurrent_kernel-non-square", make(recurrent_kernel=np.zeros((4, 5))), ValueError,
         "recurrent_kernel must have shape (units, units) = (4, 4) to match kernel of shape "
         "(3, 4), got (4, 5)"),
    case("recurrent_kernel-mismatched-square", make(recurrent_kernel=np.eye(5)), ValueError,
         "recurrent_kernel must have shape (units, units) = (4, 4) to match kernel of shape "
         "(3, 4), got (5, 5)"),
    case("recurrent_kernel-transposed-kernel", make(recurrent_kernel=KERNEL), ValueError,
         "recurrent_kernel must have shape (units, units) = (4, 4) to match kernel of shape "
         "(3, 4), got (3, 4)"),
    case("recurrent_kernel-rank-1", make(recurrent_kernel=np.ones(4)), ValueError,
         "recurrent_kernel must have 2 dimensions (units, units), got shape (4,)"),
    case("recurrent_kernel-rank-3", make(recurrent_kernel=np.ones((1, 4, 4))), ValueError,
         "recurrent_kernel must have 2 dimensions (units, units), got shape (1, 4, 4)"),
    case("recurrent_kernel-None", make(recurrent_kernel=None), TypeError,
         "recurrent_kernel must be a real array, got None"),
    case("recurrent_kernel-complex", make(recurrent_kernel=np.eye(4) * 1j), TypeError,
         "recurrent_kernel must be real, got complex dtype complex128"),
    case("bias-length", make(bias=np.zeros(5)), ValueError,
         "bias must have shape (units,) = (4,) to match kernel of shape (3, 4), got (5,)"),
    case("bias-length-one", make(bias=np.zeros(1)), ValueError,
         "bias must have shape (units,) = (4,) to match kernel of shape (3, 4), got (1,)"),
    case("bias-rank-2", make(bias=BIAS[None]), ValueError,
         "bias must have 1 dimension (units,), got shape (1, 4) (2 dimensions)"),
    case("bias-scalar", make(bias=0.0), ValueError,
         "bias must have 1 dimension (units,), got shape () (0 dimensions)"),
    case("bias-str", make(bias="zeros"), TypeError,
         "bias must be a real array, got a string: 'zeros'"),
    case("bias-complex", make(bias=BIAS * 1j), TypeError,
         "bias must be real, got complex dtype complex128"),
    case("bias-object", make(bias=[object()] * 4), TypeError,
         "bias must be a real numeric array, got dtype object"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "match"), PARAMS_CASES)
def test_params_reject(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- from_keras / to_keras ----------------------------------------------------------------
def built(layer, input_shape=(None, STEPS, FEATURES)):
    layer.build(input_shape)
    return layer


ANY_SIMPLE_RNN = "obj must be a keras.layers.SimpleRNN, SimpleRNNCell or RNN(SimpleRNNCell), got"
WRAPPING = "obj must be a SimpleRNN, a SimpleRNNCell or an RNN wrapping a SimpleRNNCell; got"
KERAS_OBJECTS = [
    case("unbuilt-SimpleRNN", lambda: keras.layers.SimpleRNN(UNITS), ValueError,
         "obj (SimpleRNN) is not built yet"),
    case("unbuilt-SimpleRNNCell", lambda: keras.layers.SimpleRNNCell(UNITS), ValueError,
         "obj (SimpleRNNCell) is not built yet"),
    case("unbuilt-RNN", lambda: keras.layers.RNN(keras.layers.SimpleRNNCell(UNITS)), ValueError,
         "obj (RNN) is not built yet"),
    case("LSTM", lambda: built(keras.layers.LSTM(UNITS)), TypeError,
         f"{WRAPPING} LSTM with a LSTMCell"),
    case("GRU", lambda: built(keras.layers.GRU(UNITS)), TypeError,
         f"{WRAPPING} GRU with a GRUCell"),
    case("RNN-LSTMCell", lambda: built(keras.layers.RNN(keras.layers.LSTMCell(UNITS))), TypeError,
         f"{WRAPPING} RNN with a LSTMCell"),
    case("RNN-stacked-cells", lambda: built(keras.layers.RNN(
             [keras.layers.SimpleRNNCell(UNITS), keras.layers.SimpleRNNCell(UNITS)])),
         TypeError, f"{WRAPPING} RNN with a StackedRNNCells"),
    case("LSTMCell", lambda: built(keras.layers.LSTMCell(UNITS), (None, FEATURES)), TypeError,
         f"{ANY_SIMPLE_RNN} LSTMCell"),
    case("Dense", lambda: built(keras.layers.Dense(UNITS), (None, FEATURES)), TypeError,
         f"{ANY_SIMPLE_RNN} Dense"),
    case("Bidirectional", lambda: built(keras.layers.Bidirectional(keras.layers.SimpleRNN(UNITS))),
         TypeError, f"{ANY_SIMPLE_RNN} Bidirectional"),
    case("ndarray", lambda: KERNEL, TypeError, f"{ANY_SIMPLE_RNN} ndarray"),
    case("None", lambda: None, TypeError, f"{ANY_SIMPLE_RNN} NoneType"),
]  # fmt: skip


@pytest.mark.parametrize(("make_obj", "error", "match"), KERAS_OBJECTS)
def test_from_keras_rejects(make_obj, error, match):
    obj = make_obj()
    with pytest.raises(error, match=match):
        SimpleRNNParams.from_keras(obj)


@pytest.mark.parametrize(("make_obj", "error", "match"), KERAS_OBJECTS)
def test_to_keras_rejects(make_obj, error, match):
    obj = make_obj()
    with pytest.raises(error, match=match):
        P.to_keras(obj)


TO_KERAS_MISMATCH = [
    case("units", lambda: (P, built(keras.layers.SimpleRNN(5))), ValueError,
         "obj has kernel (3, 5) and recurrent_kernel (5, 5), but these params have (3, 4) and "
         "(4, 4)"),
    case("input_dim", lambda: (P, built(keras.layers.SimpleRNN(UNITS), (None, STEPS, 2))),
         ValueError, "obj has kernel (2, 4) and recurrent_kernel (4, 4), but these params have "
         "(3, 4) and (4, 4)"),
    case("cell-units", lambda: (P, built(keras.layers.SimpleRNNCell(2), (None, FEATURES))),
         ValueError, "obj has kernel (3, 2) and recurrent_kernel (2, 2), but these params have "
         "(3, 4) and (4, 4)"),
    case("layer-without-bias", lambda: (P, built(keras.layers.SimpleRNN(UNITS, use_bias=False))),
         ValueError, "obj has use_bias=False but these params have a bias"),
    case("params-without-bias", lambda: (SimpleRNNParams(KERNEL, RECURRENT_KERNEL),
                                         built(keras.layers.SimpleRNN(UNITS))),
         ValueError, "obj has use_bias=True but these params have no bias"),
]  # fmt: skip


@pytest.mark.parametrize(("make_pair", "error", "match"), TO_KERAS_MISMATCH)
def test_to_keras_rejects_mismatch_and_leaves_keras_unchanged(make_pair, error, match):
    params, layer = make_pair()
    before = [w.copy() for w in layer.get_weights()]
    with pytest.raises(error, match=match):
        params.to_keras(layer)
    for after, original in zip(layer.get_weights(), before, strict=True):
        np.testing.assert_array_equal(after, original)
