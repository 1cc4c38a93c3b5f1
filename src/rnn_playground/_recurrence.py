"""The time loop every cell shares, forward and backward, and each cell's step.

A cell is one step function plus its state layout, as in Keras' ``RNN`` base class: the
SimpleRNN and the GRU carry one state a⟨t⟩ (batch, units), the LSTM a pair (h⟨t⟩, c⟨t⟩).
Everything else is here, once: the processing order of ``go_backwards``, masking
(``eq-mask-state``, ``eq-mask-output``), the outputs of ``return_sequences`` and
``return_state``, and their gradients (``eq-bptt-mask-state``, ``eq-bptt-mask-output``).

Arrays are time-major and in processing order: step k reads input time k, or T−1−k with
``go_backwards`` (``_checks.prepare_sequence`` puts them so). ``mask_steps`` is (time, batch)
bool in the same order, True where a step is used, or None.
"""

from __future__ import annotations

import numpy as np


def new_states(initial_states, *, steps):
    """Buffers for :func:`run`: a (time + 1, batch, n) array per state, its [0] the initial
    state and the rest uninitialised (a step may find there what its caller puts there)."""
    states = []
    for initial in initial_states:
        buffer = np.empty((steps + 1, *initial.shape), dtype=initial.dtype)
        buffer[0] = initial
        states.append(buffer)
    return tuple(states)


def run(step, states, mask_steps):
    """Run ``step`` over every processing step, filling ``states``; carry them through masks.

    ``states`` is a tuple of arrays (time + 1, batch, n) from :func:`new_states`, one per
    state: ``(a,)`` for the SimpleRNN, ``(h, c)`` for the LSTM. ``states[i][0]`` is the
    initial state; ``step(k, previous, new)`` writes the states after step k into the views
    ``new`` (a tuple of the ``states[i][k + 1]``) from the views ``previous`` (of the
    ``states[i][k]``). It closes over whatever it precomputed, and it may find in ``new``
    whatever its caller put there (the SimpleRNN's input half). Returns ``states``.
    """
    carried = None if mask_steps is None else ~mask_steps[:, :, None]
    # views[k]: a (batch, n) view of each state after step k − 1
    views = list(zip(*states, strict=True))
    for k in range(len(views) - 1):
        step(k, views[k], views[k + 1])
        if carried is not None:
            for a_previous, a in zip(views[k], views[k + 1], strict=True):
                # (eq-mask-state)  a⟨k⟩ = m⟨k⟩ ? a⟨k⟩ : a⟨k−1⟩
                np.copyto(a, a_previous, where=carried[k])
    return states


def output_counts(mask_steps, *, zero_output_for_mask):
    """(time, batch) bool: where the output y⟨k⟩ is the carried state, not zero.

    Keras (``eq-mask-output``) outputs y⟨k⟩ at a real step and, at a masked one, zero with
    ``zero_output_for_mask``, else the previous output: the carried state once a real step
    has been seen, zero before (even when a⟨0⟩ is not zero).
    """
    if zero_output_for_mask:
        return mask_steps
    return np.logical_or.accumulate(mask_steps, axis=0)


def outputs(states, mask_steps, *, return_sequences, return_state, zero_output_for_mask):
    """What a Keras recurrent layer returns, from the states of :func:`run`, without a loop.

    The output is the first state (a⟨t⟩, or h⟨t⟩ for the LSTM): (batch, time, units) in
    processing order with ``return_sequences``, else the last step's (batch, units). With
    ``return_state`` the result is ``(output, *final_states)``. New arrays, never views.
    """
    output_steps = states[0][1:]  # (eq-simple-rnn-output)  y⟨k⟩ = a⟨k⟩
    # Copies (never np.ascontiguousarray: with batch 1 the transposed view is contiguous
    # already, it would be returned, and masking below would write into the states).
    output = output_steps.transpose(1, 0, 2).copy() if return_sequences else output_steps[-1].copy()
    if mask_steps is not None:
        counts = output_counts(mask_steps, zero_output_for_mask=zero_output_for_mask)
        # (eq-mask-output)  y⟨k⟩ = a⟨k⟩ where it counts, else 0
        if return_sequences:
            np.copyto(output, 0, where=~counts.T[:, :, None])
        else:
            np.copyto(output, 0, where=~counts[-1][:, None])
    if return_state:
        return (output, *(buffer[-1].copy() for buffer in states))
    return output


