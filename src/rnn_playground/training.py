"""Training in NumPy, as the chapter "Training a small RNN in NumPy" does it: the adding
problem, a dense readout with a squared error, and Keras' Adam; and, for the chapter "Why
gates", several networks of one cell packed into one block-diagonal layer that trains them all
at once.

The chapters "Training a small RNN in NumPy" and "Why gates: learning long dependencies"
train recurrent networks with these and track Keras' own training to float64 rounding. Each
line that computes an equation of the training chapter carries its label
(``eq-train-model``, ``eq-train-readout-grad``, ``eq-train-adam``). Plain NumPy; nothing
here imports Keras.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnn_playground._checks import (
    as_real_array,
    check_adam,
    check_adding_problem,
    check_positive_int,
    check_power_bases,
    check_readout,
    check_seed,
)
from rnn_playground.params import GRUParams, LSTMParams, SimpleRNNParams

__all__ = [
    "PackedNetworks",
    "ReadoutMSE",
    "adam_update",
    "adding_problem",
    "keras_power_bases",
    "pack_networks",
    "packed_readout_mse",
    "readout_mse",
    "unpack_networks",
]


def adding_problem(n, steps, rng=None):
    """``n`` sequences of the adding problem, and their targets.

    Each sequence has ``steps`` steps of two features: a value u⟨t⟩ uniform in [0, 1) and a
    marker that is 1 at exactly two different steps, every pair of steps equally likely
    (``rng.choice`` without replacement), and 0 elsewhere. The target is the sum of the two
    marked values (Hochreiter and Schmidhuber 1997, in the form of Le, Jaitly and Hinton
    2015).

    Parameters
    ----------
    n : int
        Number of sequences, at least 1.
    steps : int
        Number of time steps T, at least 2.
    rng : numpy.random.Generator, int or None
        Where the numbers come from: a generator (advanced by the call, so that two calls
        give different sequences) or a seed for ``numpy.random.default_rng``.

    Returns
    -------
    inputs : ndarray, shape (n, steps, 2), float64
        ``inputs[..., 0]`` the values, ``inputs[..., 1]`` the markers.
    targets : ndarray, shape (n, 1), float64
    """
    n, steps = check_adding_problem(n, steps)
    rng = check_seed(rng, "rng")
    values = rng.uniform(size=(n, steps))
    markers = np.zeros((n, steps))
    for i in range(n):
        markers[i, rng.choice(steps, size=2, replace=False)] = 1.0
    targets = np.sum(values * markers, axis=1, keepdims=True)
    return np.stack([values, markers], axis=-1), targets


class ReadoutMSE(NamedTuple):
    """What :func:`readout_mse` returns: the loss L and its gradients, each of the shape of
    what it is the gradient of."""

    loss: float
    """L, the mean squared error (eq-train-model)."""
    state: np.ndarray
    """∂L/∂A⟨T⟩, (batch, units): the ``output_grad`` of the recurrent layer's backward pass."""
    kernel: np.ndarray
    """∂L/∂W_y, (units, outputs)."""
    bias: np.ndarray
    """∂L/∂b_y, (outputs,)."""


def readout_mse(state, kernel, bias, targets):
    """A dense readout of the final state, its mean squared error and the gradients.

    ``eq-train-model``: Ŷ = A⟨T⟩ W_y + b_y and L = the mean of (Ŷ − Y)² over every entry,
    as ``tf.reduce_mean((model(x) - y) ** 2)``; ``eq-train-readout-grad``: its gradients,
    by hand.

    Parameters
    ----------
    state : array_like, shape (batch, units)
        A⟨T⟩, what the recurrent layer returned.
    kernel : array_like, shape (units, outputs)
        W_y, the kernel of ``keras.layers.Dense(outputs)``.
    bias : array_like, shape (outputs,)
        b_y.
    targets : array_like, shape (batch, outputs)
        Y.

    Returns
    -------
    ReadoutMSE
        ``(loss, state, kernel, bias)``: L and ∂L/∂A⟨T⟩, ∂L/∂W_y, ∂L/∂b_y, new arrays.
    """
    a_last, w_y, b_y, y = check_readout(state, kernel, bias, targets)
    # (eq-train-model)  Ŷ = A⟨T⟩ W_y + b_y,  L = mean((Ŷ − Y)²)
    y_hat = a_last @ w_y + b_y
    loss = np.mean((y_hat - y) ** 2)
    # (eq-train-readout-grad)  ∂L/∂Ŷ = 2 (Ŷ − Y) / B  (B·outputs entries in the mean)
    d_y_hat = 2 * (y_hat - y) / y_hat.size
    # (eq-train-readout-grad)  ∂L/∂W_y = A⟨T⟩ᵀ ∂L/∂Ŷ,  ∂L/∂b_y = Σᵢ ∂L/∂Ŷᵢ
    d_w_y = a_last.T @ d_y_hat
    d_b_y = d_y_hat.sum(axis=0)
    # (eq-train-readout-grad)  ∂L/∂A⟨T⟩ = ∂L/∂Ŷ W_yᵀ
    d_a_last = d_y_hat @ w_y.T
    return ReadoutMSE(float(loss), d_a_last, d_w_y, d_b_y)


