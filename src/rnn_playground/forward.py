"""One step of the SimpleRNN cell, and the whole sequence with every Keras layer option.

The equations live in the book, and each line that computes one carries its label, so a
reader can go from ``{eq}`eq-simple-rnn-step``` on a page to the line and back. The step
itself (``eq-simple-rnn-step``) and the time loop with every layer option are in
``_recurrence.py``, shared with the backward pass; this module checks the arguments and
puts the pieces together.
"""

from __future__ import annotations

import numpy as np

from rnn_playground import _recurrence
from rnn_playground._checks import (
    check_activation,
    check_bool,
    check_inputs,
    check_params,
    check_state,
    prepare_sequence,
)
from rnn_playground.activations import get_activation
from rnn_playground.params import SimpleRNNParams

__all__ = ["simple_rnn", "simple_rnn_cell"]


def simple_rnn_cell(inputs, state, params, *, activation="tanh"):
    """One step of the SimpleRNN cell, as ``keras.layers.SimpleRNNCell`` computes it.

    Implements equation ``eq-simple-rnn-step`` of the chapter "The SimpleRNN cell":
    a⟨t⟩ = g(x⟨t⟩ @ kernel + bias + a⟨t−1⟩ @ recurrent_kernel).

    Parameters
    ----------
    inputs : array_like, shape (batch, input_dim)
        x⟨t⟩ for every sample of the batch.
    state : array_like, shape (batch, units)
        The previous state a⟨t−1⟩.
    params : SimpleRNNParams
    activation : {"tanh", "relu", "sigmoid", "linear"}, None or callable
        g; None is the identity, as in Keras.

    Returns
    -------
    numpy.ndarray, shape (batch, units), dtype ``params.dtype``
        The new state a⟨t⟩, which is also the output y⟨t⟩ (``eq-simple-rnn-output``).
    """
    check_params(params, SimpleRNNParams)
    check_activation(activation)
    x = check_inputs(inputs, params, rank=2, layout="(batch, input_dim)")
    a_previous = check_state(state, "state", x.shape[0], params)
    g = get_activation(activation).forward

    a = _recurrence.simple_rnn_input_half(x, params, out=np.empty_like(a_previous))
    _recurrence.simple_rnn_step(params, g, batch=len(x))(0, [a_previous], [a])
    return a


def simple_rnn(
    inputs,
    params,
    *,
    initial_state=None,
    mask=None,
    activation="tanh",
    return_sequences=False,
    return_state=False,
    go_backwards=False,
    zero_output_for_mask=False,
):
    """Run the SimpleRNN over a whole sequence, exactly as ``keras.layers.SimpleRNN`` does.

    Implements ``eq-simple-rnn-step`` for t = 1 … T (chapter "Unrolling in time") and the
    layer options of the chapter "Layer options" (equations ``eq-mask-state`` and
    ``eq-mask-output``), following Keras' default ``unroll=False`` loop.

    Parameters
    ----------
    inputs : array_like, shape (batch, time, features)
        Integer inputs are cast to ``params.dtype``. Never modified.
    params : SimpleRNNParams
    initial_state : array_like, shape (batch, units), or a one-element list of it, optional
        a⟨0⟩; zeros when omitted.
    mask : array_like of bool, shape (batch, time), optional
        True where a step is used. At a masked step the state is carried over unchanged
        (``eq-mask-state``) and the output repeats the previous output, or is zero before
        the first valid step or when ``zero_output_for_mask`` is set (``eq-mask-output``).
    activation : {"tanh", "relu", "sigmoid", "linear"}, None or callable
    return_sequences : bool
        Return every step's output (batch, time, units) instead of the last (batch, units).
    return_state : bool
        Also return the final state: the result is the tuple ``(output, final_state)``.
    go_backwards : bool
        Read the inputs (and mask) from the last step to the first. As in Keras, the
        output sequence is in processing order: it is *not* flipped back.
    zero_output_for_mask : bool
        Output zeros at masked steps instead of repeating the previous output; this also
        applies to the single output returned when ``return_sequences`` is False.

    Returns
    -------
    output : numpy.ndarray, (batch, time, units) or (batch, units)
    final_state : numpy.ndarray, (batch, units)
        Only with ``return_state=True``.
    """
    check_params(params, SimpleRNNParams)
    check_activation(activation)
    check_bool(return_sequences, "return_sequences")
    check_bool(return_state, "return_state")
    check_bool(go_backwards, "go_backwards")
    check_bool(zero_output_for_mask, "zero_output_for_mask")
    x_steps, initial_states, mask_steps = prepare_sequence(
        inputs, params, initial_state, mask, go_backwards=go_backwards
    )
    g = get_activation(activation).forward

    states = _recurrence.simple_rnn_states(x_steps, initial_states, mask_steps, params, g)
    return _recurrence.outputs(
        states,
        mask_steps,
        return_sequences=return_sequences,
        return_state=return_state,
        zero_output_for_mask=zero_output_for_mask,
    )
