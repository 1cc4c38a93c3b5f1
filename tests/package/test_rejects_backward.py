"""simple_rnn_backward refuses bad input with the right exception and a message that names the
argument: its own arguments (output_grad, state_grad, a callable activation) and every rule of
the forward pass."""

import numpy as np
import pytest

from rnn_playground import simple_rnn_backward
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