def keras_power_bases(beta_1=0.9, beta_2=0.999):
    """The numbers whose k-th powers Keras' Adam computes: β₁ and β₂ rounded to float32.

    ``keras.optimizers.Adam`` computes β^k as ``ops.power(ops.cast(beta, dtype), k)``, and
    the cast of a Python float first makes it a float32 tensor: 0.9 becomes
    0.89999997615814... even when the weights are float64.
    """
    beta_1, beta_2 = check_power_bases((beta_1, beta_2), names=("beta_1", "beta_2"))
    return float(np.float32(beta_1)), float(np.float32(beta_2))


def adam_update(
    weights,
    grads,
    m,
    v,
    k,
    *,
    learning_rate=0.001,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-7,
    power_bases=None,
):
    """Step ``k`` = 1, 2, ... of Adam as ``keras.optimizers.Adam`` computes it
    (``eq-train-adam``): new weights and new moment estimates.

    Like Keras, ε is added to √v (not to the bias-corrected √v̂ of Kingma and Ba) and the
    bias correction goes into the step size α_k. Keras keeps the learning rate in a float32
    variable, so ``learning_rate`` is rounded to float32 here too (2⁻⁷ stays exact, 0.001
    does not), and computes β^k from float32-rounded βs (:func:`keras_power_bases`).
    The arithmetic is done in the weights' common float dtype; in float64 the result
    follows ``keras.optimizers.Adam`` on float64 variables to float64 rounding.

    Parameters
    ----------
    weights, grads, m, v : sequences of arrays
        The weights w, their gradients g, and Adam's first and second moments m and v (zeros
        before step 1), one array of the same shape per weight.
    k : int
        The step, 1 for the first.
    learning_rate, beta_1, beta_2, epsilon : float
        η, β₁, β₂ and ε; the defaults are Keras'.
    power_bases : pair of floats, or None
        The (β₁, β₂) whose k-th powers make α_k; None for Keras' float32-rounded βs.

    Returns
    -------
    weights, m, v : lists of new arrays
        The inputs are not modified.
    """
    weights, grads, m, v, k = check_adam(
        weights, grads, m, v, k, learning_rate, beta_1, beta_2, epsilon
    )
    power_bases = check_power_bases(power_bases)
    if power_bases is None:
        power_bases = keras_power_bases(beta_1, beta_2)
    beta_1_base, beta_2_base = power_bases
    eta = float(np.float32(learning_rate))  # Keras' float32 learning-rate variable
    # (eq-train-adam)  α_k = η √(1 − β₂ᵏ) / (1 − β₁ᵏ), in the weights' dtype
    alpha = weights[0].dtype.type(eta * np.sqrt(1 - beta_2_base**k) / (1 - beta_1_base**k))
    new_weights, new_m, new_v = [], [], []
    for w, g, m_w, v_w in zip(weights, grads, m, v, strict=True):
        # (eq-train-adam)  m ← m + (1 − β₁)(g − m),  v ← v + (1 − β₂)(g² − v)
        m_w = m_w + (g - m_w) * (1 - beta_1)
        v_w = v_w + (g * g - v_w) * (1 - beta_2)
        # (eq-train-adam)  w ← w − α_k m / (√v + ε)
        new_weights.append(w - m_w * alpha / (np.sqrt(v_w) + epsilon))
        new_m.append(m_w)
        new_v.append(v_w)
    return new_weights, new_m, new_v


# -- many networks in one layer -------------------------------------------------------------
_PARAM_CLASSES = (SimpleRNNParams, GRUParams, LSTMParams)


