"""rnn_playground: the Keras SimpleRNN cell from its equations to NumPy code.

The recurrence (chapter "The SimpleRNN cell")::

    a⟨t⟩ = g(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a),    y⟨t⟩ = a⟨t⟩

Public API: :class:`SimpleRNNParams`, :func:`simple_rnn_cell`, :func:`simple_rnn`.
Everything is plain NumPy; Keras is imported only by ``SimpleRNNParams.from_keras``,
``SimpleRNNParams.to_keras`` and the ``python -m rnn_playground check`` command.
"""

from rnn_playground.backward import SimpleRNNGrads, simple_rnn_backward
from rnn_playground.layer import simple_rnn, simple_rnn_cell
from rnn_playground.params import SimpleRNNParams

__all__ = [
    "SimpleRNNGrads",
    "SimpleRNNParams",
    "simple_rnn",
    "simple_rnn_backward",
    "simple_rnn_cell",
]
__version__ = "0.1.0"
