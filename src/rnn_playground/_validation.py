"""Checks at the public boundary: loud, specific errors before any arithmetic.

Every public function converts its array arguments with :func:`as_real_array`
and checks shapes with the helpers here, so a caller sees a ``TypeError`` or
``ValueError`` that names the argument and the shapes involved, never a NumPy
broadcasting error from deep inside a loop.
"""

from __future__ import annotations

import numbers

import numpy as np

FLOAT_DTYPES = (np.dtype("float16"), np.dtype("float32"), np.dtype("float64"))


def as_real_array(value, name: str, *, dtype=None) -> np.ndarray:
    """Return ``value`` as a new real NumPy array (never a view of the caller's data).

    Integer and boolean arrays are accepted and cast to ``dtype`` (or float32 when
    ``dtype`` is None, Keras' default float type). ``None``, strings, objects and
    complex numbers are rejected with a ``TypeError`` naming ``name``.
    """
    if value is None:
        raise TypeError(f"{name} must be a real array, got None")
    if isinstance(value, str | bytes):
        raise TypeError(f"{name} must be a real array, got a string: {value!r:.40}")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested lists, for example
        raise TypeError(f"{name} must be a real array; could not convert it: {error}") from None
    kind = array.dtype.kind
    if kind == "c":
        raise TypeError(f"{name} must be real, got complex dtype {array.dtype}")
    if kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array, got dtype {array.dtype}")
    if dtype is None:
        dtype = array.dtype if kind == "f" else np.dtype("float32")
    # np.array copies: the caller's array is never aliased, so never modified.
    return np.array(array, dtype=dtype, copy=True)


def check_rank(array: np.ndarray, rank: int, name: str, layout: str) -> None:
    """Raise ``ValueError`` unless ``array.ndim == rank``; ``layout`` describes the axes."""
    if array.ndim != rank:
        raise ValueError(
            f"{name} must have {_dimensions(rank)} {layout}, got shape {array.shape} "
            f"({_dimensions(array.ndim)})"
        )


def _dimensions(count: int) -> str:
    return f"{count} dimension" + ("" if count == 1 else "s")


def check_activation_name(activation) -> None:
    from rnn_playground.activations import ACTIVATIONS

    if activation is None or callable(activation):
        return
    if not isinstance(activation, str):
        raise TypeError(
            f"activation must be one of {sorted(ACTIVATIONS)}, None or a callable, "
            f"got {type(activation).__name__}"
        )
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)} or None, got {activation!r}"
        )


def check_bool(value, name: str) -> None:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")


def check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)
