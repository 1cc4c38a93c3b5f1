"""rnn_playground: the Keras SimpleRNN cell from its equations to NumPy code.

The recurrence (chapter "The SimpleRNN cell")::

    a⟨t⟩ = g(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a),    y⟨t⟩ = a⟨t⟩

Public API: :class:`SimpleRNNParams` (the weights), :func:`simple_rnn_cell` (one step),
:func:`simple_rnn` (the whole sequence, every Keras layer option), and the backward pass
:func:`simple_rnn_backward` with its result :class:`SimpleRNNGrads`. The module
:mod:`rnn_playground.testing` has the helpers that compare the package with Keras.
Everything is plain NumPy; Keras is imported only by ``SimpleRNNParams.from_keras``,
``SimpleRNNParams.to_keras``, the ``python -m rnn_playground check`` command and
:mod:`rnn_playground.testing` (install it with ``pip install 'rnn-playground[keras]'``).
"""

from rnn_playground.backward import SimpleRNNGrads, simple_rnn_backward
from rnn_playground.forward import simple_rnn, simple_rnn_cell
from rnn_playground.params import SimpleRNNParams

__all__ = [
    "SimpleRNNGrads",
    "SimpleRNNParams",
    "simple_rnn",
    "simple_rnn_backward",
    "simple_rnn_cell",
]
__version__ = "0.1.0"