class PackedNetworks(NamedTuple):
    """What :func:`pack_networks` returns: one layer that holds ``count`` networks.

    Network i reads input features ``i·D .. (i+1)·D − 1`` (D = its ``input_dim``), and its
    ``H`` units are columns ``j·count·H + i·H + u`` of gate block j (one block for the
    SimpleRNN, [z | r | h] for the GRU, [i | f | c | o] for the LSTM) and rows ``i·H + u`` of
    the recurrent kernel. Every weight outside the networks' blocks is zero.
    """

    params: SimpleRNNParams | GRUParams | LSTMParams
    """The packed layer: ``input_dim`` = count·D, ``units`` = count·H."""
    kernel_mask: np.ndarray
    """(count·D, blocks·count·H), 1.0 on the networks' blocks of ``kernel``, 0.0 elsewhere."""
    recurrent_mask: np.ndarray
    """(count·H, blocks·count·H), the same for ``recurrent_kernel``."""
    count: int
    """The number of networks."""


def _check_networks(networks):
    """A non-empty list or tuple of weights of one cell, all of one shape, dtype and form."""
    if isinstance(networks, np.ndarray | str | bytes) or not isinstance(networks, list | tuple):
        raise TypeError(
            f"networks must be a list or tuple of SimpleRNNParams, GRUParams or LSTMParams, "
            f"got {type(networks).__name__}"
        )
    if not networks:
        raise ValueError("networks must hold at least one network, got an empty sequence")
    first = networks[0]
    if type(first) not in _PARAM_CLASSES:
        raise TypeError(
            f"networks[0] must be a SimpleRNNParams, GRUParams or LSTMParams, got "
            f"{type(first).__name__}"
        )
    for i, params in enumerate(networks):
        if type(params) is not type(first):
            raise TypeError(
                f"networks must all be of one cell: networks[0] is a {type(first).__name__}, "
                f"networks[{i}] a {type(params).__name__}"
            )
        mine = (params.input_dim, params.units, params.dtype, params.bias is None)
        theirs = (first.input_dim, first.units, first.dtype, first.bias is None)
        if mine != theirs or getattr(params, "reset_after", None) != getattr(
            first, "reset_after", None
        ):
            raise ValueError(
                f"networks must all have the same input_dim, units, dtype and bias: networks[0] "
                f"is {first!r}, networks[{i}] is {params!r}"
            )
    return list(networks)


def _blocks(params):
    return params.kernel.shape[1] // params.units


def _columns(blocks, count, units, i):
    """The packed columns of network i, gate block by gate block."""
    return np.arange(blocks * count * units).reshape(blocks, count, units)[:, i].ravel()


def pack_networks(networks):
    """Several networks of one cell as one layer with block-diagonal weights.

    Each network reads only its own input features and its own units, so a forward pass of
    the packed layer on the networks' inputs side by side, ``(batch, time, count·D)``, gives
    every network's output side by side, ``(batch, [time,] count·H)``; and a backward pass
    with every network's output gradient side by side gives each network's gradients in its
    blocks. The weights outside the blocks get gradients too (they are zero, but a gradient
    can flow across); multiply ``kernel`` and ``recurrent_kernel`` gradients by the masks
    before an update. With the masked gradients, an element-wise optimiser (SGD, Adam) keeps
    the off-block weights at exactly zero and trains each network as it would train alone:
    many small networks then cost one Python loop over time instead of one each.

    Parameters
    ----------
    networks : list or tuple of SimpleRNNParams, GRUParams or LSTMParams
        At least one; all of one class, ``input_dim``, ``units``, dtype and bias form
        (``use_bias``, the GRU's ``reset_after``).

    Returns
    -------
    PackedNetworks
        ``(params, kernel_mask, recurrent_mask, count)``, new arrays; the masks have the
        dtype of the weights. :func:`unpack_networks` gives the networks back.

    Raises
    ------
    TypeError
        For anything but a list or tuple of the package's weights of one cell.
    ValueError
        For an empty list, or networks of different shapes, dtypes or bias forms.
    """
    networks = _check_networks(networks)
    first, count = networks[0], len(networks)
    d, h, blocks = first.input_dim, first.units, _blocks(first)
    kernel = np.zeros((count * d, blocks * count * h), first.dtype)
    recurrent_kernel = np.zeros((count * h, blocks * count * h), first.dtype)
    kernel_mask, recurrent_mask = np.zeros_like(kernel), np.zeros_like(recurrent_kernel)
    bias = None
    if first.bias is not None:
        bias = np.zeros((*first.bias.shape[:-1], blocks * count * h), first.dtype)
    for i, params in enumerate(networks):
        mine = _columns(blocks, count, h, i)
        rows_x, rows_h = slice(i * d, (i + 1) * d), slice(i * h, (i + 1) * h)
        kernel[rows_x, mine] = params.kernel
        recurrent_kernel[rows_h, mine] = params.recurrent_kernel
        kernel_mask[rows_x, mine] = 1
        recurrent_mask[rows_h, mine] = 1
        if bias is not None:
            bias[..., mine] = params.bias
    options = {"reset_after": first.reset_after} if isinstance(first, GRUParams) else {}
    packed = type(first)(kernel, recurrent_kernel, bias, **options)
    return PackedNetworks(packed, kernel_mask, recurrent_mask, count)


