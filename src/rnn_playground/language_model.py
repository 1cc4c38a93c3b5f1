"""A character-level language model for any of the package's three cells, as the chapter
"A character-level language model" trains it: a softmax readout on every step, its
cross-entropy and gradients, one chunk of truncated backpropagation through time, and the
training loop that carries the state from chunk to chunk.

The readout turns every output of the recurrent layer into logits ℓ⟨t⟩ = a⟨t⟩ W_y + b_y (in
Keras' row layout: ``W_y`` is the kernel of ``keras.layers.Dense(vocab)``) and the loss is the
cross-entropy of the next character, summed over the steps of a chunk and averaged over the
batch (``eq-charlm-loss``): what ``tf.nn.sparse_softmax_cross_entropy_with_logits`` summed
and divided by the batch size gives. Each line that computes an equation of the chapter
carries its label. Plain NumPy; nothing here imports Keras.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnn_playground._checks import as_real_array
from rnn_playground.backward import gru_backward, lstm_backward, simple_rnn_backward
from rnn_playground.forward import gru, gru_cell, lstm, lstm_cell, simple_rnn, simple_rnn_cell
from rnn_playground.params import GRUParams, LSTMParams, SimpleRNNParams
from rnn_playground.training import adam_update

__all__ = [
    "ChunkGrads",
    "SoftmaxReadout",
    "chunk_loss_and_grads",
    "log_softmax",
    "sample",
    "softmax_readout",
    "streams",
    "train_truncated",
]

_CELLS = {
    SimpleRNNParams: (simple_rnn, simple_rnn_backward, simple_rnn_cell),
    GRUParams: (gru, gru_backward, gru_cell),
    LSTMParams: (lstm, lstm_backward, lstm_cell),
}


def _cell_functions(params):
    if type(params) not in _CELLS:
        raise TypeError(
            "params must be a SimpleRNNParams, GRUParams or LSTMParams, "
            f"got {type(params).__name__}"
        )
    return _CELLS[type(params)]


def _targets(targets, shape, name="targets"):
    """Integer class indices of the given shape, in [0, vocab)."""
    array = np.asarray(targets)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integer character indices, got dtype {array.dtype}")
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (batch, time), got {array.shape}")
    return array


def log_softmax(logits):
    """ln softmax(ℓ) over the last axis, computed stably (the largest logit subtracted
    first). ``logits``: (..., vocab); returns a new array of the same shape."""
    logits = as_real_array(logits, "logits")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class SoftmaxReadout(NamedTuple):
    """What :func:`softmax_readout` returns: the loss and its gradients, each of the shape
    of what it is the gradient of."""

    loss: float
    """L, summed over the steps and averaged over the batch (eq-charlm-loss)."""
    outputs: np.ndarray
    """∂L/∂a⟨t⟩, (batch, time, units): the ``output_grad`` of the layer (eq-charlm-output-grad)."""
    kernel: np.ndarray
    """∂L/∂W_y, (units, vocab)."""
    bias: np.ndarray
    """∂L/∂b_y, (vocab,)."""


def softmax_readout(outputs, kernel, bias, targets):
    """A dense softmax readout on every step, its cross-entropy and the gradients.

    ``eq-charlm-readout``: ℓ⟨t⟩ = a⟨t⟩ W_y + b_y and y⟨t⟩ = softmax(ℓ⟨t⟩);
    ``eq-charlm-loss``: L = −(1/B) Σ_b Σ_t ln y⟨t⟩ at the index of the next character;
    ``eq-charlm-logits-grad`` to ``eq-charlm-output-grad``: its gradients, by hand.

    Parameters
    ----------
    outputs : array_like, shape (batch, time, units)
        a⟨1⟩ … a⟨T⟩, the layer's outputs with ``return_sequences=True``.
    kernel : array_like, shape (units, vocab)
        W_y, the kernel of ``keras.layers.Dense(vocab)``.
    bias : array_like, shape (vocab,)
        b_y.
    targets : array_like of int, shape (batch, time)
        The index of the next character at every step (the index of x⟨t+1⟩'s one).

    Returns
    -------
    SoftmaxReadout
        ``(loss, outputs, kernel, bias)``: L and ∂L/∂a⟨t⟩, ∂L/∂W_y, ∂L/∂b_y, new arrays.
    """
    a = as_real_array(outputs, "outputs")
    w_y = as_real_array(kernel, "kernel")
    b_y = as_real_array(bias, "bias")
    if a.ndim != 3:
        raise ValueError(f"outputs must be (batch, time, units), got shape {a.shape}")
    if w_y.ndim != 2 or w_y.shape[0] != a.shape[2]:
        raise ValueError(
            f"kernel must be (units, vocab) = ({a.shape[2]}, vocab) for outputs of shape "
            f"{a.shape}, got {w_y.shape}"
        )
    if b_y.shape != (w_y.shape[1],):
        raise ValueError(f"bias must have shape ({w_y.shape[1]},) (vocab,), got {b_y.shape}")
    y_index = _targets(targets, a.shape[:2])
    vocab = w_y.shape[1]
    if y_index.size and (y_index.min() < 0 or y_index.max() >= vocab):
        raise ValueError(f"targets must lie in [0, {vocab}) (vocab), got {y_index.min()}..")
    batch, _, units = a.shape
    # (eq-charlm-readout)  ℓ⟨t⟩ = a⟨t⟩ W_y + b_y, and ln y⟨t⟩ = ln softmax(ℓ⟨t⟩)
    log_y = log_softmax(a @ w_y + b_y)
    # (eq-charlm-loss)  L = −(1/B) Σ_b Σ_t ln y⟨t⟩ at the next character
    loss = -np.take_along_axis(log_y, y_index[..., None], axis=-1).sum() / batch
    # (eq-charlm-logits-grad)  ∂L/∂ℓ⟨t⟩ = (y⟨t⟩ − x⟨t+1⟩) / B
    d_logits = np.exp(log_y)
    np.put_along_axis(
        d_logits,
        y_index[..., None],
        np.take_along_axis(d_logits, y_index[..., None], axis=-1) - 1,
        axis=-1,
    )
    d_logits /= batch
    # (eq-charlm-readout-grad)  sums over the steps and the batch
    d_kernel = a.reshape(-1, units).T @ d_logits.reshape(-1, vocab)
    d_bias = d_logits.sum(axis=(0, 1))
    # (eq-charlm-output-grad)  ∂L/∂a⟨t⟩ = ∂L/∂ℓ⟨t⟩ W_yᵀ, at every step
    return SoftmaxReadout(float(loss), d_logits @ w_y.T, d_kernel, d_bias)


class ChunkGrads(NamedTuple):
    """What :func:`chunk_loss_and_grads` returns."""

    loss: float
    """L of the chunk (eq-charlm-loss)."""
    grads: list
    """[∂L/∂kernel, ∂L/∂recurrent_kernel, ∂L/∂bias, ∂L/∂W_y, ∂L/∂b_y]."""
    final_state: np.ndarray | tuple
    """The state after the chunk's last step, (batch, units); the pair (h, c) for the LSTM."""


def chunk_loss_and_grads(params, readout_kernel, readout_bias, inputs, targets, initial_state):
    """The loss of one chunk and its gradients: the recurrent layer with
    ``return_sequences=True`` from a carried state, the softmax readout on every step, and
    backpropagation through the chunk's steps only (the carried state is a constant).

    Parameters
    ----------
    params : SimpleRNNParams, GRUParams or LSTMParams
    readout_kernel : array_like, shape (units, vocab)
    readout_bias : array_like, shape (vocab,)
    inputs : array_like, shape (batch, time, features)
        The one-hot vectors x⟨1⟩ … x⟨T⟩.
    targets : array_like of int, shape (batch, time)
        The index of the next character at every step.
    initial_state : array_like (batch, units), or for the LSTM a pair (h, c) of them
        The state carried from the previous chunk.

    Returns
    -------
    ChunkGrads
        ``(loss, grads, final_state)``.
    """
    forward, backward, _ = _cell_functions(params)
    x = as_real_array(inputs, "inputs", dtype=params.dtype)
    if x.ndim != 3:
        raise ValueError(f"inputs must be (batch, time, features), got shape {x.shape}")
    _targets(targets, x.shape[:2])
    outputs, *final_state = forward(
        x, params, initial_state=initial_state, return_sequences=True, return_state=True
    )
    readout = softmax_readout(outputs, readout_kernel, readout_bias, targets)
    # (eq-bptt-loss) with G⟨t⟩ = ∂L/∂a⟨t⟩ at every step, back to the chunk's first step
    grads = backward(x, params, readout.outputs, initial_state=initial_state, return_sequences=True)
    return ChunkGrads(
        readout.loss,
        [grads.kernel, grads.recurrent_kernel, grads.bias, readout.kernel, readout.bias],
        final_state[0] if len(final_state) == 1 else tuple(final_state),
    )


def streams(data, batch):
    """Cut a text of character indices into ``batch`` equal consecutive streams, one per row
    of a batch, each one character longer than its share (for the last target).

    ``data``: (characters,) of int; returns (batch, (characters − 1) // batch + 1), new.
    """
    data = np.asarray(data)
    if data.ndim != 1 or data.dtype.kind not in "iu":
        raise ValueError(f"data must be a 1-D array of character indices, got {data.shape}")
    if not isinstance(batch, int) or batch < 1 or (len(data) - 1) // batch < 1:
        raise ValueError(f"batch must be an int in [1, {len(data) - 1}], got {batch!r}")
    length = (len(data) - 1) // batch
    return np.stack([data[b * length : (b + 1) * length + 1] for b in range(batch)])


def _zero_state(params, batch):
    zeros = np.zeros((batch, params.units), dtype=params.dtype)
    return (zeros, zeros.copy()) if isinstance(params, LSTMParams) else zeros


def train_truncated(
    params,
    readout_kernel,
    readout_bias,
    data,
    *,
    vocab,
    batch,
    chunk,
    steps,
    learning_rate,
    callback=None,
):
    """Train a character-level model with truncated BPTT and Keras' Adam.

    The text is cut into ``batch`` streams (:func:`streams`); training step k = 1, 2, ...
    reads chunk k of every stream, ``chunk`` characters, from the final state of chunk k − 1
    (zeros at the start of every pass over the streams, an epoch), and applies one step of
    Adam (:func:`rnn_playground.training.adam_update`) to the recurrent weights and the
    readout. The inputs are the one-hot vectors of the characters, the targets the next
    characters.

    Parameters
    ----------
    params : SimpleRNNParams, GRUParams or LSTMParams
        The initial weights (input_dim = ``vocab``); not modified.
    readout_kernel, readout_bias : array_like, (units, vocab) and (vocab,)
    data : array_like of int, shape (characters,)
    vocab, batch, chunk, steps : int
    learning_rate : float
    callback : callable, optional
        Called as ``callback(k, params, readout_kernel, readout_bias)`` after step k.

    Returns
    -------
    params, readout_kernel, readout_bias, losses
        The trained weights (new) and the loss of every step, (steps,), in nats per chunk.
    """
    _cell_functions(params)
    for name, value in (("vocab", vocab), ("chunk", chunk), ("steps", steps)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if params.bias is None:
        raise ValueError("params must have a bias (use_bias=True): Adam trains all three weights")
    if params.input_dim != vocab:
        raise ValueError(f"params.input_dim must equal vocab = {vocab}, got {params.input_dim}")
    text = streams(data, batch)
    per_epoch = (text.shape[1] - 1) // chunk
    if per_epoch < 1:
        raise ValueError(f"chunk = {chunk} is longer than a stream ({text.shape[1] - 1})")
    one_hot = np.eye(vocab, dtype=params.dtype)
    options = {"reset_after": params.reset_after} if isinstance(params, GRUParams) else {}
    weights = [*params._arrays(), np.array(readout_kernel), np.array(readout_bias)]
    m = [np.zeros_like(w) for w in weights]
    v = [np.zeros_like(w) for w in weights]
    losses = np.empty(steps)
    for k in range(1, steps + 1):
        start = ((k - 1) % per_epoch) * chunk
        if start == 0:  # a new epoch: the streams start again, from zeros
            state = _zero_state(params, batch)
        inputs = text[:, start : start + chunk]
        targets = text[:, start + 1 : start + chunk + 1]
        result = chunk_loss_and_grads(
            params, weights[3], weights[4], one_hot[inputs], targets, state
        )
        weights, m, v = adam_update(weights, result.grads, m, v, k, learning_rate=learning_rate)
        params = type(params)(*weights[:3], **options)
        state, losses[k - 1] = result.final_state, result.loss
        if callback is not None:
            callback(k, params, weights[3], weights[4])
    return params, weights[3], weights[4], losses


def sample(params, readout_kernel, readout_bias, prime, length, *, temperature=1.0, rng=None):
    """Read ``prime`` many to one, then write ``length`` characters one to many: at each step
    draw the next character from softmax(ℓ⟨t⟩ / τ) (eq-charlm-temperature) and feed its
    one-hot vector back as the next input.

    Parameters
    ----------
    params : SimpleRNNParams, GRUParams or LSTMParams
    readout_kernel, readout_bias : array_like, (units, vocab) and (vocab,)
    prime : array_like of int, shape (time,)
        The indices of the characters read first (at least one).
    length : int
    temperature : float
        τ > 0.
    rng : numpy.random.Generator, int or None

    Returns
    -------
    ndarray of int, shape (length,)
        The indices of the characters drawn.
    """
    forward, _, cell = _cell_functions(params)
    prime = np.asarray(prime)
    if prime.ndim != 1 or prime.dtype.kind not in "iu" or len(prime) < 1:
        raise ValueError(f"prime must be a non-empty 1-D array of indices, got {prime.shape}")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    rng = np.random.default_rng(rng)
    w_y, b_y = np.asarray(readout_kernel), np.asarray(readout_bias)
    one_hot = np.eye(params.input_dim, dtype=params.dtype)
    # many to one: read the prime, keep the state (the pair (h, c) for the LSTM)
    output, *state = forward(one_hot[prime][None], params, return_state=True)
    state = tuple(state) if len(state) == 2 else state[0]
    drawn = np.empty(length, dtype=int)
    for t in range(length):
        # (eq-charlm-readout), divided by τ: (eq-charlm-temperature)
        logits = (output @ w_y + b_y)[0] / temperature
        p = np.exp(logits - logits.max())
        drawn[t] = rng.choice(len(p), p=p / p.sum())
        # one to many: the character drawn is the next input
        state = cell(one_hot[drawn[t : t + 1]], state, params)
        output = state[0] if isinstance(state, tuple) else state
    return drawn
