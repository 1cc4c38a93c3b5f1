"""simple_rnn_backward, gru_backward and lstm_backward refuse bad input with the right exception
and a message that names the argument: their own arguments (output_grad, state_grad, a callable
activation), every rule of the forward pass, and the LSTM's (h, c) pairs."""

import numpy as np
import pytest

from rnn_playground import gru_backward, lstm_backward, simple_rnn_backward
from rnn_playground.testing import random_params

BATCH, STEPS, FEATURES, UNITS = 4, 5, 3, 6


def _good_arguments():
    rng = np.random.default_rng(13)
    params = random_params(FEATURES, UNITS, seed=rng)
    x = rng.standard_normal((BATCH, STEPS, FEATURES))
    return x, params, rng.standard_normal((BATCH, UNITS))


@pytest.mark.parametrize(
    ("change", "error", "pattern"),
    [
        (dict(output_grad=np.zeros((BATCH, STEPS, UNITS))), ValueError, r"output_grad.*\(4, 6\)"),
        (
            dict(output_grad=np.zeros((BATCH, UNITS)), return_sequences=True),
            ValueError,
            r"output_grad.*\(4, 5, 6\).*return_sequences=True",
        ),
        (dict(output_grad=np.zeros((BATCH, UNITS + 1))), ValueError, r"output_grad.*\(4, 7\)"),
        (dict(output_grad=None), TypeError, "output_grad"),
        (dict(output_grad="grad"), TypeError, "output_grad"),
        (dict(state_grad=np.zeros((BATCH + 1, UNITS))), ValueError, r"state_grad.*\(5, 6\)"),
        (dict(state_grad=np.zeros(UNITS)), ValueError, "state_grad"),
        (dict(state_grad=np.zeros((BATCH, UNITS), complex)), TypeError, "state_grad"),
        (dict(activation=np.tanh), TypeError, "activation"),
        (dict(activation="softmax"), ValueError, "activation"),
        (dict(params="weights"), TypeError, "params"),
        (dict(inputs=np.zeros((BATCH, FEATURES))), ValueError, "inputs"),
        (dict(inputs=np.zeros((BATCH, STEPS, FEATURES + 1))), ValueError, "inputs"),
        (dict(initial_state=np.zeros((BATCH, UNITS + 1))), ValueError, "initial_state"),
        (dict(mask=np.ones((BATCH, STEPS + 1), bool)), ValueError, "mask"),
        (dict(mask=np.full((BATCH, STEPS), 0.5)), TypeError, "mask"),
        (dict(go_backwards="yes"), TypeError, "go_backwards"),
        (dict(return_sequences=1), TypeError, "return_sequences"),
        (dict(zero_output_for_mask=None), TypeError, "zero_output_for_mask"),
    ],
)
def test_simple_rnn_backward_rejects(change, error, pattern):
    x, params, output_grad = _good_arguments()
    arguments = dict(inputs=x, params=params, output_grad=output_grad) | change
    inputs = arguments.pop("inputs")
    params = arguments.pop("params")
    output_grad = arguments.pop("output_grad")
    with pytest.raises(error, match=pattern):
        simple_rnn_backward(inputs, params, output_grad, **arguments)