def backprop(
    step_backward, output_grad_steps, final_state_grads, mask_steps, *, zero_output_for_mask
):
    """The reverse loop over the steps: returns the gradients of the initial states (tuple).

    ``output_grad_steps`` (time, batch, units) is ∂L/∂y⟨k⟩ in processing order (zeros but at
    the last step when only the last output is returned); it is overwritten.
    ``final_state_grads`` is the tuple ∂L/∂(final states). ``step_backward(k, d_new,
    d_previous)`` receives ∂L/∂(states after step k) in ``d_new`` (zero in the rows where
    step k is masked) and writes ∂L/∂(states before step k), through the cell, into the
    buffers ``d_previous``; it keeps what the weight gradients need (ds⟨k⟩, say).
    """
    d_states = tuple(np.array(d, copy=True) for d in final_state_grads)
    d_new = tuple(np.empty_like(d) for d in d_states)
    if mask_steps is not None:
        counts = output_counts(mask_steps, zero_output_for_mask=zero_output_for_mask)
        # (eq-bptt-mask-output)  an output that repeats the carried state sends its gradient
        # to that state, and eq-bptt-mask-state below carries it back to the last real step
        np.copyto(output_grad_steps, 0, where=~counts[:, :, None])
        carried = ~mask_steps[:, :, None]
    for k in reversed(range(len(output_grad_steps))):
        # (eq-bptt-delta)  δ⟨k⟩ = ∂L/∂y⟨k⟩ + ∂L/∂a⟨k⟩ from the steps after k
        np.add(d_states[0], output_grad_steps[k], out=d_new[0])
        for d, d_state in zip(d_new[1:], d_states[1:], strict=True):
            d[...] = d_state
        if mask_steps is None:
            step_backward(k, d_new, d_states)
            continue
        d_cell = tuple(np.where(carried[k], 0, d) for d in d_new)
        step_backward(k, d_cell, d_states)
        for d_state, d in zip(d_states, d_new, strict=True):
            # (eq-bptt-mask-state)  a carried state passes its gradient back untouched
            np.copyto(d_state, d, where=carried[k])
    return d_states


def batch_major(steps_array, *, go_backwards):
    """(time, batch, ...) in processing order -> a new (batch, time, ...) in input order."""
    order = slice(None, None, -1) if go_backwards else slice(None)
    return np.ascontiguousarray(steps_array[order].swapaxes(0, 1))


# -- the SimpleRNN cell ------------------------------------------------------------------
def simple_rnn_input_half(x, params, *, out):
    """x⟨t⟩ W_ax^T + b_a for every row of ``x`` (..., features) at once, into ``out``: the
    half of ``eq-simple-rnn-step`` that does not wait for the previous state. One matrix
    product, (rows, features) @ (features, units), over all time·batch rows."""
    np.matmul(x.reshape(-1, x.shape[-1]), params.kernel, out=out.reshape(-1, out.shape[-1]))
    if params.bias is not None:
        out += params.bias
    return out


def simple_rnn_step(params, g, *, batch):
    """The SimpleRNN's step for :func:`run`: each new state a⟨k⟩ (batch, units) must already
    hold its input half (:func:`simple_rnn_input_half`); ``g`` is the activation's forward
    function. No allocation per step: the recurrent half goes into one reused buffer."""
    recurrent_kernel = params.recurrent_kernel
    recurrent = np.empty((batch, params.units), dtype=params.dtype)

    def step(k, previous, new):
        (a_previous,), (a,) = previous, new
        # (eq-simple-rnn-step)  a⟨t⟩ = g(x⟨t⟩ W_ax^T + b_a + a⟨t−1⟩ W_aa^T)
        np.matmul(a_previous, recurrent_kernel, out=recurrent)
        a += recurrent
        g(a, out=a)

    return step


def simple_rnn_states(x_steps, initial_states, mask_steps, params, g):
    """Every state of the SimpleRNN, a⟨0⟩ … a⟨T⟩ (time + 1, batch, units), in processing
    order: what ``simple_rnn`` returns its outputs from and ``simple_rnn_backward``
    differentiates. ``x_steps`` (time, batch, features) as ``prepare_sequence`` gives it."""
    states = new_states(initial_states, steps=len(x_steps))
    simple_rnn_input_half(x_steps, params, out=states[0][1:])  # written where the states go
    return run(simple_rnn_step(params, g, batch=len(initial_states[0])), states, mask_steps)


