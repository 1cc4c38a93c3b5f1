"""The activations g of the recurrence, and the derivatives that backpropagation needs.

``ACTIVATIONS`` maps a Keras activation name to an :class:`Activation`, the pair
``(forward, grad_from_output)``: the derivative is written in terms of the activation's
*output* a = g(z), which is what the forward pass keeps (for tanh, g'(z) = 1 - a², see the
chapter "Backpropagation through time", equation ``eq-bptt-activation``).
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
    """g(z) = 1 / (1 + exp(-z)), written so that no exp() overflows for large |z|."""
    z = np.asarray(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    positive = z >= 0
    result = np.where(positive, 1 / (1 + e), e / (1 + e)).astype(z.dtype, copy=False)
    if out is None:
        return result
    out[...] = result
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


def get_activation(activation) -> Activation:
    """The :class:`Activation` for a Keras name, None (the identity) or a callable g.

    A callable has no known derivative: its ``grad_from_output`` is None (the backward pass
    refuses a callable before it gets here). Checked by ``_checks.check_activation``.
    """
    if activation is None:
        return ACTIVATIONS["linear"]
    if callable(activation):
        return Activation(_wrap_callable(activation), None)
    return ACTIVATIONS[activation]


def _wrap_callable(function):
    from rnn_playground._checks import check_activation_result  # it imports this module

    def apply(z, out=None):
        result = np.asarray(function(z))
        check_activation_result(result, z)
        if out is None:
            return result.astype(np.asarray(z).dtype, copy=False)
        out[...] = result
        return out

    return apply
