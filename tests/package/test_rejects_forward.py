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
    pytest.param(
        run(inputs=X[0]),
        ValueError,
        "inputs must have 3 dimensions (batch, time, features), got shape (5, 3) (2 dimensions)",
        id="inputs-rank-2",
    ),
    pytest.param(
        run(inputs=X[None]),
        ValueError,
        "inputs must have 3 dimensions (batch, time, features), got shape (1, 2, 5, 3)",
        id="inputs-rank-4",
    ),
    pytest.param(
        run(inputs=1.0),
        ValueError,
        "inputs must have 3 dimensions (batch, time, features), got shape ()",
        id="inputs-scalar",
    ),
    pytest.param(
        run(inputs=X[..., :2]),
        ValueError,
        "inputs has 2 features (shape (2, 5, 2)) but kernel expects input_dim = 3 "
        "(kernel shape (3, 4))",
        id="inputs-features",
    ),
    pytest.param(
        run(inputs=X[..., :1]),
        ValueError,
        "inputs has 1 features (shape (2, 5, 1)) but kernel expects input_dim = 3",
        id="inputs-features-one",
    ),
    pytest.param(
        run(inputs=X[:, :0]),
        ValueError,
        "inputs must have at least one time step, got shape (2, 0, 3)",
        id="inputs-zero-steps",
    ),
    pytest.param(
        run(inputs=None), TypeError, "inputs must be a real array, got None", id="inputs-None"
    ),
    pytest.param(
        run(inputs="abc"),
        TypeError,
        "inputs must be a real array, got a string: 'abc'",
        id="inputs-str",
    ),
    pytest.param(
        run(inputs=b"abc"),
        TypeError,
        "inputs must be a real array, got a string: b'abc'",
        id="inputs-bytes",
    ),
    pytest.param(
        run(inputs=X.astype(str)),
        TypeError,
        "inputs must be a real numeric array, got dtype <U",
        id="inputs-str-array",
    ),
    pytest.param(
        run(inputs=np.full((2, 5, 3), object())),
        TypeError,
        "inputs must be a real numeric array, got dtype object",
        id="inputs-object",
    ),
    pytest.param(
        run(inputs=[[[None] * 3] * 5] * 2),
        TypeError,
        "inputs must be a real numeric array, got dtype object",
        id="inputs-object-None",
    ),
    pytest.param(
        run(inputs=X + 1j),
        TypeError,
        "inputs must be real, got complex dtype complex128",
        id="inputs-complex",
    ),
    pytest.param(
        run(inputs=[[[1.0, 2.0, 3.0]], [[1.0, 2.0]]]),
        TypeError,
        "inputs must be a real array; could not convert it",
        id="inputs-ragged",
    ),
    # params
    pytest.param(
        run(params=(P.kernel, P.recurrent_kernel, P.bias)),
        TypeError,
        "params must be a SimpleRNNParams, got tuple",
        id="params-tuple",
    ),
    pytest.param(
        run(params=None),
        TypeError,
        "params must be a SimpleRNNParams, got NoneType",
        id="params-None",
    ),
    # initial_state: batch, units, rank, type; a broadcastable shape is refused too
    pytest.param(
        run(initial_state=np.zeros((3, UNITS))),
        ValueError,
        "initial_state must have shape (batch, units) = (2, 4), got (3, 4)",
        id="initial_state-batch",
    ),
    pytest.param(
        run(initial_state=np.zeros((1, UNITS))),
        ValueError,
        "initial_state must have shape (batch, units) = (2, 4), got (1, 4)",
        id="initial_state-broadcastable-batch",
    ),
    pytest.param(
        run(initial_state=np.zeros((BATCH, 5))),
        ValueError,
        "initial_state must have shape (batch, units) = (2, 4), got (2, 5)",
        id="initial_state-units",
    ),
    pytest.param(
        run(initial_state=H0.T),
        ValueError,
        "initial_state must have shape (batch, units) = (2, 4), got (4, 2)",
        id="initial_state-transposed",
    ),
    pytest.param(
        run(initial_state=np.zeros(UNITS)),
        ValueError,
        "initial_state must have 2 dimensions (batch, units), got shape (4,) (1 dimension)",
        id="initial_state-rank-1",
    ),
    pytest.param(
        run(initial_state=H0[None]),
        ValueError,
        "initial_state must have 2 dimensions (batch, units), got shape (1, 2, 4)",
        id="initial_state-rank-3",
    ),
    pytest.param(
        run(initial_state=[H0, H0]),
        ValueError,
        "initial_state must have 2 dimensions (batch, units), got shape (2, 2, 4)",
        id="initial_state-two-states",
    ),
    pytest.param(
        run(initial_state="zeros"),
        TypeError,
        "initial_state must be a real array, got a string",
        id="initial_state-str",
    ),
    pytest.param(
        run(initial_state=H0 * 1j),
        TypeError,
        "initial_state must be real, got complex dtype complex128",
        id="initial_state-complex",
    ),
    pytest.param(
        run(initial_state=[[object()] * UNITS] * BATCH),
        TypeError,
        "initial_state must be a real numeric array, got dtype object",
        id="initial_state-object",
    ),
    # mask: shape, dtype, type
    pytest.param(
        run(mask=MASK[:, :4]),
        ValueError,
        "mask must have shape (batch, time) = (2, 5) to match inputs, got (2, 4)",
        id="mask-steps",
    ),
    pytest.param(
        run(mask=MASK.T),
        ValueError,
        "mask must have shape (batch, time) = (2, 5) to match inputs, got (5, 2)",
        id="mask-transposed",
    ),
    pytest.param(
        run(mask=MASK[:1]),
        ValueError,
        "mask must have shape (batch, time) = (2, 5) to match inputs, got (1, 5)",
        id="mask-broadcastable",
    ),
    pytest.param(
        run(mask=MASK[0]),
        ValueError,
        "mask must have shape (batch, time) = (2, 5) to match inputs, got (5,)",
        id="mask-rank-1",
    ),
    pytest.param(
        run(mask=MASK[..., None]),
        ValueError,
        "mask must have shape (batch, time) = (2, 5) to match inputs, got (2, 5, 1)",
        id="mask-rank-3",
    ),
    pytest.param(
        run(mask=MASK.astype(float)),
        TypeError,
        "mask must be boolean (or integers 0/1), got dtype float64",
        id="mask-float",
    ),
    pytest.param(
        run(mask=MASK.astype(int) * 2),
        TypeError,
        "mask must be boolean (or integers 0/1), got dtype int64 with values other than 0 and 1",
        id="mask-int-2",
    ),
    pytest.param(
        run(mask="all"),
        TypeError,
        "mask must be a boolean array of shape (batch, time), got 'all'",
        id="mask-str",
    ),
    pytest.param(
        run(mask=np.full((2, 5), object())),
        TypeError,
        "mask must be boolean (or integers 0/1), got dtype object",
        id="mask-object",
    ),
    # activation
    pytest.param(
        run(activation="softmax"),
        ValueError,
        f"activation must be one of {ACTIVATION_NAMES} or None, got 'softmax'",
        id="activation-softmax",
    ),
    pytest.param(
        run(activation="Tanh"),
        ValueError,
        f"activation must be one of {ACTIVATION_NAMES} or None, got 'Tanh'",
        id="activation-Tanh",
    ),
    pytest.param(
        run(activation=""),
        ValueError,
        f"activation must be one of {ACTIVATION_NAMES} or None, got ''",
        id="activation-empty",
    ),
    pytest.param(
        run(activation=3),
        TypeError,
        f"activation must be one of {ACTIVATION_NAMES}, None or a callable, got int",
        id="activation-int",
    ),
    pytest.param(
        run(activation=lambda z: z.sum(axis=-1)),
        ValueError,
        "activation callable must keep the shape of its input: got (2,) from an "
        "input of shape (2, 4)",
        id="activation-callable-changes-shape",
    ),
    # the boolean flags
    pytest.param(
        run(return_sequences=1),
        TypeError,
        "return_sequences must be True or False, got 1",
        id="return_sequences-int",
    ),
    pytest.param(
        run(return_state="yes"),
        TypeError,
        "return_state must be True or False, got 'yes'",
        id="return_state-str",
    ),
    pytest.param(
        run(go_backwards=None),
        TypeError,
        "go_backwards must be True or False, got None",
        id="go_backwards-None",
    ),
    pytest.param(
        run(zero_output_for_mask=0.0),
        TypeError,
        "zero_output_for_mask must be True or False, got 0.0",
        id="zero_output_for_mask-float",
    ),
    pytest.param(
        run(return_sequences=np.array([True, False])),
        TypeError,
        "return_sequences must be True or False, got array([ True, False])",
        id="return_sequences-array",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), SIMPLE_RNN_CASES)