# -- the gated cells: GRU and LSTM -------------------------------------------------------
# The gates live gate-major: one (count, time, batch, units) array, so that each gate's block of
# each step, ``gates[j, k]``, is a contiguous (batch, units) array. Keras' arrays keep the blocks
# side by side in the columns ([z | r | h], [i | f | c | o]); a step on column blocks of a
# (batch, count·units) array would run every elementwise operation on strided views, which NumPy
# does 2 to 4 times slower than on contiguous ones (the chapter "Making it fast").
def gate_blocks(matrix, count):
    """The ``count`` column blocks of a Keras weight ``matrix`` (rows, count·units) as one view
    (count, rows, units): block j is ``matrix[:, j·units:(j+1)·units]``."""
    rows, columns = matrix.shape
    return matrix.reshape(rows, count, columns // count).transpose(1, 0, 2)


def keras_columns(gates):
    """Gate-major gates (count, time, batch, units) -> a new (time, batch, count·units)
    array with the blocks side by side, as Keras' ``kernel`` columns order them."""
    count, steps, batch, units = gates.shape
    return gates.transpose(1, 2, 0, 3).reshape(steps, batch, count * units)


def gates_input_half(x, kernel, bias, *, out):
    """x⟨t⟩ @ kernel + bias for every row of ``x`` (time, batch, features) at once, into the
    gate-major ``out`` (count, time, batch, units): the part of every gate that does not wait
    for the previous state. One matrix product per gate block over all time·batch rows."""
    count, *_, units = out.shape
    rows = x.reshape(-1, x.shape[-1])
    np.matmul(rows, gate_blocks(kernel, count), out=out.reshape(count, -1, units))
    if bias is not None:
        out += bias.reshape(count, 1, 1, units)
    return out


def recurrent_blocks(recurrent_kernel, count):
    """``recurrent_kernel`` (units, count·units) as a new C-order (count, units, units): the
    step's products h U_j then read contiguous matrices (OpenBLAS takes up to 1.5 times as
    long for these small products when the right-hand side is a strided view)."""
    return np.ascontiguousarray(gate_blocks(recurrent_kernel, count))


def gru_input_bias(params):
    """The bias added to the input half of the GRU's gates, (3·units,) or None.

    Without ``reset_after`` it is ``bias``. With it, the bias has two rows, b for the input
    product and b' for the recurrent one; b'_z and b'_r are only ever added to the same sums
    as b_z and b_r, so they are added once here, and only b'_h, which the reset gate
    multiplies, stays in the step.
    """
    if params.bias is None or not params.reset_after:
        return params.bias
    bias = params.bias[0].copy()
    bias[: 2 * params.units] += params.bias[1, : 2 * params.units]
    return bias


def gru_step(params, gates, activation, recurrent_activation, *, batch):
    """The GRU's step for :func:`run`, in Keras' form (``GRUCell``, implementation 2).

    ``gates`` (3, time, batch, units), gate-major, must hold the input half of every step,
    x⟨k⟩ W + b for the blocks z, r and h (:func:`gates_input_half` with
    :func:`gru_input_bias`). Step k turns ``gates[:, k]`` into that step's gate values
    z, r and h̃, in place, and writes the new state h⟨k⟩. ``activation`` (g, tanh by default)
    and ``recurrent_activation`` (σ) are forward functions of ``activations``. No
    allocation per step: the recurrent products go into buffers made once, here.
    """
    units, reset_after = params.units, params.reset_after
    if reset_after:  # h U for the three blocks; b'_h stays with the h block's product
        recurrent_kernel = recurrent_blocks(params.recurrent_kernel, 3)
        recurrent_bias = None if params.bias is None else params.bias[1, 2 * units :]
    else:  # h U for z and r; the h block waits for r ⊙ h
        recurrent_kernel = recurrent_blocks(params.recurrent_kernel[:, : 2 * units], 2)
        recurrent_kernel_h = np.ascontiguousarray(params.recurrent_kernel[:, 2 * units :])
        reset_state = np.empty((batch, units), dtype=params.dtype)
    recurrent = np.empty((3, batch, units), dtype=params.dtype)

    def step(k, previous, new):
        (h_previous,), (h,) = previous, new
        z, r, candidate = gates[:, k]  # x W + b so far, each (batch, units)
        recurrent_z, recurrent_r, recurrent_h = recurrent
        np.matmul(h_previous, recurrent_kernel, out=recurrent[: len(recurrent_kernel)])
        # (eq-gru-update)  z = σ(x W_z + h U_z + b_z)   (b_z: both rows with reset_after)
        z += recurrent_z
        recurrent_activation(z, out=z)
        # (eq-gru-reset)  r = σ(x W_r + h U_r + b_r)
        r += recurrent_r
        recurrent_activation(r, out=r)
        if reset_after:
            if recurrent_bias is not None:
                recurrent_h += recurrent_bias
            # (eq-gru-candidate)  h̃ = g(x W_h + b_h + r ⊙ (h U_h + b'_h)): reset after U_h
            recurrent_h *= r
        else:
            # (eq-gru-candidate-before)  h̃ = g(x W_h + b_h + (r ⊙ h) U_h): reset before U_h
            np.multiply(r, h_previous, out=reset_state)
            np.matmul(reset_state, recurrent_kernel_h, out=recurrent_h)
        candidate += recurrent_h
        activation(candidate, out=candidate)
        # (eq-gru-state)  h⟨k⟩ = z ⊙ h⟨k−1⟩ + (1 − z) ⊙ h̃, as h̃ + z ⊙ (h⟨k−1⟩ − h̃)
        np.subtract(h_previous, candidate, out=h)
        h *= z
        h += candidate

    return step


def gru_states(x_steps, initial_states, mask_steps, params, activation, recurrent_activation):
    """Every state of the GRU and every gate value, in processing order.

    Returns ``(states, gates)``: ``states`` is ``(h,)``, h⟨0⟩ … h⟨T⟩ (time + 1, batch,
    units), as in :func:`simple_rnn_states`; ``gates`` (3, time, batch, units), gate-major,
    holds the update gate, the reset gate and the candidate h̃ of every step
    (:func:`keras_columns` puts them side by side as Keras' [z | r | h] columns). With the
    states, that is all backpropagation needs of the forward pass: the one value it does not
    keep, the recurrent part of the candidate h⟨k−1⟩ U_h + b'_h (with ``reset_after``), is
    one matrix product over every step of ``states[0][:-1]``, the state each step read. At a
    masked step the gates hold what the cell computed from the carried state.
    """
    steps, batch, _ = x_steps.shape
    states = new_states(initial_states, steps=steps)
    gates = np.empty((3, steps, batch, params.units), dtype=params.dtype)
    gates_input_half(x_steps, params.kernel, gru_input_bias(params), out=gates)
    step = gru_step(params, gates, activation, recurrent_activation, batch=batch)
    return run(step, states, mask_steps), gates


def lstm_step(params, gates, activation, recurrent_activation, *, batch):
    """The LSTM's step for :func:`run`, in Keras' form (``LSTMCell``, implementation 2).

    ``gates`` (4, time, batch, units), gate-major, must hold the input half of every step,
    x⟨k⟩ W + b for the blocks i, f, c and o (:func:`gates_input_half`). Step k turns
    ``gates[:, k]`` into that step's gate values i, f, c̃ and o, in place, and writes the new
    states h⟨k⟩ and c⟨k⟩. ``activation`` (g, tanh by default, used for c̃ and for the state)
    and ``recurrent_activation`` (σ) are forward functions of ``activations``. No allocation
    per step: the recurrent products go into a buffer made once, here.
    """
    recurrent_kernel = recurrent_blocks(params.recurrent_kernel, 4)
    recurrent = np.empty((4, batch, params.units), dtype=params.dtype)
    written = np.empty((batch, params.units), dtype=params.dtype)

    def step(k, previous, new):
        (h_previous, c_previous), (h, c) = previous, new
        step_gates = gates[:, k]
        i, f, candidate, o = step_gates  # each (batch, units)
        np.matmul(h_previous, recurrent_kernel, out=recurrent)
        step_gates += recurrent  # x W + b + h U, the four blocks at once
        # (eq-lstm-gates)  i, f, o = σ(x W + h U + b) in the blocks i, f and o
        recurrent_activation(i, out=i)
        recurrent_activation(f, out=f)
        recurrent_activation(o, out=o)
        # (eq-lstm-candidate)  c̃ = g(x W_c + h U_c + b_c)
        activation(candidate, out=candidate)
        # (eq-lstm-cell)  c⟨k⟩ = f ⊙ c⟨k−1⟩ + i ⊙ c̃
        np.multiply(f, c_previous, out=c)
        np.multiply(i, candidate, out=written)
        c += written
        # (eq-lstm-state)  h⟨k⟩ = o ⊙ g(c⟨k⟩)
        activation(c, out=h)
        h *= o

    return step


def lstm_states(x_steps, initial_states, mask_steps, params, activation, recurrent_activation):
    """Every state of the LSTM and every gate value, in processing order.

    Returns ``(states, gates)``: ``states`` is ``(h, c)``, two (time + 1, batch, units)
    arrays, h⟨0⟩ … h⟨T⟩ and c⟨0⟩ … c⟨T⟩; ``gates`` (4, time, batch, units), gate-major,
    holds the input gate, the forget gate, the candidate c̃ and the output gate of every step
    (:func:`keras_columns` puts them side by side as Keras' [i | f | c | o] columns). With
    the states, that is all backpropagation needs of the forward pass: g(c⟨k⟩) is one
    elementwise call on ``states[1][1:]`` (where the steps are not masked: at a masked step
    the gates hold what the cell computed from the carried states, and the states hold the
    carried ones).
    """
    steps, batch, _ = x_steps.shape
    states = new_states(initial_states, steps=steps)
    gates = np.empty((4, steps, batch, params.units), dtype=params.dtype)
    gates_input_half(x_steps, params.kernel, params.bias, out=gates)
    step = lstm_step(params, gates, activation, recurrent_activation, batch=batch)
    return run(step, states, mask_steps), gates
