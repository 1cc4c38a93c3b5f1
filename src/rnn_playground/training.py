"""Training in NumPy, as the chapter "Training a small RNN in NumPy" does it: the adding
problem, a dense readout with a squared error, and Keras' Adam.

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
    check_adam,
    check_adding_problem,
    check_power_bases,
    check_readout,
    check_seed,
)

__all__ = ["ReadoutMSE", "adam_update", "adding_problem", "keras_power_bases", "readout_mse"]


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