def test_simple_rnn_rejects(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


# -- simple_rnn_cell ----------------------------------------------------------------------
CELL_CASES = [
    pytest.param(
        step(inputs=X),
        ValueError,
        "inputs must have 2 dimensions (batch, input_dim), got shape (2, 5, 3) (3 dimensions)",
        id="inputs-rank-3",
    ),
    pytest.param(
        step(inputs=X[0, 0]),
        ValueError,
        "inputs must have 2 dimensions (batch, input_dim), got shape (3,) (1 dimension)",
        id="inputs-rank-1",
    ),
    pytest.param(
        step(inputs=X[:, 0, :2]),
        ValueError,
        "inputs has 2 features (shape (2, 2)) but kernel expects input_dim = 3 "
        "(kernel shape (3, 4))",
        id="inputs-features",
    ),
    pytest.param(
        step(inputs=None), TypeError, "inputs must be a real array, got None", id="inputs-None"
    ),
    pytest.param(
        step(inputs=X[:, 0] * 1j),
        TypeError,
        "inputs must be real, got complex dtype complex128",
        id="inputs-complex",
    ),
    pytest.param(
        step(state=np.zeros((3, UNITS))),
        ValueError,
        "state must have shape (batch, units) = (2, 4), got (3, 4)",
        id="state-batch",
    ),
    pytest.param(
        step(state=np.zeros((1, UNITS))),
        ValueError,
        "state must have shape (batch, units) = (2, 4), got (1, 4)",
        id="state-broadcastable-batch",
    ),
    pytest.param(
        step(state=np.zeros((BATCH, 3))),
        ValueError,
        "state must have shape (batch, units) = (2, 4), got (2, 3)",
        id="state-units",
    ),
    pytest.param(
        step(state=np.zeros(UNITS)),
        ValueError,
        "state must have 2 dimensions (batch, units), got shape (4,) (1 dimension)",
        id="state-rank-1",
    ),
    pytest.param(
        step(state=None), TypeError, "state must be a real array, got None", id="state-None"
    ),
    pytest.param(
        step(state="h0"), TypeError, "state must be a real array, got a string", id="state-str"
    ),
    pytest.param(
        step(state=np.full((2, 4), object())),
        TypeError,
        "state must be a real numeric array, got dtype object",
        id="state-object",
    ),
    pytest.param(
        step(params={"kernel": P.kernel}),
        TypeError,
        "params must be a SimpleRNNParams, got dict",
        id="params-dict",
    ),
    pytest.param(
        step(activation="gelu"),
        ValueError,
        f"activation must be one of {ACTIVATION_NAMES} or None, got 'gelu'",
        id="activation-gelu",
    ),
    pytest.param(
        step(activation=["tanh"]),
        TypeError,
        f"activation must be one of {ACTIVATION_NAMES}, None or a callable, got list",
        id="activation-list",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), CELL_CASES)
def test_simple_rnn_cell_rejects(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()
