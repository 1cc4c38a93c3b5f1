"""Backpropagation through time for the SimpleRNN: the gradients tf.GradientTape would give.

The derivation is in the chapter "Backpropagation through time"; each line below that
computes one of its equations carries the label. Row-vector (Keras) form, processing step
k = 0 … T−1, with z⟨k⟩ = x⟨k⟩ @ kernel + bias + a⟨k−1⟩ @ recurrent_kernel and a⟨k⟩ = g(z⟨k⟩)::

    (eq-bptt-delta)             δ⟨k⟩ = ∂L/∂y⟨k⟩ + ∂L/∂a⟨k⟩ from the steps after k
    (eq-bptt-activation)        dz⟨k⟩ = δ⟨k⟩ ⊙ g'(z⟨k⟩)            (g' from the output a⟨k⟩)
    (eq-bptt-state)             ∂L/∂a⟨k−1⟩ = dz⟨k⟩ @ recurrent_kernelᵀ
    (eq-bptt-kernel)            ∂L/∂kernel = Σ_k x⟨k⟩ᵀ @ dz⟨k⟩
    (eq-bptt-recurrent-kernel)  ∂L/∂recurrent_kernel = Σ_k a⟨k−1⟩ᵀ @ dz⟨k⟩
    (eq-bptt-bias)              ∂L/∂bias = Σ_k Σ_batch dz⟨k⟩
    (eq-bptt-inputs)            ∂L/∂x⟨k⟩ = dz⟨k⟩ @ kernelᵀ
    (eq-bptt-initial-state)     ∂L/∂a⟨0⟩ = ∂L/∂a⟨k−1⟩ at the first step

and, with a mask, (eq-bptt-mask-state) and (eq-bptt-mask-output): a masked step sends the
gradients of its carried state and repeated output back to the step before, untouched.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnn_playground._validation import as_real_array, check_activation_name, check_bool
from rnn_playground.activations import get_activation, get_activation_grad
from rnn_playground.layer import _check_params, _check_sequence, _check_state

__all__ = ["SimpleRNNGrads", "simple_rnn_backward"]


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
    _check_params(params)
    check_activation_name(activation)
    g = get_activation(activation)
    g_prime = get_activation_grad(activation)  # TypeError for a callable
    check_bool(return_sequences, "return_sequences")
    check_bool(go_backwards, "go_backwards")
    check_bool(zero_output_for_mask, "zero_output_for_mask")
    x, a0, m = _check_sequence(inputs, params, initial_state, mask)
    batch, steps, features = x.shape
    units = params.units
    dy = _check_output_grad(output_grad, return_sequences, batch, steps, params)
    if state_grad is None:
        d_state = np.zeros((batch, units), dtype=params.dtype)
    else:
        d_state = _check_state(state_grad, "state_grad", batch, params)

    kernel, recurrent_kernel, bias = params.kernel, params.recurrent_kernel, params.bias
    order = slice(None, None, -1) if go_backwards else slice(None)
    x_steps = np.ascontiguousarray(x.transpose(1, 0, 2)[order])  # (time, batch, features)
    mask_steps = None if m is None else np.ascontiguousarray(m.T[order])[:, :, None]

    # -- forward, keeping every state: states[k + 1] = a⟨k⟩, states[0] = a⟨0⟩
    n_rows = steps * batch  # time-major rows: all steps of all examples
    states = np.empty((steps + 1, batch, units), dtype=params.dtype)
    states[0] = a0
    # Input half of (eq-simple-rnn-step) for all steps in one matrix product
    input_part = x_steps.reshape(n_rows, features) @ kernel
    states[1:] = input_part.reshape(steps, batch, units)
    if bias is not None:
        states[1:] += bias
    recurrent = np.empty((batch, units), dtype=params.dtype)
    for k in range(steps):
        # (eq-simple-rnn-step)  a⟨k⟩ = g(x⟨k⟩ W_ax^T + b_a + a⟨k−1⟩ W_aa^T)
        np.matmul(states[k], recurrent_kernel, out=recurrent)
        states[k + 1] += recurrent
        g(states[k + 1], out=states[k + 1])
        if mask_steps is not None:
            # (eq-mask-state)  a⟨k⟩ = m⟨k⟩ ? a⟨k⟩ : a⟨k−1⟩
            np.copyto(states[k + 1], states[k], where=~mask_steps[k])

    # -- backward: one loop from the last processed step to the first
    # dz starts as g'(z⟨k⟩), from the outputs a⟨k⟩; the loop multiplies δ⟨k⟩
    # in (eq-bptt-activation). At a masked step states[k + 1] is the carried
    # state, but δ⟨k⟩ is zero there, so dz[k] is zero whatever g' is.
    dz = g_prime(states[1:])
    recurrent_kernel_t = np.ascontiguousarray(recurrent_kernel.T)
    delta = np.empty((batch, units), dtype=params.dtype)
    for k in reversed(range(steps)):
        # (eq-bptt-delta)  δ⟨k⟩ = ∂L/∂y⟨k⟩ + [W_aa^T dz⟨k+1⟩, or S at first]
        np.add(dy[k], d_state, out=delta)
        if mask_steps is not None:
            used = mask_steps[k]
            # (eq-bptt-mask-output)  a repeated output passes it back
            if not zero_output_for_mask and k > 0:
                dy[k - 1] += np.where(used, 0, dy[k])
            # (eq-bptt-mask-state)  a carried state passes it back
            carried = np.where(used, 0, d_state)
            np.copyto(delta, 0, where=~used)
        # (eq-bptt-activation)  dz⟨k⟩ = δ⟨k⟩ ⊙ g'(z⟨k⟩)
        dz[k] *= delta
        # (eq-bptt-state)  ∂L/∂a⟨k−1⟩ = W_aa^T dz⟨k⟩, in rows dz @ W_aa
        np.matmul(dz[k], recurrent_kernel_t, out=d_state)
        if mask_steps is not None:
            d_state += carried

    # -- the sums over time: one matrix product over all time·batch rows
    dz_rows = dz.reshape(n_rows, units)
    # (eq-bptt-kernel)  ∂L/∂kernel = Σ_k x⟨k⟩ᵀ dz⟨k⟩
    d_kernel = x_steps.reshape(n_rows, features).T @ dz_rows
    # (eq-bptt-recurrent-kernel)  ∂L/∂recurrent_kernel = Σ_k a⟨k−1⟩ᵀ dz⟨k⟩
    d_recurrent_kernel = states[:-1].reshape(n_rows, units).T @ dz_rows
    # (eq-bptt-bias)  ∂L/∂bias = Σ_k Σ_batch dz⟨k⟩
    d_bias = None if bias is None else dz_rows.sum(axis=0)
    # (eq-bptt-inputs)  ∂L/∂x⟨k⟩ = W_ax^T dz⟨k⟩, in rows dz @ kernelᵀ
    d_x_steps = (dz_rows @ kernel.T).reshape(steps, batch, features)
    # back to input order and batch-major (batch, time, features)
    d_inputs = np.ascontiguousarray(d_x_steps[order].transpose(1, 0, 2))
    # (eq-bptt-initial-state)  ∂L/∂a⟨0⟩ = W_aa^T dz⟨1⟩, from the first step
    d_initial_state = d_state
    return SimpleRNNGrads(
        d_inputs,
        d_initial_state,
        d_kernel,
        d_recurrent_kernel,
        d_bias,
    )


def _check_output_grad(output_grad, return_sequences, batch, steps, params):
    """``output_grad`` as a fresh time-major (time, batch, units) array, zero but at the end
    when only the last output is returned."""
    dy = as_real_array(output_grad, "output_grad", dtype=params.dtype)
    if return_sequences:
        expected, layout = (batch, steps, params.units), "(batch, time, units)"
    else:
        expected, layout = (batch, params.units), "(batch, units)"
    if dy.shape != expected:
        raise ValueError(
            f"output_grad must have the output's shape {layout} = {expected} "
            f"(return_sequences={return_sequences}), got {dy.shape}"
        )
    if return_sequences:
        return np.ascontiguousarray(dy.transpose(1, 0, 2))
    steps_grad = np.zeros((steps, batch, params.units), dtype=params.dtype)
    steps_grad[-1] = dy
    return steps_grad
