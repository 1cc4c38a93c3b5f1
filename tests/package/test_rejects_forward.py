"""simple_rnn, gru, lstm and their cells refuse bad input at the boundary, with the right exception
and a message that names the argument and the shapes or values involved (never a NumPy error
from inside the loop, never a silently broadcast result). Each case gives literal text that
must appear in the message."""

import re

import numpy as np
import pytest

from rnn_playground import gru, gru_cell, lstm, lstm_cell, simple_rnn, simple_rnn_cell
from rnn_playground.testing import random_params

BATCH, STEPS, FEATURES, UNITS = 2, 5, 3, 4
_rng = np.random.default_rng(0)
X = _rng.normal(size=(BATCH, STEPS, FEATURES))
H0 = _rng.normal(size=(BATCH, UNITS))
MASK = np.ones((BATCH, STEPS), dtype=bool)
P = random_params(FEATURES, UNITS, seed=0)
ACTIVATION_NAMES = "['linear', 'relu', 'sigmoid', 'tanh']"


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


# -- simple_rnn ---------------------------------------------------------------------------
SIMPLE_RNN_CASES = [
    # inputs: rank, features, time steps, type
    ("inputs-rank-2", run(inputs=X[0]), ValueError,
         "inputs must have 3 dimensions (batch, time, features), got shape (5, 3) (2 dimensions)"),
    ("inputs-rank-4", run(inputs=X[None]), ValueError,
         "inputs must have 3 dimensions (batch, time, features), got shape (1, 2, 5, 3)"),
    ("inputs-scalar", run(inputs=1.0), ValueError,
         "inputs must have 3 dimensions (batch, time, features), got shape ()"),
    ("inputs-features", run(inputs=X[..., :2]), ValueError,
         "inputs has 2 features (shape (2, 5, 2)) but kernel expects input_dim = 3 "
         "(kernel shape (3, 4))"),
    ("inputs-features-one", run(inputs=X[..., :1]), ValueError,
         "inputs has 1 features (shape (2, 5, 1)) but kernel expects input_dim = 3"),
    ("inputs-zero-steps", run(inputs=X[:, :0]), ValueError,
         "inputs must have at least one time step, got shape (2, 0, 3)"),
    ("inputs-None", run(inputs=None), TypeError, "inputs must be a real array, got None"),
    ("inputs-str", run(inputs="abc"), TypeError,
         "inputs must be a real array, got a string: 'abc'"),
    ("inputs-bytes", run(inputs=b"abc"), TypeError,
         "inputs must be a real array, got a string: b'abc'"),
    ("inputs-str-array", run(inputs=X.astype(str)), TypeError,
         "inputs must be a real numeric array, got dtype <U"),
    ("inputs-object", run(inputs=np.full((2, 5, 3), object())), TypeError,
         "inputs must be a real numeric array, got dtype object"),
    ("inputs-object-None", run(inputs=[[[None] * 3] * 5] * 2), TypeError,
         "inputs must be a real numeric array, got dtype object"),
    ("inputs-complex", run(inputs=X + 1j), TypeError,
         "inputs must be real, got complex dtype complex128"),
    ("inputs-ragged", run(inputs=[[[1.0, 2.0, 3.0]], [[1.0, 2.0]]]), TypeError,
         "inputs must be a real array; could not convert it"),
    # params
    ("params-tuple", run(params=(P.kernel, P.recurrent_kernel, P.bias)), TypeError,
         "params must be a SimpleRNNParams, got tuple"),
    ("params-None", run(params=None), TypeError,
         "params must be a SimpleRNNParams, got NoneType"),
    # initial_state: batch, units, rank, type; a broadcastable shape is refused too
    ("initial_state-batch", run(initial_state=np.zeros((3, UNITS))), ValueError,
         "initial_state must have shape (batch, units) = (2, 4), got (3, 4)"),
    ("initial_state-broadcastable-batch", run(initial_state=np.zeros((1, UNITS))), ValueError,
         "initial_state must have shape (batch, units) = (2, 4), got (1, 4)"),
    ("initial_state-units", run(initial_state=np.zeros((BATCH, 5))), ValueError,
         "initial_state must have shape (batch, units) = (2, 4), got (2, 5)"),
    ("initial_state-transposed", run(initial_state=H0.T), ValueError,
         "initial_state must have shape (batch, units) = (2, 4), got (4, 2)"),
    ("initial_state-rank-1", run(initial_state=np.zeros(UNITS)), ValueError,
         "initial_state must have 2 dimensions (batch, units), got shape (4,) (1 dimension)"),
    ("initial_state-rank-3", run(initial_state=H0[None]), ValueError,
         "initial_state must have 2 dimensions (batch, units), got shape (1, 2, 4)"),
    ("initial_state-two-states", run(initial_state=[H0, H0]), ValueError,
         "initial_state must have 2 dimensions (batch, units), got shape (2, 2, 4)"),
    ("initial_state-str", run(initial_state="zeros"), TypeError,
         "initial_state must be a real array, got a string"),
    ("initial_state-complex", run(initial_state=H0 * 1j), TypeError,
         "initial_state must be real, got complex dtype complex128"),
    ("initial_state-object", run(initial_state=[[object()] * UNITS] * BATCH), TypeError,
         "initial_state must be a real numeric array, got dtype object"),
    # mask: shape, dtype, type
    ("mask-steps", run(mask=MASK[:, :4]), ValueError,
         "mask must have shape (batch, time) = (2, 5) to match inputs, got (2, 4)"),
    ("mask-transposed", run(mask=MASK.T), ValueError,
         "mask must have shape (batch, time) = (2, 5) to match inputs, got (5, 2)"),
    ("mask-broadcastable", run(mask=MASK[:1]), ValueError,
         "mask must have shape (batch, time) = (2, 5) to match inputs, got (1, 5)"),
    ("mask-rank-1", run(mask=MASK[0]), ValueError,
         "mask must have shape (batch, time) = (2, 5) to match inputs, got (5,)"),
    ("mask-rank-3", run(mask=MASK[..., None]), ValueError,
         "mask must have shape (batch, time) = (2, 5) to match inputs, got (2, 5, 1)"),
    ("mask-float", run(mask=MASK.astype(float)), TypeError,
         "mask must be boolean (or integers 0/1), got dtype float64"),
    ("mask-int-2", run(mask=MASK.astype(int) * 2), TypeError,
         "mask must be boolean (or integers 0/1), got dtype int64 with values other than 0 and 1"),
    ("mask-str", run(mask="all"), TypeError,
         "mask must be a boolean array of shape (batch, time), got 'all'"),
    ("mask-object", run(mask=np.full((2, 5), object())), TypeError,
         "mask must be boolean (or integers 0/1), got dtype object"),
    # activation
    ("activation-softmax", run(activation="softmax"), ValueError,
         f"activation must be one of {ACTIVATION_NAMES} or None, got 'softmax'"),
    ("activation-Tanh", run(activation="Tanh"), ValueError,
         f"activation must be one of {ACTIVATION_NAMES} or None, got 'Tanh'"),
    ("activation-empty", run(activation=""), ValueError,
         f"activation must be one of {ACTIVATION_NAMES} or None, got ''"),
    ("activation-int", run(activation=3), TypeError,
         f"activation must be one of {ACTIVATION_NAMES}, None or a callable, got int"),
    ("activation-callable-changes-shape", run(activation=lambda z: z.sum(axis=-1)),
         ValueError, "activation (a callable) must return a real array of its input's shape "
         "(2, 4), got shape (2,)"),
    # the boolean flags
    ("return_sequences-int", run(return_sequences=1), TypeError,
         "return_sequences must be True or False, got 1"),
    ("return_state-str", run(return_state="yes"), TypeError,
         "return_state must be True or False, got 'yes'"),
    ("go_backwards-None", run(go_backwards=None), TypeError,
         "go_backwards must be True or False, got None"),
    ("zero_output_for_mask-float", run(zero_output_for_mask=0.0), TypeError,
         "zero_output_for_mask must be True or False, got 0.0"),
    ("return_sequences-array", run(return_sequences=np.array([True, False])), TypeError,
         "return_sequences must be True or False, got array([ True, False])"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [c[1:] for c in SIMPLE_RNN_CASES],
    ids=[c[0] for c in SIMPLE_RNN_CASES],
)
def test_simple_rnn_rejects(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


# -- simple_rnn_cell ----------------------------------------------------------------------
CELL_CASES = [
    ("inputs-rank-3", step(inputs=X), ValueError,
         "inputs must have 2 dimensions (batch, input_dim), got shape (2, 5, 3) (3 dimensions)"),
    ("inputs-rank-1", step(inputs=X[0, 0]), ValueError,
         "inputs must have 2 dimensions (batch, input_dim), got shape (3,) (1 dimension)"),
    ("inputs-features", step(inputs=X[:, 0, :2]), ValueError,
         "inputs has 2 features (shape (2, 2)) but kernel expects input_dim = 3 "
         "(kernel shape (3, 4))"),
    ("inputs-None", step(inputs=None), TypeError, "inputs must be a real array, got None"),
    ("inputs-complex", step(inputs=X[:, 0] * 1j), TypeError,
         "inputs must be real, got complex dtype complex128"),
    ("state-batch", step(state=np.zeros((3, UNITS))), ValueError,
         "state must have shape (batch, units) = (2, 4), got (3, 4)"),
    ("state-broadcastable-batch", step(state=np.zeros((1, UNITS))), ValueError,
         "state must have shape (batch, units) = (2, 4), got (1, 4)"),
    ("state-units", step(state=np.zeros((BATCH, 3))), ValueError,
         "state must have shape (batch, units) = (2, 4), got (2, 3)"),
    ("state-rank-1", step(state=np.zeros(UNITS)), ValueError,
         "state must have 2 dimensions (batch, units), got shape (4,) (1 dimension)"),
    ("state-None", step(state=None), TypeError, "state must be a real array, got None"),
    ("state-str", step(state="h0"), TypeError, "state must be a real array, got a string"),
    ("state-object", step(state=np.full((2, 4), object())), TypeError,
         "state must be a real numeric array, got dtype object"),
    ("params-dict", step(params={"kernel": P.kernel}), TypeError,
         "params must be a SimpleRNNParams, got dict"),
    ("activation-gelu", step(activation="gelu"), ValueError,
         f"activation must be one of {ACTIVATION_NAMES} or None, got 'gelu'"),
    ("activation-list", step(activation=["tanh"]), TypeError,
         f"activation must be one of {ACTIVATION_NAMES}, None or a callable, got list"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "message"), [c[1:] for c in CELL_CASES], ids=[c[0] for c in CELL_CASES]
)
def test_simple_rnn_cell_rejects(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


# -- gru, gru_cell, lstm, lstm_cell -------------------------------------------------------------
P_GRU = random_params(FEATURES, UNITS, seed=0, cell="gru")
P_LSTM = random_params(FEATURES, UNITS, seed=0, cell="lstm")
RECURRENT_NAMES = "['hard_sigmoid', 'linear', 'relu', 'sigmoid', 'tanh']"
LAYERS = {"gru": (gru, P_GRU, H0), "lstm": (lstm, P_LSTM, (H0, H0))}
CELLS = {"gru": (gru_cell, P_GRU, H0), "lstm": (lstm_cell, P_LSTM, (H0, H0))}


def layer(kind, **kwargs):
    """gru or lstm with good arguments, except those given."""
    function, params, _ = LAYERS[kind]
    arguments = {"inputs": X, "params": params, **kwargs}
    return lambda: function(arguments.pop("inputs"), arguments.pop("params"), **arguments)


def cell(kind, **kwargs):
    """gru_cell or lstm_cell with good arguments, except those given."""
    function, params, state = CELLS[kind]
    arguments = {"inputs": X[:, 0], "state": state, "params": params, **kwargs}
    return lambda: function(
        arguments.pop("inputs"), arguments.pop("state"), arguments.pop("params"), **arguments
    )


def _both(name, make, error, message):
    """The same case for the GRU and the LSTM."""
    return [(f"{kind}-{name}", make(kind), error, message) for kind in ("gru", "lstm")]


GATED_CASES = [
    # params of another cell
    ("gru-params-simple_rnn", layer("gru", params=P), TypeError,
         "params must be a GRUParams, got SimpleRNNParams"),
    ("gru-params-lstm", layer("gru", params=P_LSTM), TypeError,
         "params must be a GRUParams, got LSTMParams"),
    ("lstm-params-gru", layer("lstm", params=P_GRU), TypeError,
         "params must be a LSTMParams, got GRUParams"),
    ("lstm-params-tuple", layer("lstm", params=(P_LSTM.kernel, P_LSTM.recurrent_kernel)),
         TypeError, "params must be a LSTMParams, got tuple"),
    *_both("inputs-rank-2", lambda k: layer(k, inputs=X[0]), ValueError,
           "inputs must have 3 dimensions (batch, time, features), got shape (5, 3)"),
    *_both("inputs-features", lambda k: layer(k, inputs=X[..., :2]), ValueError,
           "inputs has 2 features (shape (2, 5, 2)) but kernel expects input_dim = 3"),
    *_both("inputs-zero-steps", lambda k: layer(k, inputs=X[:, :0]), ValueError,
           "inputs must have at least one time step, got shape (2, 0, 3)"),
    *_both("inputs-complex", lambda k: layer(k, inputs=X * 1j), TypeError,
           "inputs must be real, got complex dtype complex128"),
    # the GRU's state
    ("gru-initial_state-batch", layer("gru", initial_state=np.zeros((3, UNITS))), ValueError,
         "initial_state must have shape (batch, units) = (2, 4), got (3, 4)"),
    ("gru-initial_state-pair", layer("gru", initial_state=(H0, H0)), ValueError,
         "initial_state must have 2 dimensions (batch, units), got shape (2, 2, 4)"),
    # the LSTM's state is a pair (h, c)
    ("lstm-initial_state-one-array", layer("lstm", initial_state=H0), TypeError,
         "initial_state must be a tuple or list of 2 arrays (batch, units), got ndarray; "
         "an LSTM's state is the pair (h, c)"),
    ("lstm-initial_state-one-element", layer("lstm", initial_state=[H0]), TypeError,
         "initial_state must be a tuple or list of 2 arrays (batch, units), got list of "
         "length 1"),
    ("lstm-initial_state-three", layer("lstm", initial_state=(H0, H0, H0)), TypeError,
         "initial_state must be a tuple or list of 2 arrays (batch, units), got tuple of "
         "length 3"),
    ("lstm-initial_state-stacked-array", layer("lstm", initial_state=np.stack([H0, H0])),
         TypeError, "initial_state must be a tuple or list of 2 arrays (batch, units), got "
         "ndarray"),
    ("lstm-initial_state-c-units", layer("lstm", initial_state=(H0, np.zeros((BATCH, 5)))),
         ValueError, "initial_state[1] must have shape (batch, units) = (2, 4), got (2, 5)"),
    ("lstm-initial_state-h-rank", layer("lstm", initial_state=(H0[0], H0)), ValueError,
         "initial_state[0] must have 2 dimensions (batch, units), got shape (4,)"),
    ("lstm-initial_state-c-None", layer("lstm", initial_state=(H0, None)), TypeError,
         "initial_state[1] must be a real array, got None"),
    *_both("mask-steps", lambda k: layer(k, mask=MASK[:, :4]), ValueError,
           "mask must have shape (batch, time) = (2, 5) to match inputs, got (2, 4)"),
    *_both("mask-float", lambda k: layer(k, mask=MASK.astype(float)), TypeError,
           "mask must be boolean (or integers 0/1), got dtype float64"),
    # activations: hard_sigmoid is for the gates only
    *_both("activation-softmax", lambda k: layer(k, activation="softmax"), ValueError,
           f"activation must be one of {ACTIVATION_NAMES} or None, got 'softmax'"),
    *_both("activation-hard_sigmoid", lambda k: layer(k, activation="hard_sigmoid"),
           ValueError, f"activation must be one of {ACTIVATION_NAMES} or None, got "
           "'hard_sigmoid'"),
    *_both("recurrent_activation-softmax", lambda k: layer(k, recurrent_activation="softmax"),
           ValueError, f"recurrent_activation must be one of {RECURRENT_NAMES} or None, got "
           "'softmax'"),
    *_both("recurrent_activation-int", lambda k: layer(k, recurrent_activation=1), TypeError,
           f"recurrent_activation must be one of {RECURRENT_NAMES}, None or a callable, got "
           "int"),
    *_both("recurrent_activation-callable-changes-shape",
           lambda k: layer(k, recurrent_activation=lambda z: z[..., :1]), ValueError,
           "recurrent_activation (a callable) must return a real array of its input's shape "
           "(2, 4), got shape (2, 1)"),
    *_both("return_state-int", lambda k: layer(k, return_state=1), TypeError,
           "return_state must be True or False, got 1"),
    *_both("go_backwards-str", lambda k: layer(k, go_backwards="no"), TypeError,
           "go_backwards must be True or False, got 'no'"),
    *_both("zero_output_for_mask-None", lambda k: layer(k, zero_output_for_mask=None), TypeError,
           "zero_output_for_mask must be True or False, got None"),
    *_both("return_sequences-array", lambda k: layer(k, return_sequences=np.array([True])),
           TypeError, "return_sequences must be True or False, got array([ True])"),
    # the cells
    *_both("cell-inputs-rank-3", lambda k: cell(k, inputs=X), ValueError,
           "inputs must have 2 dimensions (batch, input_dim), got shape (2, 5, 3)"),
    *_both("cell-inputs-features", lambda k: cell(k, inputs=X[:, 0, :1]), ValueError,
           "inputs has 1 features (shape (2, 1)) but kernel expects input_dim = 3"),
    ("gru-cell-state-batch", cell("gru", state=np.zeros((1, UNITS))), ValueError,
         "state must have shape (batch, units) = (2, 4), got (1, 4)"),
    ("gru-cell-state-pair", cell("gru", state=(H0, H0)), ValueError,
         "state must have 2 dimensions (batch, units), got shape (2, 2, 4)"),
    ("gru-cell-params-lstm", cell("gru", params=P_LSTM), TypeError,
         "params must be a GRUParams, got LSTMParams"),
    ("lstm-cell-state-one-array", cell("lstm", state=H0), TypeError,
         "state must be a tuple or list of 2 arrays (batch, units), got ndarray; an LSTM's "
         "state is the pair (h, c)"),
    ("lstm-cell-state-dict", cell("lstm", state={"h": H0, "c": H0}), TypeError,
         "state must be a tuple or list of 2 arrays (batch, units), got dict"),
    ("lstm-cell-state-c-batch", cell("lstm", state=(H0, np.zeros((3, UNITS)))), ValueError,
         "state[1] must have shape (batch, units) = (2, 4), got (3, 4)"),
    *_both("cell-recurrent_activation-gelu", lambda k: cell(k, recurrent_activation="gelu"),
           ValueError, f"recurrent_activation must be one of {RECURRENT_NAMES} or None, got "
           "'gelu'"),
    *_both("cell-activation-list", lambda k: cell(k, activation=["tanh"]), TypeError,
           f"activation must be one of {ACTIVATION_NAMES}, None or a callable, got list"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "message"), [c[1:] for c in GATED_CASES], ids=[c[0] for c in GATED_CASES]
)
def test_gated_cells_reject(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()
