"""The activations g of the recurrence, and the derivatives that backpropagation needs.

Each entry maps a Keras activation name to ``(g, g_prime_from_output)``: the
derivative is written in terms of the activation's *output* a = g(z), which is
what the forward pass keeps (for tanh, g'(z) = 1 - a², see the chapter
"Backpropagation through time", equation ``eq-bptt-activation``).
"""

from __future__ import annotations

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


ACTIVATIONS = {
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "linear": (linear, linear_grad),
}


def get_activation(activation):
    """Return the forward function g for a Keras name, None (identity) or a callable."""
    if activation is None:
        return linear
    if callable(activation):
        return _wrap_callable(activation)
    return ACTIVATIONS[activation][0]


def get_activation_grad(activation):
    """Return g' (as a function of the output) for a Keras name or None.

    A callable has no known derivative, so backpropagation refuses it with a TypeError.
    """
    if activation is None:
        return linear_grad
    if callable(activation):
        raise TypeError(
            "activation: a callable is accepted for the forward pass only; the backward pass "
            f"needs one of {sorted(ACTIVATIONS)} or None"
        )
    return ACTIVATIONS[activation][1]


def _wrap_callable(function):
    def apply(z, out=None):
        result = np.asarray(function(z))
        if result.shape != np.shape(z):
            raise ValueError(
                f"activation callable must keep the shape of its input: got {result.shape} "
                f"from an input of shape {np.shape(z)}"
            )
        if out is None:
            return result.astype(np.asarray(z).dtype, copy=False)
        out[...] = result
        return out

    return apply
