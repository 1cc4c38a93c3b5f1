"""rnn_playground.torch_layout refuses what it cannot convert, with the right exception and a
message that names the argument, the keys or the shapes involved."""

import re

import numpy as np
import pytest

from rnn_playground.testing import random_params
from rnn_playground.torch_layout import from_state_dict, to_state_dict

FEATURES, UNITS = 3, 4
_rng = np.random.default_rng(0)
GRU_SD = {
    "weight_ih_l0": _rng.normal(size=(3 * UNITS, FEATURES)),
    "weight_hh_l0": _rng.normal(size=(3 * UNITS, UNITS)),
    "bias_ih_l0": _rng.normal(size=3 * UNITS),
    "bias_hh_l0": _rng.normal(size=3 * UNITS),
}
KEYS = "['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']"


def sd(**changes):
    """GRU_SD with keys changed (a value of None removes the key)."""
    result = {**GRU_SD, **changes}
    return {k: v for k, v in result.items() if v is not None}


FROM_CASES = [
    ("not-a-mapping", [GRU_SD["weight_ih_l0"], GRU_SD["weight_hh_l0"]], TypeError,
         "state_dict must be a mapping of names to arrays, as module.state_dict() returns, got "
         "list"),
    ("two-layers", sd(weight_ih_l1=GRU_SD["weight_hh_l0"]), ValueError,
         f"state_dict must hold one layer in one direction, {KEYS}; got the unexpected keys "
         "['weight_ih_l1'] (num_layers > 1: convert each layer's arrays on their own)"),
    ("bidirectional", sd(weight_ih_l0_reverse=GRU_SD["weight_ih_l0"]), ValueError,
         "got the unexpected keys ['weight_ih_l0_reverse'] (bidirectional: convert each "
         "direction's arrays on their own)"),
    ("proj_size", sd(weight_hr_l0=np.zeros((2, UNITS))), ValueError,
         "got the unexpected keys ['weight_hr_l0'] (an LSTM with proj_size has no Keras "
         "equivalent)"),
    ("module-prefix", {f"rnn.{k}": v for k, v in GRU_SD.items()}, ValueError,
         "got the unexpected keys ['rnn.bias_hh_l0', 'rnn.bias_ih_l0', 'rnn.weight_hh_l0', "
         "'rnn.weight_ih_l0']"),
    ("missing-weight", sd(weight_hh_l0=None), ValueError,
         "state_dict lacks ['weight_hh_l0']; it has ['bias_hh_l0', 'bias_ih_l0', 'weight_ih_l0']"),
    ("one-bias", sd(bias_hh_l0=None), ValueError,
         "state_dict has bias_ih_l0 but not bias_hh_l0: PyTorch keeps both biases or neither "
         "(bias=False)"),
    ("weight_hh-gates", sd(weight_hh_l0=np.zeros((2 * UNITS, UNITS))), ValueError,
         "weight_hh_l0 must have shape (gates·units, units) with gates 1 (nn.RNN), 3 (nn.GRU) or "
         "4 (nn.LSTM), got (8, 4)"),
    ("weight_hh-transposed", sd(weight_hh_l0=GRU_SD["weight_hh_l0"].T), ValueError,
         "weight_hh_l0 must have shape (gates·units, units) with gates 1 (nn.RNN), 3 (nn.GRU) or "
         "4 (nn.LSTM), got (4, 12)"),
    ("weight_hh-rank-3", sd(weight_hh_l0=GRU_SD["weight_hh_l0"][None]), ValueError,
         "weight_hh_l0 must have 2 dimensions (gates·units, units), got shape (1, 12, 4)"),
    ("weight_ih-transposed", sd(weight_ih_l0=GRU_SD["weight_ih_l0"].T), ValueError,
         "weight_ih_l0 must have shape (gates·units, input_dim) = (12, input_dim >= 1) to match "
         "weight_hh_l0 of shape (12, 4), got (3, 12)"),
    ("bias-shape", sd(bias_ih_l0=np.zeros(4 * UNITS)), ValueError,
         "bias_ih_l0 must have shape (gates·units,) = (12,) to match weight_hh_l0 of shape "
         "(12, 4), got (16,)"),
    ("bias-complex", sd(bias_hh_l0=GRU_SD["bias_hh_l0"] * 1j), TypeError,
         "bias_hh_l0 must be real, got complex dtype complex128"),
    ("weight-None", sd(weight_ih_l0=None) | {"weight_ih_l0": None}, TypeError,
         "weight_ih_l0 must be a real array, got None"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("state_dict", "error", "message"),
    [c[1:] for c in FROM_CASES],
    ids=[c[0] for c in FROM_CASES],
)
def test_from_state_dict_rejects(state_dict, error, message):
    with pytest.raises(error, match=re.escape(message)):
        from_state_dict(state_dict)


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        pytest.param(random_params(FEATURES, UNITS, seed=0, cell="gru", reset_after=False),
                     ValueError, "a Keras GRU with reset_after=False has no PyTorch equivalent: "
                     "nn.GRU applies the reset gate after the recurrent product",
                     id="gru-reset_before"),
        pytest.param(GRU_SD, TypeError,
                     "params must be a SimpleRNNParams, GRUParams or LSTMParams, got dict",
                     id="a-state_dict"),
        pytest.param(None, TypeError,
                     "params must be a SimpleRNNParams, GRUParams or LSTMParams, got NoneType",
                     id="None"),
    ],
)  # fmt: skip
def test_to_state_dict_rejects(params, error, message):
    with pytest.raises(error, match=re.escape(message)):
        to_state_dict(params)
