"""Backpropagation through time for the SimpleRNN: the gradients tf.GradientTape would give.

The derivation is in the chapter "Backpropagation through time"; each line that computes
one of its equations carries the label. The forward pass is ``simple_rnn``'s own (the loop
and the step of ``_recurrence.py``), and so is the reverse loop with its masking
(``eq-bptt-delta``, ``eq-bptt-mask-state``, ``eq-bptt-mask-output``); the SimpleRNN's part,
below, is its step backwards and the sums over time.
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
from rnn_playground.params import SimpleRNNParams

__all__ = ["GRUGrads", "LSTMGrads", "SimpleRNNGrads", "simple_rnn_backward"]


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
    returns for :class:`GRUParams`."""

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
    :class:`LSTMParams`."""

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
        Masked input steps get exactly zero gradient.
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

    dz = g.grad_from_output(states[1:])  # g'(z⟨k⟩) from a⟨k⟩; times δ⟨k⟩ below
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
        # (eq-bptt-initial-state)  ∂L/∂a⟨0⟩ = W_aa^T dz⟨1⟩, from the first step
        initial_state=d_initial_state,
        kernel=d_kernel,
        recurrent_kernel=d_recurrent_kernel,
        bias=d_bias,
    )


def _simple_rnn_step_backward(dz, params):
    """The SimpleRNN's step backwards for ``_recurrence.backprop``.

    ``dz`` (time, batch, units) holds g'(z⟨k⟩) and is multiplied by δ⟨k⟩ in place, so that it
    ends up holding every dz⟨k⟩ for the sums over time. At a masked row δ⟨k⟩ is zero, so dz
    is zero there whatever g' is.
    """
    recurrent_kernel_t = np.ascontiguousarray(params.recurrent_kernel.T)

    def step_backward(k, d_new, d_previous):
        (delta,), (d_state,) = d_new, d_previous
        # (eq-bptt-activation)  dz⟨k⟩ = δ⟨k⟩ ⊙ g'(z⟨k⟩)
        dz[k] *= delta
        # (eq-bptt-state)  ∂L/∂a⟨k−1⟩ = W_aa^T dz⟨k⟩, in rows dz @ W_aa
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
    # (eq-bptt-kernel)  ∂L/∂kernel = Σ_k x⟨k⟩ᵀ dz⟨k⟩
    d_kernel = x_steps.reshape(rows, features).T @ dz_rows
    # (eq-bptt-recurrent-kernel)  ∂L/∂recurrent_kernel = Σ_k a⟨k−1⟩ᵀ dz⟨k⟩
    d_recurrent_kernel = states[:-1].reshape(rows, params.units).T @ dz_rows
    # (eq-bptt-bias)  ∂L/∂bias = Σ_k Σ_batch dz⟨k⟩
    d_bias = None if params.bias is None else dz_rows.sum(axis=0)
    # (eq-bptt-inputs)  ∂L/∂x⟨k⟩ = W_ax^T dz⟨k⟩, in rows dz @ kernelᵀ
    d_inputs = (dz_rows @ params.kernel.T).reshape(steps, batch, features)
    return d_inputs, d_kernel, d_recurrent_kernel, d_bias
