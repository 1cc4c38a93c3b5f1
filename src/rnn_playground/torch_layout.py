"""Weights across frameworks: Keras' layout to and from PyTorch's ``state_dict``, in NumPy.

PyTorch's ``nn.RNN``, ``nn.GRU`` and ``nn.LSTM`` (one layer, one direction) hold four arrays:
``weight_ih_l0`` (gates·units, input_dim), ``weight_hh_l0`` (gates·units, units),
``bias_ih_l0`` and ``bias_hh_l0`` (gates·units,). Column vectors: a step computes
``W_ih x + b_ih + W_hh h + b_hh``, so the weights are the transposes of Keras' kernels, with
the gate blocks stacked along the rows, in PyTorch's own order:

=========  ======================  =====================  ================================
cell       Keras blocks (columns)  PyTorch blocks (rows)  bias
=========  ======================  =====================  ================================
SimpleRNN  one                     one (``nn.RNN``)       Keras ``bias`` = b_ih + b_hh
GRU        ``[z | r | h]``         ``[r | z | n]``        Keras ``bias`` rows = b_ih, b_hh
LSTM       ``[i | f | c | o]``     ``[i | f | g | o]``    Keras ``bias`` = b_ih + b_hh
=========  ======================  =====================  ================================

PyTorch's GRU is Keras' ``reset_after=True`` GRU: n = tanh(W_in x + b_in + r ⊙ (W_hn h +
b_hn)) and h' = (1 − z) ⊙ n + z ⊙ h, the same convention for z as Keras. Keras' GRU with
``reset_after=False`` has no PyTorch equivalent, and :func:`to_state_dict` refuses it. Where
Keras has one bias and PyTorch two (SimpleRNN, LSTM), only their sum counts:
:func:`from_state_dict` adds them and :func:`to_state_dict` puts Keras' bias in ``bias_ih_l0``
and zeros in ``bias_hh_l0``. The activations are not weights: ``nn.RNN(nonlinearity="relu")``
is ``activation="relu"``, and PyTorch's gated cells have Keras' defaults (tanh and sigmoid).
"""

from __future__ import annotations

import numpy as np

from rnn_playground._checks import check_state_dict
from rnn_playground.params import GRUParams, LSTMParams, SimpleRNNParams

__all__ = ["from_state_dict", "to_state_dict"]

# PyTorch's block order, as positions of Keras' blocks: GRU [r | z | n] = Keras [1, 0, 2]; an
# order that is its own inverse, so the same permutation converts both ways.
_ORDER = {SimpleRNNParams: [0], GRUParams: [1, 0, 2], LSTMParams: [0, 1, 2, 3]}
_PARAMS = {1: SimpleRNNParams, 3: GRUParams, 4: LSTMParams}


def _permute(array, order, units):
    """The blocks of ``units`` along the last axis of ``array`` in ``order``: a new array."""
    return np.concatenate([array[..., j * units : (j + 1) * units] for j in order], axis=-1)


def to_state_dict(params) -> dict[str, np.ndarray]:
    """PyTorch's ``state_dict`` for these weights, as new NumPy arrays.

    ``params`` is a SimpleRNNParams (for ``nn.RNN``), a GRUParams with ``reset_after=True``
    (``nn.GRU``) or an LSTMParams (``nn.LSTM``). The result has ``weight_ih_l0`` (gates·units,
    input_dim) and ``weight_hh_l0`` (gates·units, units), and ``bias_ih_l0`` and
    ``bias_hh_l0`` (gates·units,) unless ``params.bias`` is None (a module with
    ``bias=False``). Load it with ``module.load_state_dict({k: torch.from_numpy(v) ...})``.

    Raises
    ------
    TypeError
        When ``params`` is not one of the three params types (or a subclass of one).
    ValueError
        For a GRU with ``reset_after=False``: PyTorch has no such GRU.
    """
    # isinstance, not type(params): a subclass is accepted, as by simple_rnn and gru
    order = next((o for cls, o in _ORDER.items() if isinstance(params, cls)), None)
    if order is None:
        raise TypeError(
            "params must be a SimpleRNNParams, GRUParams or LSTMParams, "
            f"got {type(params).__name__}"
        )
    if isinstance(params, GRUParams) and not params.reset_after:
        raise ValueError(
            "a Keras GRU with reset_after=False has no PyTorch equivalent: nn.GRU applies the "
            "reset gate after the recurrent product, n = tanh(W_in x + b_in + r ⊙ (W_hn h + "
            "b_hn)), which is Keras' reset_after=True; reset_after=False computes "
            "tanh(x W_h + b_h + (r ⊙ h) U_h), a different function that no weights of nn.GRU "
            "reproduce"
        )
    units = params.units
    state_dict = {
        "weight_ih_l0": _permute(params.kernel, order, units).T.copy(),
        "weight_hh_l0": _permute(params.recurrent_kernel, order, units).T.copy(),
    }
    if params.bias is not None:
        if isinstance(params, GRUParams):  # rows: input bias, recurrent bias
            bias_ih, bias_hh = _permute(params.bias, order, units)
        else:  # one bias in Keras: PyTorch's two only ever count as their sum
            bias_ih, bias_hh = _permute(params.bias, order, units), np.zeros_like(params.bias)
        state_dict["bias_ih_l0"], state_dict["bias_hh_l0"] = bias_ih.copy(), bias_hh.copy()
    return state_dict


def from_state_dict(state_dict) -> SimpleRNNParams | GRUParams | LSTMParams:
    """The params of a one-layer, one-direction PyTorch ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM``.

    ``state_dict`` maps ``weight_ih_l0``, ``weight_hh_l0`` and (unless the module has
    ``bias=False``) ``bias_ih_l0`` and ``bias_hh_l0`` to NumPy arrays or CPU tensors, as
    ``module.state_dict()`` returns them. The cell follows from the shapes: weight_hh_l0 is
    (units, units) for nn.RNN, (3·units, units) for nn.GRU, (4·units, units) for nn.LSTM. A
    GRU comes back with ``reset_after=True``; the SimpleRNN's and the LSTM's bias is
    ``bias_ih_l0 + bias_hh_l0``. The arrays are copied.

    Raises
    ------
    TypeError, ValueError
        For a state_dict that is not a mapping, has other keys (more layers, a reverse
        direction, ``proj_size``), lacks one, or has shapes that do not fit together.
    """
    weight_ih, weight_hh, bias_ih, bias_hh, gates = check_state_dict(state_dict)
    cls = _PARAMS[gates]
    order, units = _ORDER[cls], weight_hh.shape[1]
    kernel = _permute(weight_ih.T, order, units)
    recurrent_kernel = _permute(weight_hh.T, order, units)
    bias = None
    if bias_ih is not None:
        if cls is GRUParams:
            bias = _permute(np.stack([bias_ih, bias_hh]), order, units)
        else:
            bias = _permute(bias_ih + bias_hh, order, units)
    return cls(kernel, recurrent_kernel, bias)