def unpack_networks(params, count):
    """The ``count`` networks of a layer packed by :func:`pack_networks`, as new weights.

    Only the networks' blocks are read: weights outside them are ignored.

    Parameters
    ----------
    params : SimpleRNNParams, GRUParams or LSTMParams
        The packed layer, ``input_dim`` = count·D and ``units`` = count·H.
    count : int
        The number of networks in it.

    Returns
    -------
    list of ``count`` weights of the class of ``params``, each of D inputs and H units.

    Raises
    ------
    TypeError
        For weights that are not the package's, or a ``count`` that is not an integer.
    ValueError
        For a ``count`` below 1 or one that does not divide ``input_dim`` and ``units``.
    """
    if type(params) not in _PARAM_CLASSES:
        raise TypeError(
            f"params must be a SimpleRNNParams, GRUParams or LSTMParams, got "
            f"{type(params).__name__}"
        )
    count = check_positive_int(count, "count")
    if params.units % count or params.input_dim % count:
        raise ValueError(
            f"count must divide the packed layer's units and input_dim, got count={count} for "
            f"units={params.units}, input_dim={params.input_dim}"
        )
    d, h, blocks = params.input_dim // count, params.units // count, _blocks(params)
    options = {"reset_after": params.reset_after} if isinstance(params, GRUParams) else {}
    networks = []
    for i in range(count):
        mine = _columns(blocks, count, h, i)
        rows_x, rows_h = slice(i * d, (i + 1) * d), slice(i * h, (i + 1) * h)
        bias = None if params.bias is None else params.bias[..., mine]
        networks.append(
            type(params)(
                params.kernel[rows_x][:, mine],
                params.recurrent_kernel[rows_h][:, mine],
                bias,
                **options,
            )
        )
    return networks


def packed_readout_mse(state, kernels, biases, targets):
    """:func:`readout_mse` for every network of a packed layer: each reads its own units.

    Parameters
    ----------
    state : array_like, shape (batch, count·units)
        The packed layer's final state, the networks' A⟨T⟩ side by side.
    kernels, biases, targets : lists or tuples of ``count`` arrays
        Network i's readout W_y (units, outputs), b_y (outputs,) and its targets
        (batch, outputs).

    Returns
    -------
    list of ReadoutMSE
        One per network; ``np.concatenate([r.state for r in result], axis=1)`` is the
        packed layer's ``output_grad``.

    Raises
    ------
    TypeError, ValueError
        For lists of different lengths, a state whose width is not a multiple of their
        length, or shapes that :func:`readout_mse` refuses.
    """
    lists = {"kernels": kernels, "biases": biases, "targets": targets}
    for name, value in lists.items():
        if isinstance(value, np.ndarray | str | bytes) or not isinstance(value, list | tuple):
            raise TypeError(
                f"{name} must be a list or tuple of arrays (one per network), got "
                f"{type(value).__name__}"
            )
    counts = {name: len(value) for name, value in lists.items()}
    count = counts["kernels"]
    if len(set(counts.values())) != 1 or count == 0:
        raise ValueError(
            f"kernels, biases and targets must hold one array per network, got {counts}"
        )
    state = as_real_array(state, "state", copy=False)
    if state.ndim != 2 or state.shape[1] % count:
        raise ValueError(
            f"state must have shape (batch, count·units) with count = {count} networks, got "
            f"shape {state.shape}"
        )
    h = state.shape[1] // count
    results = []
    for i in range(count):
        try:
            results.append(
                readout_mse(state[:, i * h : (i + 1) * h], kernels[i], biases[i], targets[i])
            )
        except (TypeError, ValueError) as error:  # name the list entries, not readout_mse's
            message = f"network {i} (kernels[{i}], biases[{i}], targets[{i}]): {error}"
            raise type(error)(message) from None
    return results
