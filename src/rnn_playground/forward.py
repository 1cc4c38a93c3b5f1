"""One step of each cell (SimpleRNN, GRU, LSTM), and the whole sequence with every Keras
layer option.

The equations live in the book, and each line that computes one carries its label, so a
reader can go from ``{eq}`eq-simple-rnn-step``` on a page to the line and back. The steps
themselves (``eq-simple-rnn-step``, ``eq-gru-*``, ``eq-lstm-*``) and the time loop with every
layer option are in ``_recurrence.py``, shared with the backward pass; this module checks the
arguments and puts the pieces together.
"""

from __future__ import annotations

import numpy as np

from rnn_playground import _recurrence
from rnn_playground._checks import (
    check_activation,
    check_bool,
    check_inputs,
    check_params,
    check_states,
    prepare_sequence,
)
from rnn_playground.activations import get_activation
from rnn_playground.params import GRUParams, LSTMParams, SimpleRNNParams

__all__ = ["gru", "gru_cell", "lstm", "lstm_cell", "simple_rnn", "simple_rnn_cell"]


def simple_rnn_cell(inputs, state, params, *, activation="tanh"):
    """One step of the SimpleRNN cell, as ``keras.layers.SimpleRNNCell`` computes it.

    Implements equation ``eq-simple-rnn-step`` of the chapter "The SimpleRNN cell":
    a⟨t⟩ = g(x⟨t⟩ @ kernel + bias + a⟨t−1⟩ @ recurrent_kernel).

    Parameters
    ----------
    inputs : array_like, shape (batch, input_dim)
        x⟨t⟩ for every sample of the batch.
    state : array_like, shape (batch, units), or a one-element list of it
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
    (a_previous,) = check_states(state, "state", x.shape[0], params, state_count=1)
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


# -- the gated cells -------------------------------------------------------------------------
def _check_layer_options(activation, recurrent_activation, **flags):
    check_activation(activation)
    check_activation(recurrent_activation, "recurrent_activation", recurrent=True)
    for name, value in flags.items():
        check_bool(value, name)


def _gated_cell(inputs, state, params, activation, recurrent_activation, *, state_count):
    """Check the arguments of ``gru_cell`` or ``lstm_cell``; return the inputs as a
    one-step sequence (1, batch, features) and the states as a tuple of new arrays."""
    _check_layer_options(activation, recurrent_activation)
    x = check_inputs(inputs, params, rank=2, layout="(batch, input_dim)")
    states = check_states(state, "state", len(x), params, state_count=state_count)
    return x[None], states


def gru_cell(inputs, state, params, *, activation="tanh", recurrent_activation="sigmoid"):
    """One step of the GRU cell, as ``keras.layers.GRUCell`` computes it.

    Implements the equations of the chapter "The GRU": the update gate z
    (``eq-gru-update``), the reset gate r (``eq-gru-reset``), the candidate h̃
    (``eq-gru-candidate``, with the reset gate after the recurrent product when
    ``params.reset_after``; ``eq-gru-candidate-before``, before it, otherwise) and the new state
    h⟨t⟩ = z ⊙ h⟨t−1⟩ + (1 − z) ⊙ h̃ (``eq-gru-state``).

    Parameters
    ----------
    inputs : array_like, shape (batch, input_dim)
        x⟨t⟩ for every sample of the batch.
    state : array_like, shape (batch, units), or a one-element list of it
        The previous state h⟨t−1⟩.
    params : GRUParams
    activation : {"tanh", "relu", "sigmoid", "linear"}, None or callable
        g, applied to the candidate; None is the identity, as in Keras.
    recurrent_activation : {"sigmoid", "hard_sigmoid", "tanh", "relu", "linear"}, None or callable
        σ, applied to the gates z and r.

    Returns
    -------
    numpy.ndarray, shape (batch, units), dtype ``params.dtype``
        The new state h⟨t⟩, which is also the output.
    """
    check_params(params, GRUParams)
    x_steps, (h_previous,) = _gated_cell(
        inputs, state, params, activation, recurrent_activation, state_count=1
    )
    states, _ = _recurrence.gru_states(
        x_steps,
        (h_previous,),
        None,
        params,
        get_activation(activation).forward,
        get_activation(recurrent_activation, "recurrent_activation").forward,
    )
    return states[0][1].copy()


def gru(
    inputs,
    params,
    *,
    initial_state=None,
    mask=None,
    activation="tanh",
    recurrent_activation="sigmoid",
    return_sequences=False,
    return_state=False,
    go_backwards=False,
    zero_output_for_mask=False,
):
    """Run the GRU over a whole sequence, exactly as ``keras.layers.GRU`` does.

    Implements, at every step, ``eq-gru-update``, ``eq-gru-reset``, ``eq-gru-candidate`` and
    ``eq-gru-state`` of the chapter "The GRU" (see :func:`gru_cell`), and the layer options of
    the chapter "Layer options" (``eq-mask-state``, ``eq-mask-output``), following Keras'
    default loop. Both of Keras' variants: ``params.reset_after`` decides which.

    Parameters
    ----------
    inputs : array_like, shape (batch, time, features)
        Integer inputs are cast to ``params.dtype``. Never modified.
    params : GRUParams
    initial_state : array_like, shape (batch, units), or a one-element list of it, optional
        h⟨0⟩; zeros when omitted.
    mask : array_like of bool, shape (batch, time), optional
        True where a step is used. A masked step carries the state over unchanged and its
        output repeats the previous output (zero before the first valid step, or always
        with ``zero_output_for_mask``).
    activation : {"tanh", "relu", "sigmoid", "linear"}, None or callable
        g, for the candidate.
    recurrent_activation : {"sigmoid", "hard_sigmoid", "tanh", "relu", "linear"}, None or callable
        σ, for the gates. "hard_sigmoid" is Keras 3's relu6(x + 3) / 6.
    return_sequences, return_state, go_backwards, zero_output_for_mask : bool
        As in ``simple_rnn`` and Keras: every output (batch, time, units) instead of the
        last (batch, units); also the final state; read the inputs from the last step to the
        first (the outputs stay in processing order); zeros at masked steps.

    Returns
    -------
    output : numpy.ndarray, (batch, time, units) or (batch, units)
    final_state : numpy.ndarray, (batch, units)
        Only with ``return_state=True``: the result is the tuple ``(output, final_state)``.
    """
    check_params(params, GRUParams)
    _check_layer_options(
        activation,
        recurrent_activation,
        return_sequences=return_sequences,
        return_state=return_state,
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
    )
    x_steps, initial_states, mask_steps = prepare_sequence(
        inputs, params, initial_state, mask, go_backwards=go_backwards
    )
    states, _ = _recurrence.gru_states(
        x_steps,
        initial_states,
        mask_steps,
        params,
        get_activation(activation).forward,
        get_activation(recurrent_activation, "recurrent_activation").forward,
    )
    return _recurrence.outputs(
        states,
        mask_steps,
        return_sequences=return_sequences,
        return_state=return_state,
        zero_output_for_mask=zero_output_for_mask,
    )


def lstm_cell(inputs, state, params, *, activation="tanh", recurrent_activation="sigmoid"):
    """One step of the LSTM cell, as ``keras.layers.LSTMCell`` computes it.

    Implements the equations of the chapter "The LSTM": the gates i, f and o
    (``eq-lstm-gates``), the candidate c̃ (``eq-lstm-candidate``), the cell state
    c⟨t⟩ = f ⊙ c⟨t−1⟩ + i ⊙ c̃ (``eq-lstm-cell``) and h⟨t⟩ = o ⊙ g(c⟨t⟩)
    (``eq-lstm-state``).

    Parameters
    ----------
    inputs : array_like, shape (batch, input_dim)
        x⟨t⟩ for every sample of the batch.
    state : tuple or list (h, c) of two array_like, each of shape (batch, units)
        The previous states h⟨t−1⟩ and c⟨t−1⟩, as Keras' ``[h, c]``.
    params : LSTMParams
    activation : {"tanh", "relu", "sigmoid", "linear"}, None or callable
        g, used for the candidate c̃ and for the cell state in h⟨t⟩; None is the identity.
    recurrent_activation : {"sigmoid", "hard_sigmoid", "tanh", "relu", "linear"}, None or callable
        σ, for the gates i, f and o.

    Returns
    -------
    (h, c) : tuple of two numpy.ndarray, each (batch, units), dtype ``params.dtype``
        The new states; h⟨t⟩ is also the output.
    """
    check_params(params, LSTMParams)
    x_steps, initial_states = _gated_cell(
        inputs, state, params, activation, recurrent_activation, state_count=2
    )
    (h, c), _ = _recurrence.lstm_states(
        x_steps,
        initial_states,
        None,
        params,
        get_activation(activation).forward,
        get_activation(recurrent_activation, "recurrent_activation").forward,
    )
    return h[1].copy(), c[1].copy()


def lstm(
    inputs,
    params,
    *,
    initial_state=None,
    mask=None,
    activation="tanh",
    recurrent_activation="sigmoid",
    return_sequences=False,
    return_state=False,
    go_backwards=False,
    zero_output_for_mask=False,
):
    """Run the LSTM over a whole sequence, exactly as ``keras.layers.LSTM`` does.

    Implements, at every step, ``eq-lstm-gates``, ``eq-lstm-candidate``, ``eq-lstm-cell`` and
    ``eq-lstm-state`` of the chapter "The LSTM" (see :func:`lstm_cell`), and the layer options
    of the chapter "Layer options" (``eq-mask-state``, ``eq-mask-output``): a masked step
    carries both h and c over.

    Parameters
    ----------
    inputs : array_like, shape (batch, time, features)
        Integer inputs are cast to ``params.dtype``. Never modified.
    params : LSTMParams
    initial_state : tuple or list (h0, c0) of two array_like, each (batch, units), optional
        As Keras' ``initial_state=[h0, c0]``; zeros when omitted.
    mask : array_like of bool, shape (batch, time), optional
        True where a step is used; as in :func:`gru`.
    activation : {"tanh", "relu", "sigmoid", "linear"}, None or callable
        g, for the candidate c̃ and for the cell state in h⟨t⟩.
    recurrent_activation : {"sigmoid", "hard_sigmoid", "tanh", "relu", "linear"}, None or callable
        σ, for the gates i, f and o.
    return_sequences, return_state, go_backwards, zero_output_for_mask : bool
        As in :func:`gru` and Keras.

    Returns
    -------
    output : numpy.ndarray, (batch, time, units) or (batch, units)
    final_h, final_c : numpy.ndarray, (batch, units)
        Only with ``return_state=True``: the result is the tuple
        ``(output, final_h, final_c)``, as Keras' ``[output, h, c]``.
    """
    check_params(params, LSTMParams)
    _check_layer_options(
        activation,
        recurrent_activation,
        return_sequences=return_sequences,
        return_state=return_state,
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
    )
    x_steps, initial_states, mask_steps = prepare_sequence(
        inputs, params, initial_state, mask, go_backwards=go_backwards, state_count=2
    )
    states, _ = _recurrence.lstm_states(
        x_steps,
        initial_states,
        mask_steps,
        params,
        get_activation(activation).forward,
        get_activation(recurrent_activation, "recurrent_activation").forward,
    )
    return _recurrence.outputs(
        states,
        mask_steps,
        return_sequences=return_sequences,
        return_state=return_state,
        zero_output_for_mask=zero_output_for_mask,
    )
