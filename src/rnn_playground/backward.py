"""Backpropagation through time for the three cells: the gradients tf.GradientTape would give.

The derivations are in the chapters "Backpropagation through time" (the SimpleRNN) and
"Backpropagation through the gates" (the GRU and the LSTM); each line that computes one of
their equations carries the label. The forward pass is the layer's own (the loop and the
steps of ``_recurrence.py``), and so is the reverse loop with its masking (``eq-bptt-delta``,
``eq-bptt-mask-state``, ``eq-bptt-mask-output``); each cell's part, below, is its step
backwards and the sums over time.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnn_playground import _recurrence
from rnn_playground._checks import (
    check_activation,
    check_bool,
    check_params,
    prepare_output_grad,
    prepare_sequence,
    prepare_state_grad,
)
from rnn_playground.activations import get_activation
from rnn_playground.params import GRUParams, LSTMParams, SimpleRNNParams

__all__ = [
    "GRUGrads",
    "LSTMGrads",
    "SimpleRNNGrads",
    "gru_backward",
    "lstm_backward",
    "simple_rnn_backward",
]


class SimpleRNNGrads(NamedTuple):
    """Gradients of a scalar loss with respect to everything ``simple_rnn`` reads.

    A named tuple; each field has the shape of what it is the gradient of, and the dtype
    ``params.dtype``:

    - ``inputs``, (batch, time, features): ∂L/∂x⟨t⟩ (``eq-bptt-inputs``), in input order,
      also with ``go_backwards``.
    - ``initial_state``, (batch, units): ∂L/∂a⟨0⟩ (``eq-bptt-initial-state``), also when
      the initial state was the default zeros.
    - ``kernel``, (input_dim, units): ∂L/∂kernel (``eq-bptt-kernel``).
    - ``recurrent_kernel``, (units, units): ∂L/∂recurrent_kernel
      (``eq-bptt-recurrent-kernel``).
    - ``bias``, (units,): ∂L/∂bias (``eq-bptt-bias``), or None when the parameters have
      no bias.
    """

    inputs: np.ndarray
    initial_state: np.ndarray
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray | None


class GRUGrads(NamedTuple):
    """Gradients of a scalar loss with respect to everything ``gru`` reads: as
    :class:`SimpleRNNGrads`, with ``kernel`` (input_dim, 3·units), ``recurrent_kernel``
    (units, 3·units) and ``bias`` of the bias' shape ((2, 3·units) with ``reset_after``,
    (3·units,) without, None without a bias). What ``rnn_playground.testing.keras_gradients``
    returns for ``GRUParams``."""

    inputs: np.ndarray
    initial_state: np.ndarray
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray | None


class LSTMGrads(NamedTuple):
    """Gradients of a scalar loss with respect to everything ``lstm`` reads: as
    :class:`SimpleRNNGrads`, with ``initial_state`` the pair (∂L/∂h⟨0⟩, ∂L/∂c⟨0⟩),
    ``kernel`` (input_dim, 4·units), ``recurrent_kernel`` (units, 4·units) and ``bias``
    (4·units,) or None. What ``rnn_playground.testing.keras_gradients`` returns for
    ``LSTMParams``."""

    inputs: np.ndarray
    initial_state: tuple[np.ndarray, np.ndarray]
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray | None


def simple_rnn_backward(
    inputs,
    params,
    output_grad,
    *,
    initial_state=None,
    mask=None,
    activation="tanh",
    return_sequences=False,
    go_backwards=False,
    zero_output_for_mask=False,
    state_grad=None,
) -> SimpleRNNGrads:
    """Backpropagation through time: the gradients of ``simple_rnn`` for given output gradients.

    With ``output, final_state = simple_rnn(inputs, params, ..., return_state=True)`` and the
    same keyword arguments, returns the gradients of::

        L = sum(output_grad * output) + sum(state_grad * final_state)

    with respect to the inputs, the initial state and the three weights: exactly what
    ``tf.GradientTape`` gives for ``keras.layers.SimpleRNN`` with the same weights. For a
    loss ℓ(output), pass ``output_grad = ∂ℓ/∂output``.

    Implements the equations ``eq-bptt-*`` of the chapter "Backpropagation through time":
    one forward pass that keeps every state, then one loop backwards in time.

    Parameters
    ----------
    inputs : array_like, shape (batch, time, features)
    params : SimpleRNNParams
        Its dtype is the dtype of the computation and of the result.
    output_grad : array_like
        ∂L/∂output: shape (batch, time, units) when ``return_sequences``, else (batch, units).
        With ``go_backwards`` the time axis is in processing order, like the output.
    initial_state : array_like, shape (batch, units), or a one-element list of it, optional
    mask : array_like of bool, shape (batch, time), optional
        Masked input steps get exactly zero gradient, also when they hold NaN or ±inf (a
        common padding): a masked step's input reaches nothing, and every gradient, of the
        weights too, is what the same inputs padded with any finite values give.
        TensorFlow's are NaN there (0 · NaN in its backward pass of the discarded step).
    activation : {"tanh", "relu", "sigmoid", "linear"} or None
        A callable is refused (TypeError): its derivative is unknown.
    return_sequences, go_backwards, zero_output_for_mask : bool
        As in ``simple_rnn``.
    state_grad : array_like, shape (batch, units), optional
        ∂L/∂final_state; zeros when omitted.

    Returns
    -------
    SimpleRNNGrads
        Fields ``inputs`` (batch, time, features), ``initial_state`` (batch, units),
        ``kernel``, ``recurrent_kernel`` and ``bias`` (None without a bias).

    Raises
    ------
    TypeError, ValueError
        For the arguments ``simple_rnn`` refuses, and for ``output_grad`` or ``state_grad``
        of the wrong type or shape; the message names the argument.
    """
    check_params(params, SimpleRNNParams)
    check_activation(activation, differentiable=True)
    check_bool(return_sequences, "return_sequences")
    check_bool(go_backwards, "go_backwards")
    check_bool(zero_output_for_mask, "zero_output_for_mask")
    x_steps, initial_states, mask_steps = prepare_sequence(
        inputs, params, initial_state, mask, go_backwards=go_backwards
    )
    steps, batch, _ = x_steps.shape
    output_grad_steps = prepare_output_grad(
        output_grad, params, return_sequences=return_sequences, batch=batch, steps=steps
    )
    final_state_grads = prepare_state_grad(state_grad, params, batch=batch)
    g = get_activation(activation)

    # The forward pass of simple_rnn, keeping every state a⟨0⟩ … a⟨T⟩: (time + 1, batch, units).
    (states,) = _recurrence.simple_rnn_states(
        x_steps, initial_states, mask_steps, params, g.forward
    )

    dz = g.grad_from_output(states[1:])  # g'(s⟨k⟩) from a⟨k⟩; times δ⟨k⟩ below
    step_backward = _simple_rnn_step_backward(dz, params)
    (d_initial_state,) = _recurrence.backprop(
        step_backward,
        output_grad_steps,
        final_state_grads,
        mask_steps,
        zero_output_for_mask=zero_output_for_mask,
    )
    d_inputs, d_kernel, d_recurrent_kernel, d_bias = _simple_rnn_weight_grads(
        dz, x_steps, states, params
    )
    return SimpleRNNGrads(
        inputs=_recurrence.batch_major(d_inputs, go_backwards=go_backwards),
        # (eq-bptt-initial-state)  ∂L/∂a⟨0⟩ = W_aa^T ds⟨1⟩, from the first step
        initial_state=d_initial_state,
        kernel=d_kernel,
        recurrent_kernel=d_recurrent_kernel,
        bias=d_bias,
    )


def _simple_rnn_step_backward(dz, params):
    """The SimpleRNN's step backwards for ``_recurrence.backprop``.

    ``dz`` (time, batch, units) holds g'(s⟨k⟩), s⟨k⟩ the pre-activation, and is multiplied by
    δ⟨k⟩ in place, so that it ends up holding every ds⟨k⟩ for the sums over time. At a masked
    row δ⟨k⟩ is zero, so dz is zero there whatever g' is.
    """
    recurrent_kernel_t = np.ascontiguousarray(params.recurrent_kernel.T)

    def step_backward(k, d_new, d_previous):
        (delta,), (d_state,) = d_new, d_previous
        # (eq-bptt-activation)  ds⟨k⟩ = δ⟨k⟩ ⊙ g'(s⟨k⟩)
        dz[k] *= delta
        # (eq-bptt-state)  ∂L/∂a⟨k−1⟩ = W_aa^T ds⟨k⟩, in rows ds @ W_aa
        np.matmul(dz[k], recurrent_kernel_t, out=d_state)

    return step_backward


def _simple_rnn_weight_grads(dz, x_steps, states, params):
    """The sums over time, each one matrix product over all time·batch rows.

    Returns ∂L/∂x⟨k⟩ (time, batch, features) in processing order, and the gradients of
    ``kernel``, ``recurrent_kernel`` and ``bias`` (None without a bias).
    """
    steps, batch, features = x_steps.shape
    rows = steps * batch
    dz_rows = dz.reshape(rows, params.units)
    # (eq-bptt-kernel)  ∂L/∂kernel = Σ_k x⟨k⟩ᵀ ds⟨k⟩
    d_kernel = x_steps.reshape(rows, features).T @ dz_rows
    # (eq-bptt-recurrent-kernel)  ∂L/∂recurrent_kernel = Σ_k a⟨k−1⟩ᵀ ds⟨k⟩
    d_recurrent_kernel = states[:-1].reshape(rows, params.units).T @ dz_rows
    # (eq-bptt-bias)  ∂L/∂bias = Σ_k Σ_batch ds⟨k⟩
    d_bias = None if params.bias is None else dz_rows.sum(axis=0)
    # (eq-bptt-inputs)  ∂L/∂x⟨k⟩ = W_ax^T ds⟨k⟩, in rows ds @ kernelᵀ
    d_inputs = (dz_rows @ params.kernel.T).reshape(steps, batch, features)
    return d_inputs, d_kernel, d_recurrent_kernel, d_bias


# -- the gated cells: GRU and LSTM ----------------------------------------------------------
def gru_backward(
    inputs,
    params,
    output_grad,
    *,
    initial_state=None,
    mask=None,
    activation="tanh",
    recurrent_activation="sigmoid",
    return_sequences=False,
    go_backwards=False,
    zero_output_for_mask=False,
    state_grad=None,
) -> GRUGrads:
    """Backpropagation through time for the GRU: the gradients of ``gru`` for given output
    gradients.

    With ``output, final_state = gru(inputs, params, ..., return_state=True)`` and the same
    keyword arguments, returns the gradients of::

        L = sum(output_grad * output) + sum(state_grad * final_state)

    with respect to the inputs, the initial state and the three weights: what
    ``tf.GradientTape`` gives for ``keras.layers.GRU`` with the same weights, for both of
    Keras' variants (``params.reset_after``).

    Implements the equations ``eq-gru-bptt-*`` of the chapter "Backpropagation through the
    gates": one forward pass that keeps every state and every gate, then one loop backwards
    in time.

    Parameters
    ----------
    inputs : array_like, shape (batch, time, features)
    params : GRUParams
        Its dtype is the dtype of the computation and of the result.
    output_grad : array_like
        ∂L/∂output: shape (batch, time, units) when ``return_sequences``, else (batch, units).
        With ``go_backwards`` the time axis is in processing order, like the output.
    initial_state : array_like, shape (batch, units), or a one-element list of it, optional
    mask : array_like of bool, shape (batch, time), optional
        Masked input steps get exactly zero gradient, also when they hold NaN or ±inf (a
        common padding): a masked step's input reaches nothing, and every gradient, of the
        weights too, is what the same inputs padded with any finite values give.
        TensorFlow's are NaN there (0 · NaN in its backward pass of the discarded step).
    activation : {"tanh", "relu", "sigmoid", "linear"} or None
        g, for the candidate. A callable is refused (TypeError): its derivative is unknown.
    recurrent_activation : {"sigmoid", "hard_sigmoid", "tanh", "relu", "linear"} or None
        σ, for the gates z and r. hard_sigmoid's derivative is 1/6 inside (−3, 3) and 0
        outside and at both corners, as TensorFlow's.
    return_sequences, go_backwards, zero_output_for_mask : bool
        As in ``gru``.
    state_grad : array_like, shape (batch, units), optional
        ∂L/∂final_state; zeros when omitted.

    Returns
    -------
    GRUGrads
        Fields ``inputs`` (batch, time, features), ``initial_state`` (batch, units),
        ``kernel`` (input_dim, 3·units), ``recurrent_kernel`` (units, 3·units) and ``bias`` of
        the bias' shape ((2, 3·units) with ``reset_after``, (3·units,) without, None without a
        bias).

    Raises
    ------
    TypeError, ValueError
        For the arguments ``gru`` refuses, for a callable activation, and for ``output_grad``
        or ``state_grad`` of the wrong type or shape; the message names the argument.
    """
    check_params(params, GRUParams)
    x_steps, initial_states, mask_steps, output_grad_steps, final_state_grads, g, sigma = (
        _gated_arguments(
            inputs,
            params,
            output_grad,
            initial_state=initial_state,
            mask=mask,
            state_grad=state_grad,
            activation=activation,
            recurrent_activation=recurrent_activation,
            return_sequences=return_sequences,
            go_backwards=go_backwards,
            zero_output_for_mask=zero_output_for_mask,
            state_count=1,
        )
    )

    # The forward pass of gru, keeping every state h⟨0⟩ … h⟨T⟩ and the gates [z | r | h̃].
    (states,), gates = _recurrence.gru_states(
        x_steps, initial_states, mask_steps, params, g.forward, sigma.forward
    )

    d_gates, d_candidate = _gru_factors(states, gates, params, g, sigma)
    if params.reset_after:
        step_backward = _gru_step_backward(d_gates, d_candidate, gates, params)
    else:
        step_backward = _gru_step_backward_reset_before(d_gates, gates, params)
    (d_initial_state,) = _recurrence.backprop(
        step_backward,
        output_grad_steps,
        final_state_grads,
        mask_steps,
        zero_output_for_mask=zero_output_for_mask,
    )
    d_inputs, d_kernel, d_recurrent_kernel, d_bias = _gru_weight_grads(
        d_gates, d_candidate, x_steps, states, gates, params
    )
    return GRUGrads(
        inputs=_recurrence.batch_major(d_inputs, go_backwards=go_backwards),
        # (eq-gru-bptt-state) at the first step: ∂L/∂h⟨0⟩
        initial_state=d_initial_state,
        kernel=d_kernel,
        recurrent_kernel=d_recurrent_kernel,
        bias=d_bias,
    )


def lstm_backward(
    inputs,
    params,
    output_grad,
    *,
    initial_state=None,
    mask=None,
    activation="tanh",
    recurrent_activation="sigmoid",
    return_sequences=False,
    go_backwards=False,
    zero_output_for_mask=False,
    state_grad=None,
) -> LSTMGrads:
    """Backpropagation through time for the LSTM: the gradients of ``lstm`` for given output
    gradients.

    With ``output, final_h, final_c = lstm(inputs, params, ..., return_state=True)`` and the
    same keyword arguments, returns the gradients of::

        L = sum(output_grad * output) + sum(dh * final_h) + sum(dc * final_c)

    where ``state_grad = (dh, dc)``, with respect to the inputs, the initial states and the
    three weights: what ``tf.GradientTape`` gives for ``keras.layers.LSTM`` with the same
    weights.

    Implements the equations ``eq-lstm-bptt-*`` of the chapter "Backpropagation through the
    gates": one forward pass that keeps every state and every gate, then one loop backwards
    in time, carrying ∂L/∂h and ∂L/∂c.

    Parameters
    ----------
    inputs : array_like, shape (batch, time, features)
    params : LSTMParams
        Its dtype is the dtype of the computation and of the result.
    output_grad : array_like
        ∂L/∂output: shape (batch, time, units) when ``return_sequences``, else (batch, units).
        With ``go_backwards`` the time axis is in processing order, like the output.
    initial_state : tuple or list (h0, c0) of two array_like, each (batch, units), optional
    mask : array_like of bool, shape (batch, time), optional
        Masked input steps get exactly zero gradient, also when they hold NaN or ±inf (a
        common padding): a masked step's input reaches nothing, and every gradient, of the
        weights too, is what the same inputs padded with any finite values give.
        TensorFlow's are NaN there (0 · NaN in its backward pass of the discarded step).
    activation : {"tanh", "relu", "sigmoid", "linear"} or None
        For the candidate c̃ and for the cell state in h⟨t⟩. A callable is refused
        (TypeError): its derivative is unknown.
    recurrent_activation : {"sigmoid", "hard_sigmoid", "tanh", "relu", "linear"} or None
        σ, for the gates i, f and o.
    return_sequences, go_backwards, zero_output_for_mask : bool
        As in ``lstm``.
    state_grad : tuple or list (dh, dc) of two array_like, each (batch, units), optional
        ∂L/∂final_h and ∂L/∂final_c; zeros when omitted.

    Returns
    -------
    LSTMGrads
        Fields ``inputs`` (batch, time, features), ``initial_state`` the pair
        (∂L/∂h⟨0⟩, ∂L/∂c⟨0⟩), each (batch, units), ``kernel`` (input_dim, 4·units),
        ``recurrent_kernel`` (units, 4·units) and ``bias`` (4·units,) or None.

    Raises
    ------
    TypeError, ValueError
        For the arguments ``lstm`` refuses, for a callable activation, and for
        ``output_grad`` or ``state_grad`` of the wrong type or shape (``state_grad`` must be
        a pair); the message names the argument.
    """
    check_params(params, LSTMParams)
    x_steps, initial_states, mask_steps, output_grad_steps, final_state_grads, g, sigma = (
        _gated_arguments(
            inputs,
            params,
            output_grad,
            initial_state=initial_state,
            mask=mask,
            state_grad=state_grad,
            activation=activation,
            recurrent_activation=recurrent_activation,
            return_sequences=return_sequences,
            go_backwards=go_backwards,
            zero_output_for_mask=zero_output_for_mask,
            state_count=2,
        )
    )

    # The forward pass of lstm, keeping every h⟨k⟩, c⟨k⟩ and the gates [i | f | c̃ | o].
    states, gates = _recurrence.lstm_states(
        x_steps, initial_states, mask_steps, params, g.forward, sigma.forward
    )

    d_gates, d_cell_factor = _lstm_factors(states, gates, phi=g, sigma=sigma)
    step_backward = _lstm_step_backward(d_gates, d_cell_factor, gates, params)
    d_initial_h, d_initial_c = _recurrence.backprop(
        step_backward,
        output_grad_steps,
        final_state_grads,
        mask_steps,
        zero_output_for_mask=zero_output_for_mask,
    )
    d_inputs, d_kernel, d_recurrent_kernel, d_bias = _lstm_weight_grads(
        d_gates, x_steps, states, params
    )
    return LSTMGrads(
        inputs=_recurrence.batch_major(d_inputs, go_backwards=go_backwards),
        # (eq-lstm-bptt-state) and (eq-lstm-bptt-cell-carry) at the first step
        initial_state=(d_initial_h, d_initial_c),
        kernel=d_kernel,
        recurrent_kernel=d_recurrent_kernel,
        bias=d_bias,
    )


def _gated_arguments(
    inputs,
    params,
    output_grad,
    *,
    initial_state,
    mask,
    state_grad,
    activation,
    recurrent_activation,
    return_sequences,
    go_backwards,
    zero_output_for_mask,
    state_count,
):
    """Check and convert the arguments of ``gru_backward`` or ``lstm_backward`` (whose
    ``params`` are checked): the sequences as ``prepare_sequence`` gives them, the output
    and final-state gradients, and the activations g and σ."""
    check_activation(activation, differentiable=True)
    check_activation(
        recurrent_activation, "recurrent_activation", differentiable=True, recurrent=True
    )
    check_bool(return_sequences, "return_sequences")
    check_bool(go_backwards, "go_backwards")
    check_bool(zero_output_for_mask, "zero_output_for_mask")
    x_steps, initial_states, mask_steps = prepare_sequence(
        inputs, params, initial_state, mask, go_backwards=go_backwards, state_count=state_count
    )
    steps, batch, _ = x_steps.shape
    output_grad_steps = prepare_output_grad(
        output_grad, params, return_sequences=return_sequences, batch=batch, steps=steps
    )
    final_state_grads = prepare_state_grad(state_grad, params, batch=batch, state_count=state_count)
    g, sigma = get_activation(activation), get_activation(recurrent_activation)
    return x_steps, initial_states, mask_steps, output_grad_steps, final_state_grads, g, sigma


def _gru_factors(states, gates, params, g, sigma):
    """Everything of the GRU's gradients that does not wait for δ⟨k⟩ = ∂L/∂h⟨k⟩, for every
    step at once, before the loop backwards (as the SimpleRNN's g'(s)).

    ``gates`` (3, time, batch, units) is gate-major, as ``_recurrence.gru_states`` keeps it.
    Returns ``(d_gates, d_candidate)``: ``d_gates`` (3, time, batch, units), blocks z, r and
    h, and ``d_candidate`` (time, batch, units) hold the factors that the loop multiplies by
    δ⟨k⟩ (or, for r without ``reset_after``, by what comes back through U_h), in place, so
    that they end up holding the gradients of the gates' pre-activations. Without
    ``reset_after`` the h block is dh̄ itself, and ``d_candidate`` is None.
    """
    units = params.units
    h_previous = states[:-1]  # h⟨k−1⟩, the state step k read: (time, batch, units)
    z, r, candidate = gates
    d_gates = np.empty_like(gates)
    d_z, d_r, d_h = d_gates
    # (eq-gru-bptt-candidate)  dh̄ = δ ⊙ (1 − z) ⊙ g'(h̄): the factor of δ
    d_candidate = (1 - z) * g.grad_from_output(candidate)
    # (eq-gru-bptt-update)  dz̄ = δ ⊙ (h⟨k−1⟩ − h̃) ⊙ σ'(z̄): the factor of δ
    np.subtract(h_previous, candidate, out=d_z)
    d_z *= sigma.grad_from_output(z)
    if params.reset_after:
        # the recurrent part of the candidate, q = h⟨k−1⟩ U_h + b'_h, for every step at once:
        # one product over all time·batch rows
        recurrent_h = h_previous.reshape(-1, units) @ params.recurrent_kernel[:, 2 * units :]
        recurrent_h = recurrent_h.reshape(h_previous.shape)
        if params.bias is not None:
            recurrent_h += params.bias[1, 2 * units :]
        # (eq-gru-bptt-reset)  dr̄ = dh̄ ⊙ q ⊙ σ'(r̄): the factor of δ
        np.multiply(d_candidate, recurrent_h, out=d_r)
        d_r *= sigma.grad_from_output(r)
        # (eq-gru-bptt-recurrent)  dq = dh̄ ⊙ r: the factor of δ
        np.multiply(d_candidate, r, out=d_h)
    else:
        # (eq-gru-bptt-reset-before)  dr̄ = dp ⊙ h⟨k−1⟩ ⊙ σ'(r̄): the factor of
        # dp = dh̄ U_hᵀ, which only the loop can compute
        np.multiply(h_previous, sigma.grad_from_output(r), out=d_r)
        d_h[...] = d_candidate  # the h block is dh̄ itself
        d_candidate = None
    return d_gates, d_candidate


def _transposed_blocks(recurrent_kernel, count):
    """U_jᵀ for the ``count`` column blocks U_j of ``recurrent_kernel`` (units, count·units),
    as a new C-order (count, units, units): what the steps backwards multiply by."""
    return np.ascontiguousarray(_recurrence.gate_blocks(recurrent_kernel, count).transpose(0, 2, 1))


def _gru_step_backward(d_gates, d_candidate, gates, params):
    """The GRU's step backwards for ``_recurrence.backprop``, with ``reset_after`` (the
    reset gate after the recurrent product: one product with U for the three blocks).

    Multiplies the factors of :func:`_gru_factors` by δ⟨k⟩ in place: ``d_gates[:, k]``
    becomes the gradients of the recurrent side z̄, r̄ and q, and ``d_candidate[k]`` that of h̄.
    """
    _, _, batch, units = d_gates.shape
    z = gates[0]
    recurrent_kernel_t = _transposed_blocks(params.recurrent_kernel, 3)
    products = np.empty((3, batch, units), dtype=d_gates.dtype)

    def step_backward(k, d_new, d_previous):
        (delta,), (d_state,) = d_new, d_previous
        d_step = d_gates[:, k]  # (3, batch, units)
        # (eq-gru-bptt-update), (eq-gru-bptt-reset), (eq-gru-bptt-recurrent): each block's
        # factor times δ⟨k⟩
        d_step *= delta
        # (eq-gru-bptt-candidate)  dh̄ = δ ⊙ (1 − z) ⊙ g'(h̄)
        d_candidate[k] *= delta
        # (eq-gru-bptt-state)  ∂L/∂h⟨k−1⟩ = δ ⊙ z + [dz̄ | dr̄ | dq] Uᵀ, block by block
        np.matmul(d_step, recurrent_kernel_t, out=products)
        np.multiply(delta, z[k], out=d_state)
        for product in products:
            d_state += product

    return step_backward


def _gru_step_backward_reset_before(d_gates, gates, params):
    """The GRU's step backwards for ``_recurrence.backprop`` without ``reset_after`` (the
    reset gate before the recurrent product, h̃ = g(x W_h + b_h + (r ⊙ h) U_h)).

    Multiplies the factors of :func:`_gru_factors` in place, so that ``d_gates[:, k]``
    becomes dz̄, dr̄ and dh̄. Two products a step: dr̄ waits for dh̄ U_hᵀ.
    """
    _, _, batch, units = d_gates.shape
    z, r = gates[0], gates[1]
    recurrent_kernel_t = _transposed_blocks(params.recurrent_kernel[:, : 2 * units], 2)
    recurrent_kernel_h_t = np.ascontiguousarray(params.recurrent_kernel[:, 2 * units :].T)
    products = np.empty((2, batch, units), dtype=d_gates.dtype)
    ds = np.empty((batch, units), dtype=d_gates.dtype)

    def step_backward(k, d_new, d_previous):
        (delta,), (d_state,) = d_new, d_previous
        d_z, d_r, d_h = d_gates[:, k]
        # (eq-gru-bptt-update), (eq-gru-bptt-candidate): the z and h blocks' factors times δ⟨k⟩
        d_z *= delta
        d_h *= delta
        # (eq-gru-bptt-reset-before)  dp = dh̄ U_hᵀ (in ds), the gradient of p = r ⊙ h⟨k−1⟩
        np.matmul(d_h, recurrent_kernel_h_t, out=ds)
        # (eq-gru-bptt-reset-before)  dr̄ = dp ⊙ h⟨k−1⟩ ⊙ σ'(r̄), the factor times dp
        d_r *= ds
        # (eq-gru-bptt-state-before)  ∂L/∂h⟨k−1⟩ = δ ⊙ z + [dz̄ | dr̄] U_zrᵀ + dp ⊙ r
        np.matmul(d_gates[:2, k], recurrent_kernel_t, out=products)
        np.add(products[0], products[1], out=d_state)
        np.multiply(ds, r[k], out=ds)
        d_state += ds
        np.multiply(delta, z[k], out=ds)
        d_state += ds

    return step_backward


def _block_sums(rows, d_blocks):
    """Σ over the time·batch rows of rowsᵀ d_j for each block d_j (rows, units), side by side
    as Keras' column blocks: (rows' width, count·units). One matrix product per block."""
    return np.concatenate([rows.T @ d for d in d_blocks], axis=1)


def _input_grads(d_blocks, kernel, shape):
    """∂L/∂x⟨k⟩ = Σ_j d_j W_jᵀ over the gate blocks d_j (rows, units) and the column blocks
    W_j of ``kernel``, as an array of ``shape`` (time, batch, features)."""
    kernel_blocks = _recurrence.gate_blocks(kernel, len(d_blocks))
    d_inputs = d_blocks[0] @ kernel_blocks[0].T
    product = np.empty_like(d_inputs)
    for d, block in zip(d_blocks[1:], kernel_blocks[1:], strict=True):
        np.matmul(d, block.T, out=product)
        d_inputs += product
    return d_inputs.reshape(shape)


def _gru_weight_grads(d_gates, d_candidate, x_steps, states, gates, params):
    """The sums over time, each one matrix product per gate block over all time·batch rows.

    Returns ∂L/∂x⟨k⟩ (time, batch, features) in processing order, and the gradients of
    ``kernel``, ``recurrent_kernel`` and ``bias`` (of the bias' shape, or None).
    """
    steps, batch, features = x_steps.shape
    rows, units = steps * batch, params.units
    x_rows = x_steps.reshape(rows, features)
    h_previous = states[:-1].reshape(rows, units)
    d_z, d_r, d_h = d_gates.reshape(3, rows, units)  # d_h: dq with reset_after, else dh̄
    if params.reset_after:
        d_input = (d_z, d_r, d_candidate.reshape(rows, units))  # [dz̄ | dr̄ | dh̄]
        # (eq-gru-bptt-weights)  ∂L/∂recurrent_kernel = Σ_k h⟨k−1⟩ᵀ [dz̄ | dr̄ | dq]
        d_recurrent_kernel = _block_sums(h_previous, (d_z, d_r, d_h))
    else:
        d_input = (d_z, d_r, d_h)  # [dz̄ | dr̄ | dh̄]
        reset_state = gates[1].reshape(rows, units) * h_previous
        # (eq-gru-bptt-weights)  ∂L/∂recurrent_kernel = Σ_k [h⟨k−1⟩ᵀ [dz̄ | dr̄] |
        #                                                    p⟨k⟩ᵀ dh̄], p = r ⊙ h⟨k−1⟩
        d_recurrent_kernel = np.concatenate(
            [_block_sums(h_previous, (d_z, d_r)), reset_state.T @ d_h], axis=1
        )
    # (eq-gru-bptt-weights)  ∂L/∂kernel = Σ_k x⟨k⟩ᵀ [dz̄ | dr̄ | dh̄]
    d_kernel = _block_sums(x_rows, d_input)
    d_bias = None
    if params.bias is not None:
        # (eq-gru-bptt-weights)  ∂L/∂b = Σ_k [dz̄ | dr̄ | dh̄]; with reset_after the
        # recurrent bias b' (row 1) gets Σ_k [dz̄ | dr̄ | dq]
        d_bias = np.concatenate([d.sum(axis=0) for d in d_input])
        if params.reset_after:
            d_bias = np.stack([d_bias, np.concatenate([d_bias[: 2 * units], d_h.sum(axis=0)])])
    # (eq-gru-bptt-inputs)  ∂L/∂x⟨k⟩ = [dz̄ | dr̄ | dh̄] Wᵀ, block by block
    d_inputs = _input_grads(d_input, params.kernel, (steps, batch, features))
    return d_inputs, d_kernel, d_recurrent_kernel, d_bias


def _lstm_factors(states, gates, *, phi, sigma):
    """Everything of the LSTM's gradients that does not wait for δ_h⟨k⟩ = ∂L/∂h⟨k⟩ and
    dc⟨k⟩, for every step at once, before the loop backwards.

    ``gates`` (4, time, batch, units) is gate-major, as ``_recurrence.lstm_states`` keeps
    it. Returns ``(d_gates, d_cell_factor)``: ``d_gates`` (4, time, batch, units), blocks
    i, f, c and o, holds the factors that the loop multiplies, in place, by dc⟨k⟩ (blocks i,
    f and c) and by δ_h⟨k⟩ (block o), so that it ends up holding the gradients of the gates'
    pre-activations; ``d_cell_factor`` (time, batch, units) is o ⊙ g'(c⟨k⟩). ``phi`` is the
    ``activation`` g (tanh by default; the candidate is c̃), ``sigma`` the gates' σ.
    """
    c = states[1]  # c⟨0⟩ … c⟨T⟩
    i, f, candidate, o = gates
    d_gates = np.empty_like(gates)
    d_i, d_f, d_c, d_o = d_gates
    state_activation = phi.forward(c[1:])  # g(c⟨k⟩), a new array
    # (eq-lstm-bptt-output-gate)  dō = δ_h ⊙ g(c⟨k⟩) ⊙ σ'(ō): the factor of δ_h
    np.multiply(state_activation, sigma.grad_from_output(o), out=d_o)
    # (eq-lstm-bptt-cell)  dc⟨k⟩ = δ_c + δ_h ⊙ o ⊙ g'(c⟨k⟩): the factor of δ_h
    d_cell_factor = o * phi.grad_from_output(state_activation)
    # (eq-lstm-bptt-gates)  dī = dc⟨k⟩ ⊙ c̃ ⊙ σ'(ī): the factor of dc⟨k⟩
    np.multiply(candidate, sigma.grad_from_output(i), out=d_i)
    # (eq-lstm-bptt-gates)  df̄ = dc⟨k⟩ ⊙ c⟨k−1⟩ ⊙ σ'(f̄)
    np.multiply(c[:-1], sigma.grad_from_output(f), out=d_f)
    # (eq-lstm-bptt-gates)  dc̄ = dc⟨k⟩ ⊙ i ⊙ g'(c̄)
    np.multiply(i, phi.grad_from_output(candidate), out=d_c)
    return d_gates, d_cell_factor


def _lstm_step_backward(d_gates, d_cell_factor, gates, params):
    """The LSTM's step backwards for ``_recurrence.backprop``: from (δ_h⟨k⟩, δ_c⟨k⟩, what
    the steps after k sent back to c⟨k⟩) to (∂L/∂h⟨k−1⟩, ∂L/∂c⟨k−1⟩). Multiplies the factors of
    :func:`_lstm_factors` in place; one product with U a step, block by block."""
    _, _, batch, units = d_gates.shape
    f = gates[1]
    recurrent_kernel_t = _transposed_blocks(params.recurrent_kernel, 4)
    products = np.empty((4, batch, units), dtype=d_gates.dtype)
    d_cell = np.empty((batch, units), dtype=d_gates.dtype)

    def step_backward(k, d_new, d_previous):
        (delta_h, delta_c), (d_h, d_c) = d_new, d_previous
        d_step = d_gates[:, k]  # (4, batch, units)
        # (eq-lstm-bptt-cell)  dc⟨k⟩ = δ_c + δ_h ⊙ o ⊙ g'(c⟨k⟩)
        np.multiply(delta_h, d_cell_factor[k], out=d_cell)
        np.add(d_cell, delta_c, out=d_cell)
        # (eq-lstm-bptt-gates)  the i, f and c blocks' factors times dc⟨k⟩
        d_step[:3] *= d_cell
        # (eq-lstm-bptt-output-gate)  the o block's factor times δ_h
        d_step[3] *= delta_h
        # (eq-lstm-bptt-cell-carry)  ∂L/∂c⟨k−1⟩ = dc⟨k⟩ ⊙ f: the additive path
        np.multiply(d_cell, f[k], out=d_c)
        # (eq-lstm-bptt-state)  ∂L/∂h⟨k−1⟩ = [dī | df̄ | dc̄ | dō] Uᵀ, block by block
        np.matmul(d_step, recurrent_kernel_t, out=products)
        np.sum(products, axis=0, out=d_h)

    return step_backward


def _lstm_weight_grads(d_gates, x_steps, states, params):
    """The sums over time, each one matrix product per gate block over all time·batch rows.

    Returns ∂L/∂x⟨k⟩ (time, batch, features) in processing order, and the gradients of
    ``kernel``, ``recurrent_kernel`` and ``bias`` (None without a bias).
    """
    steps, batch, features = x_steps.shape
    rows, units = steps * batch, params.units
    d_blocks = d_gates.reshape(4, rows, units)  # dī, df̄, dc̄, dō
    # (eq-lstm-bptt-weights)  ∂L/∂kernel = Σ_k x⟨k⟩ᵀ [dī | df̄ | dc̄ | dō]
    d_kernel = _block_sums(x_steps.reshape(rows, features), d_blocks)
    # (eq-lstm-bptt-weights)  ∂L/∂recurrent_kernel = Σ_k h⟨k−1⟩ᵀ [dī | df̄ | dc̄ | dō]
    d_recurrent_kernel = _block_sums(states[0][:-1].reshape(rows, units), d_blocks)
    # (eq-lstm-bptt-weights)  ∂L/∂bias = Σ_k Σ_batch [dī | df̄ | dc̄ | dō]
    d_bias = None if params.bias is None else d_blocks.sum(axis=1).reshape(-1)
    # (eq-lstm-bptt-inputs)  ∂L/∂x⟨k⟩ = [dī | df̄ | dc̄ | dō] Wᵀ, block by block
    d_inputs = _input_grads(d_blocks, params.kernel, (steps, batch, features))
    return d_inputs, d_kernel, d_recurrent_kernel, d_bias
