"""One step of the SimpleRNN cell, and the whole sequence with every Keras layer option.

The equations live in the book; each line below that computes one carries its label,
so a reader can go from ``{eq}`eq-simple-rnn-step``` on a page to the line here and back.

Row-vector (Keras) form of the recurrence, for inputs x⟨t⟩ (batch, features) and
state a⟨t⟩ (batch, units)::

    (eq-simple-rnn-step)    a⟨t⟩ = g(x⟨t⟩ W_ax^T + a⟨t−1⟩ W_aa^T + b_a)
                                 = g(x⟨t⟩ @ kernel + a⟨t−1⟩ @ recurrent_kernel + bias)
    (eq-simple-rnn-output)  y⟨t⟩ = a⟨t⟩
"""

from __future__ import annotations

import numpy as np

from rnn_playground._validation import as_real_array, check_activation_name, check_bool, check_rank
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
    _check_params(params)
    check_activation_name(activation)
    x = as_real_array(inputs, "inputs", dtype=params.dtype)
    check_rank(x, 2, "inputs", "(batch, input_dim)")
    if x.shape[1] != params.input_dim:
        raise ValueError(
            f"inputs has {x.shape[1]} features (shape {x.shape}) but kernel expects "
            f"input_dim = {params.input_dim} (kernel shape {params.kernel.shape})"
        )
    a_prev = _check_state(state, "state", x.shape[0], params)
    g = get_activation(activation)

    # (eq-simple-rnn-step)  a⟨t⟩ = g(x⟨t⟩ W_ax^T + b_a + a⟨t−1⟩ W_aa^T), in Keras' order of sums
    z = x @ params.kernel
    if params.bias is not None:
        z += params.bias
    z += a_prev @ params.recurrent_kernel
    return g(z, out=z)


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
    _check_params(params)
    check_activation_name(activation)
    check_bool(return_sequences, "return_sequences")
    check_bool(return_state, "return_state")
    check_bool(go_backwards, "go_backwards")
    check_bool(zero_output_for_mask, "zero_output_for_mask")
    x, a, m = _check_sequence(inputs, params, initial_state, mask)
    batch, steps, features = x.shape
    g = get_activation(activation)

    # Processing order and time-major layout: step k reads x_steps[k], a contiguous (batch,
    # features) block. With go_backwards, step k is input time T-1-k.
    order = slice(None, None, -1) if go_backwards else slice(None)
    x_steps = np.ascontiguousarray(x.transpose(1, 0, 2)[order])
    mask_steps = None if m is None else np.ascontiguousarray(m.T[order])

    # (eq-simple-rnn-step), input half for all steps in one matrix product:
    # z[k] = x⟨k⟩ W_ax^T + b_a, shape (time, batch, units). The loop then adds the recurrent
    # half and applies g in place, so z ends up holding the outputs y⟨k⟩.
    z = (x_steps.reshape(steps * batch, features) @ params.kernel).reshape(steps, batch, -1)
    if params.bias is not None:
        z += params.bias
    recurrent = np.empty((batch, params.units), dtype=params.dtype)

    for k in range(steps):
        y = z[k]
        # (eq-simple-rnn-step)  y⟨k⟩ = a⟨k⟩ = g(x⟨k⟩ W_ax^T + b_a + a⟨k−1⟩ W_aa^T)
        np.matmul(a, params.recurrent_kernel, out=recurrent)
        y += recurrent
        g(y, out=y)
        if mask_steps is None:
            a = y
            continue
        used = mask_steps[k][:, None]
        # (eq-mask-state)  a⟨k⟩ = m⟨k⟩ ? a⟨k⟩ : a⟨k−1⟩
        a = np.where(used, y, a)
        # (eq-mask-output)  y⟨k⟩ = m⟨k⟩ ? y⟨k⟩ : (0 if zero_output_for_mask or k = 0 else y⟨k−1⟩)
        previous = 0 if (zero_output_for_mask or k == 0) else z[k - 1]
        np.copyto(y, np.where(used, y, previous))

    output = np.ascontiguousarray(z.transpose(1, 0, 2)) if return_sequences else z[-1].copy()
    if return_state:
        return output, np.array(a, copy=True)
    return output


# -- checks shared by the public functions ----------------------------------------------
def _check_params(params):
    if not isinstance(params, SimpleRNNParams):
        raise TypeError(
            f"params must be a SimpleRNNParams, got {type(params).__name__}; build one with "
            "SimpleRNNParams(kernel, recurrent_kernel, bias), .init(...) or .from_keras(layer)"
        )


def _check_sequence(inputs, params, initial_state, mask):
    """Check what ``simple_rnn`` and ``simple_rnn_backward`` both read.

    Returns new arrays: the inputs (batch, time, features) in ``params.dtype``, the initial
    state a⟨0⟩ (batch, units), zeros when omitted, and the mask (batch, time) or None.
    """
    x = as_real_array(inputs, "inputs", dtype=params.dtype)
    check_rank(x, 3, "inputs", "(batch, time, features)")
    batch, steps, features = x.shape
    if steps == 0:
        raise ValueError(f"inputs must have at least one time step, got shape {x.shape}")
    if features != params.input_dim:
        raise ValueError(
            f"inputs has {features} features (shape {x.shape}) but kernel expects "
            f"input_dim = {params.input_dim} (kernel shape {params.kernel.shape})"
        )
    if initial_state is None:
        a0 = np.zeros((batch, params.units), dtype=params.dtype)
    else:
        a0 = _check_state(_unwrap_state_list(initial_state), "initial_state", batch, params)
    m = None if mask is None else _check_mask(mask, batch, steps)
    return x, a0, m


def _unwrap_state_list(state):
    """Keras accepts ``initial_state=[a0]`` as well as ``a0``."""
    if isinstance(state, list | tuple) and len(state) == 1 and np.ndim(state[0]) == 2:
        return state[0]
    return state


def _check_state(state, name, batch, params):
    a = as_real_array(state, name, dtype=params.dtype)
    check_rank(a, 2, name, "(batch, units)")
    if a.shape != (batch, params.units):
        raise ValueError(
            f"{name} must have shape (batch, units) = ({batch}, {params.units}), got {a.shape}"
        )
    return a


def _check_mask(mask, batch, steps):
    if mask is None or isinstance(mask, str | bytes):
        raise TypeError(f"mask must be a boolean array of shape (batch, time), got {mask!r:.40}")
    m = np.asarray(mask)
    if m.dtype.kind == "b":
        pass
    elif m.dtype.kind in "iu" and np.isin(m, (0, 1)).all():
        m = m.astype(bool)
    else:
        raise TypeError(
            f"mask must be boolean (or integers 0/1), got dtype {m.dtype}"
            + (" with values other than 0 and 1" if m.dtype.kind in "iu" else "")
        )
    if m.shape != (batch, steps):
        raise ValueError(
            f"mask must have shape (batch, time) = ({batch}, {steps}) to match inputs, "
            f"got {m.shape}"
        )
    return np.array(m, copy=True)
