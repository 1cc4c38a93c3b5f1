"""rnn_playground: Keras' recurrent cells from their equations to NumPy code.

The SimpleRNN's recurrence (chapter "The SimpleRNN cell")::

    a⟨t⟩ = g(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a),    y⟨t⟩ = a⟨t⟩

and the gated cells of the chapters "The GRU" and "The LSTM".

Public API: for each cell its weights (:class:`SimpleRNNParams`, :class:`GRUParams`,
:class:`LSTMParams`), one step (:func:`simple_rnn_cell`, :func:`gru_cell`,
:func:`lstm_cell`) and the whole sequence with every Keras layer option
(:func:`simple_rnn`, :func:`gru`, :func:`lstm`); and each cell's backward pass
:func:`simple_rnn_backward`, :func:`gru_backward` and :func:`lstm_backward` with their
results :class:`SimpleRNNGrads`, :class:`GRUGrads` and :class:`LSTMGrads` (also what
``rnn_playground.testing.keras_gradients`` returns). The module
:mod:`rnn_playground.testing` has the helpers that compare the package with Keras,
:mod:`rnn_playground.training` the adding problem, a dense readout and Keras' Adam of the
chapter "Training a small RNN in NumPy", and :mod:`rnn_playground.torch_layout` converts
weights to and from PyTorch's layout.
Everything is plain NumPy; Keras is imported only by the ``from_keras`` and ``to_keras``
methods, the ``python -m rnn_playground check`` command and :mod:`rnn_playground.testing`
(install it with ``pip install 'rnn-playground[keras]'``).
"""

from rnn_playground.backward import (
    GRUGrads,
    LSTMGrads,
    SimpleRNNGrads,
    gru_backward,
    lstm_backward,
    simple_rnn_backward,
)
from rnn_playground.forward import gru, gru_cell, lstm, lstm_cell, simple_rnn, simple_rnn_cell
from rnn_playground.params import GRUParams, LSTMParams, SimpleRNNParams

__all__ = [
    "GRUGrads",
    "GRUParams",
    "LSTMGrads",
    "LSTMParams",
    "SimpleRNNGrads",
    "SimpleRNNParams",
    "gru",
    "gru_backward",
    "gru_cell",
    "lstm",
    "lstm_backward",
    "lstm_cell",
    "simple_rnn",
    "simple_rnn_backward",
    "simple_rnn_cell",
]
__version__ = "0.1.0"
