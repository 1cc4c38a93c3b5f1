"""The activations g of the recurrence, and the derivatives that backpropagation needs.

``ACTIVATIONS`` maps a Keras activation name to an :class:`Activation`, the pair
``(forward, grad_from_output)``: the derivative is written in terms of the activation's
*output* a = g(z), which is what the forward pass keeps (for tanh, g'(z) = 1 - a², see the
chapter "Backpropagation through time", equation ``eq-bptt-activation``).
``RECURRENT_ACTIVATIONS`` adds what the gates of the GRU and the LSTM may also use (their
``recurrent_activation``): Keras 3's ``hard_sigmoid``.

Each forward function works in place when given ``out`` (which may be its input): the
recurrent loops call them once per step on buffers they reuse, so that no step allocates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


def tanh(z, out=None):
    """g(z) = tanh(z), Keras' default activation."""
    return np.tanh(z, out=out)


def relu(z, out=None):
    """g(z) = max(z, 0)."""
    return np.maximum(z, 0, out=out)


def sigmoid(z, out=None):
    """g(z) = 1 / (1 + exp(-z)), with no temporary array.

    For z below about −88 (float32) or −709 (float64), exp(−z) overflows to inf, silently,
    and the result is 0: the true value is below the smallest normal number of the dtype.
    Everywhere else the result is within a few units in the last place of σ(z), also where
    σ(z) is tiny (the gradient of a saturated gate is computed from it).
    """
    z = np.asarray(z)
    if out is None:
        out = np.empty_like(z, dtype=np.result_type(z.dtype, np.float16))
    with np.errstate(over="ignore"):
        # −z as z · (−1): NumPy 2.4's np.negative, in place, reads the wrong elements of some
        # strided views (a (batch, 1) block of a float32 (batch, 4) array, as an LSTM with
        # units = 1 has); np.multiply does not.
        np.multiply(z, -1, out=out)
        np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


def hard_sigmoid(z, out=None):
    """g(z) = relu6(z + 3) / 6 = min(max(z + 3, 0), 6) / 6: Keras 3's ``hard_sigmoid``
    (Keras 2 used max(0, min(1, 0.2 z + 0.5)), another function)."""
    out = np.add(z, 3, out=out)
    np.clip(out, 0, 6, out=out)
    out /= 6
    return out


def linear(z, out=None):
    """g(z) = z (Keras' "linear", also what ``activation=None`` means)."""
    if out is None:
        return np.array(z, copy=True)
    if out is not z:
        out[...] = z
    return out


def tanh_grad(a):
    """g'(z) for tanh, from a = tanh(z): 1 - a²."""
    return 1 - a * a


def relu_grad(a):
    """g'(z) for relu, from a = relu(z): 1 where a > 0, else 0 (Keras/TF use 0 at z = 0)."""
    return (a > 0).astype(a.dtype)


def sigmoid_grad(a):
    """g'(z) for the sigmoid, from a = σ(z): a (1 - a)."""
    return a * (1 - a)


def hard_sigmoid_grad(a):
    """g'(z) for hard_sigmoid, from a = g(z): 1/6 where 0 < a < 1 (−3 < z < 3), else 0 (TF's
    relu6 has gradient 0 at both corners)."""
    return np.where((a > 0) & (a < 1), 1 / 6, 0).astype(a.dtype)


def linear_grad(a):
    """g'(z) = 1 for the identity."""
    return np.ones_like(a)


class Activation(NamedTuple):
    """An activation g and its derivative, both applied elementwise."""

    forward: Callable
    """g(z, out=None): the activation, in place into ``out`` when given."""
    grad_from_output: Callable
    """g'(z) written as a function of the output a = g(z)."""


ACTIVATIONS = {
    "tanh": Activation(tanh, tanh_grad),
    "relu": Activation(relu, relu_grad),
    "sigmoid": Activation(sigmoid, sigmoid_grad),
    "linear": Activation(linear, linear_grad),
}
"""What ``activation`` may name (and None, the identity, or a callable)."""

RECURRENT_ACTIVATIONS = {**ACTIVATIONS, "hard_sigmoid": Activation(hard_sigmoid, hard_sigmoid_grad)}
"""What the ``recurrent_activation`` of a GRU or an LSTM may name: every activation, and
``hard_sigmoid``."""


def get_activation(activation, name: str = "activation") -> Activation:
    """The :class:`Activation` for a Keras name (of ``RECURRENT_ACTIVATIONS``), None (the
    identity) or a callable g; ``name`` is the argument it came from, for the messages.

    A callable has no known derivative: its ``grad_from_output`` is None (the backward pass
    refuses a callable before it gets here). Checked by ``_checks.check_activation``, which
    also decides which names an argument may take; what a callable returns is checked here,
    at every call (this module imports nothing of the package: ``_checks`` depends on it).
    """
    if activation is None:
        return ACTIVATIONS["linear"]
    if callable(activation):
        return Activation(_wrap_callable(activation, name), None)
    return RECURRENT_ACTIVATIONS[activation]


def _wrap_callable(function, name):
    """g(z, out=None) for a user's ``function``, which must return a real array (or array
    like) of z's shape: a ``TypeError`` or ``ValueError`` naming ``name`` otherwise (never a
    ComplexWarning with the imaginary part dropped)."""

    def apply(z, out=None):
        result = _real_result(function(z), np.shape(z), name)
        if out is None:
            return result.astype(np.asarray(z).dtype, copy=False)
        out[...] = result
        return out

    return apply


def _real_result(value, shape, name) -> np.ndarray:
    """What a callable activation returned, as a real array of ``shape``."""
    described = f"{name} (a callable) must return a real array of its input's shape {shape}"
    if isinstance(value, str | bytes):
        raise TypeError(f"{described}, got a string: {value!r:.40}")
    try:
        result = np.asarray(value)
    except (ValueError, TypeError, OverflowError) as error:
        raise TypeError(f"{described}; could not convert what it returned: {error}") from None
    if result.dtype.kind not in "biuf":
        raise TypeError(f"{described}, got dtype {result.dtype}")
    if result.shape != shape:
        raise ValueError(f"{described}, got shape {result.shape}")
    return result