# -- gru_backward and lstm_backward: the same rules, and the LSTM's (h, c) pairs -------------------
GATED = {
    "gru": (gru_backward, "gru", True),
    "gru-reset_before": (gru_backward, "gru", False),
    "lstm": (lstm_backward, "lstm", None),
}
SHARED_REJECTS = [
    (dict(output_grad=np.zeros((BATCH, STEPS, UNITS))), ValueError, r"output_grad.*\(4, 6\)"),
    (
        dict(output_grad=np.zeros((BATCH, UNITS)), return_sequences=True),
        ValueError,
        r"output_grad.*\(4, 5, 6\).*return_sequences=True",
    ),
    (dict(output_grad=None), TypeError, "output_grad"),
    (dict(output_grad="grad"), TypeError, "output_grad"),
    (dict(activation=np.tanh), TypeError, "activation: a callable.*forward pass only"),
    (dict(recurrent_activation=np.tanh), TypeError, "recurrent_activation: a callable"),
    (dict(activation="softmax"), ValueError, "activation"),
    (dict(activation="hard_sigmoid"), ValueError, "activation must be one of"),  # gates only
    (dict(recurrent_activation="softmax"), ValueError, "recurrent_activation"),
    (dict(recurrent_activation=3), TypeError, "recurrent_activation"),
    (dict(params="weights"), TypeError, "params"),
    (dict(inputs=np.zeros((BATCH, FEATURES))), ValueError, "inputs"),
    (dict(inputs=np.zeros((BATCH, STEPS, FEATURES + 1))), ValueError, "inputs"),
    (dict(inputs=np.zeros((BATCH, 0, FEATURES))), ValueError, "inputs.*at least one time step"),
    (dict(mask=np.ones((BATCH, STEPS + 1), bool)), ValueError, "mask"),
    (dict(mask=np.full((BATCH, STEPS), 0.5)), TypeError, "mask"),
    (dict(go_backwards="yes"), TypeError, "go_backwards"),
    (dict(return_sequences=1), TypeError, "return_sequences"),
    (dict(zero_output_for_mask=None), TypeError, "zero_output_for_mask"),
]
ONE_STATE_REJECTS = [  # the GRU: one state (batch, units)
    (dict(initial_state=np.zeros((BATCH, UNITS + 1))), ValueError, r"initial_state.*\(4, 6\)"),
    (dict(state_grad=np.zeros((BATCH + 1, UNITS))), ValueError, r"state_grad.*\(5, 6\)"),
    (dict(state_grad=np.zeros(UNITS)), ValueError, "state_grad"),
    (dict(state_grad=np.zeros((BATCH, UNITS), complex)), TypeError, "state_grad"),
]
PAIR_REJECTS = [  # the LSTM: pairs (h, c)
    (dict(initial_state=np.zeros((BATCH, UNITS))), TypeError, r"initial_state.*pair \(h, c\)"),
    (dict(state_grad=np.zeros((BATCH, UNITS))), TypeError, r"state_grad.*pair \(h, c\)"),
    (
        dict(state_grad=(np.zeros((BATCH, UNITS)),) * 3),
        TypeError,
        "state_grad.*of length 3",
    ),
    (
        dict(state_grad=(np.zeros((BATCH, UNITS)), np.zeros((BATCH, UNITS + 1)))),
        ValueError,
        r"state_grad\[1\].*\(4, 6\)",
    ),
    (
        dict(initial_state=[np.zeros((BATCH, UNITS + 1)), np.zeros((BATCH, UNITS))]),
        ValueError,
        r"initial_state\[0\].*\(4, 6\)",
    ),
]


def _gated_cases():
    for variant in GATED:
        own = PAIR_REJECTS if variant == "lstm" else ONE_STATE_REJECTS
        for number, (change, error, pattern) in enumerate(SHARED_REJECTS + own):
            yield pytest.param(variant, change, error, pattern, id=f"{variant}-{number}")
    # the other cell's weights
    yield pytest.param(
        "gru", dict(params="lstm"), TypeError, "params must be a GRUParams", id="gru-lstm-params"
    )
    yield pytest.param(
        "lstm", dict(params="gru"), TypeError, "params must be a LSTMParams", id="lstm-gru-params"
    )


@pytest.mark.parametrize(("variant", "change", "error", "pattern"), list(_gated_cases()))
def test_gated_backward_rejects(variant, change, error, pattern):
    backward, cell, reset_after = GATED[variant]
    rng = np.random.default_rng(14)
    params = random_params(FEATURES, UNITS, seed=rng, cell=cell, reset_after=reset_after)
    if change.get("params") in ("gru", "lstm"):
        change = change | {"params": random_params(FEATURES, UNITS, seed=1, cell=change["params"])}
    arguments = (
        dict(
            inputs=rng.standard_normal((BATCH, STEPS, FEATURES)),
            params=params,
            output_grad=rng.standard_normal((BATCH, UNITS)),
        )
        | change
    )
    inputs = arguments.pop("inputs")
    params = arguments.pop("params")
    output_grad = arguments.pop("output_grad")
    with pytest.raises(error, match=pattern):
        backward(inputs, params, output_grad, **arguments)
