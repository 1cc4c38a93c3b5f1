"""simple_rnn and simple_rnn_cell refuse bad input at the boundary, with the right exception
and a message that names the argument and the shapes or values involved (never a NumPy error
from inside the loop, never a silently broadcast result). Each case gives literal text that
must appear in the message."""

import re

import numpy as np
import pytest

from rnn_playground import simple_rnn, simple_rnn_cell
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
         ValueError, "activation callable must keep the shape of its input: got (2,) from an "
         "input of shape (2, 4)"),
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
