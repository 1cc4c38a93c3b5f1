"""The weights of a SimpleRNN cell, in Keras' layout.

Keras stores row-vector weights, so one step is ``x @ kernel + a @ recurrent_kernel + bias``.
In the column-vector notation of the book (and of the CS230 cheatsheet) that is
``W_ax x + W_aa a + b_a`` with

==================  =====================  ======================  ===================
symbol              Keras weight           shape                   PyTorch ``nn.RNN``
==================  =====================  ======================  ===================
W_ax                ``kernel.T``           (units, input_dim)      ``weight_ih_l0``
W_aa                ``recurrent_kernel.T`` (units, units)          ``weight_hh_l0``
b_a                 ``bias``               (units,)                ``bias_ih_l0 + bias_hh_l0``
==================  =====================  ======================  ===================

See the chapter "The SimpleRNN cell" (notation table) in the book.
"""

from __future__ import annotations

import numpy as np

from rnn_playground._checks import (
    check_bool,
    check_float_dtype,
    check_keras_weights,
    check_positive_int,
    check_simple_rnn_weights,
    import_keras,
    keras_cell_of,
)

__all__ = ["SimpleRNNParams"]


class _RecurrentParams:
    """Immutable, read-only weights of a recurrent cell in Keras' layout: what every cell's
    parameters share. A subclass checks and converts its three arrays in ``_check_weights``
    (a static method returning new arrays of one float dtype, the bias possibly None)."""

    __slots__ = ("_bias", "_kernel", "_recurrent_kernel")

    def __init__(self, kernel, recurrent_kernel, bias=None):
        kernel, recurrent_kernel, bias = self._check_weights(kernel, recurrent_kernel, bias)

        def frozen(array):
            if array is None:
                return None
            array.flags.writeable = False
            # A view of a read-only array: its WRITEABLE flag cannot be switched back on.
            return array.view()

        object.__setattr__(self, "_kernel", frozen(kernel))
        object.__setattr__(self, "_recurrent_kernel", frozen(recurrent_kernel))
        object.__setattr__(self, "_bias", frozen(bias))

    def __setattr__(self, name, value):
        raise AttributeError(
            f"{type(self).__name__} is immutable: cannot set {name!r}; build a new one instead"
        )

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name!r}")

    # -- the three arrays and what follows from them ---------------------------------
    @property
    def kernel(self) -> np.ndarray:
        """(input_dim, units), read-only: W_ax transposed."""
        return self._kernel

    @property
    def recurrent_kernel(self) -> np.ndarray:
        """(units, units), read-only: W_aa transposed."""
        return self._recurrent_kernel

    @property
    def bias(self) -> np.ndarray | None:
        """(units,), read-only, or None: b_a."""
        return self._bias

    @property
    def input_dim(self) -> int:
        """Number of input features D."""
        return self._kernel.shape[0]

    @property
    def units(self) -> int:
        """Number of units H (the size of the state a⟨t⟩)."""
        return self._recurrent_kernel.shape[0]

    @property
    def dtype(self) -> np.dtype:
        """The floating dtype of the weights, and of every result computed with them."""
        return self._kernel.dtype

    def _arrays(self):
        return self._kernel, self._recurrent_kernel, self._bias

    def astype(self, dtype):
        """A copy with every weight cast to ``dtype`` (for example "float64")."""
        dtype = check_float_dtype(dtype)
        return type(self)(*(None if a is None else a.astype(dtype) for a in self._arrays()))

    def __repr__(self) -> str:
        bias = "None" if self._bias is None else f"{self._bias.shape}"
        return (
            f"{type(self).__name__}(input_dim={self.input_dim}, units={self.units}, "
            f"dtype={self.dtype}, bias={bias})"
        )

    def __reduce__(self):  # pickling (immutability blocks the default path)
        return (type(self), self._arrays())


class SimpleRNNParams(_RecurrentParams):
    """Immutable SimpleRNN weights in Keras layout.

    The arrays are copied and made read-only. Their common floating dtype becomes the
    dtype of every computation with these parameters (float32 parameters give float32
    results, as a float32 Keras layer does); integer weights are cast to float32.

    Parameters
    ----------
    kernel : array_like, shape (input_dim, units)
        Input weights, W_ax transposed.
    recurrent_kernel : array_like, shape (units, units)
        Recurrent weights, W_aa transposed.
    bias : array_like, shape (units,), or None
        b_a, or None for a layer built with ``use_bias=False``.

    Raises
    ------
    TypeError
        For None, strings, objects or complex numbers in place of an array.
    ValueError
        For wrong ranks or shapes that do not fit together.
    """

    __slots__ = ()
    _check_weights = staticmethod(check_simple_rnn_weights)

    # -- Keras' default initialisers in NumPy --------------------------------------
    @classmethod
    def init(
        cls, input_dim, units, *, use_bias=True, seed=None, dtype="float32"
    ) -> SimpleRNNParams:
        """New weights drawn like a fresh ``keras.layers.SimpleRNN(units)``.

        ``kernel`` ~ glorot_uniform: U(-l, l) with l = sqrt(6 / (input_dim + units));
        ``recurrent_kernel`` ~ orthogonal: Q of the QR decomposition of a standard normal
        matrix, with the signs of R's diagonal folded in (so Q is uniformly distributed);
        ``bias`` = zeros. The same ``seed`` gives the same weights (NumPy's
        ``default_rng``; the numbers are not those Keras would draw for that seed).
        """
        input_dim = check_positive_int(input_dim, "input_dim")
        units = check_positive_int(units, "units")
        check_bool(use_bias, "use_bias")
        dtype = check_float_dtype(dtype)
        rng = np.random.default_rng(seed)

        limit = np.sqrt(6.0 / (input_dim + units))
        kernel = rng.uniform(-limit, limit, size=(input_dim, units))

        q, r = np.linalg.qr(rng.standard_normal((units, units)))
        recurrent_kernel = q * np.sign(np.diag(r))  # Keras: q *= sign(diag(r))

        bias = np.zeros(units) if use_bias else None
        params = cls(kernel, recurrent_kernel, bias)
        return params.astype(dtype)

    # -- to and from Keras ----------------------------------------------------------
    @classmethod
    def from_keras(cls, obj) -> SimpleRNNParams:
        """Copy the weights out of a built Keras SimpleRNN.

        ``obj`` is a ``keras.layers.SimpleRNN``, a ``keras.layers.SimpleRNNCell`` or a
        ``keras.layers.RNN`` that wraps a SimpleRNNCell. The result holds copies: changing
        the Keras variables later does not change it. The activation is not a weight, so
        pass ``activation=cell.activation`` yourself if it is not tanh.
        """
        keras = import_keras("SimpleRNNParams.from_keras")
        cell = keras_cell_of(obj, "obj", keras.layers.SimpleRNNCell)
        kernel = np.array(cell.kernel.numpy(), copy=True)
        recurrent_kernel = np.array(cell.recurrent_kernel.numpy(), copy=True)
        bias = np.array(cell.bias.numpy(), copy=True) if cell.use_bias else None
        return cls(kernel, recurrent_kernel, bias)

    def to_keras(self, obj) -> None:
        """Write these weights into a built Keras SimpleRNN, SimpleRNNCell or RNN(SimpleRNNCell).

        The shapes and ``use_bias`` must match; values are cast to the layer's dtype.
        """
        keras = import_keras("SimpleRNNParams.to_keras")
        cell = keras_cell_of(obj, "obj", keras.layers.SimpleRNNCell)
        kernel, recurrent_kernel, bias = self._arrays()
        check_keras_weights(
            cell, "obj", kernel=kernel, recurrent_kernel=recurrent_kernel, bias=bias
        )
        cell.kernel.assign(self._kernel.astype(cell.kernel.dtype))
        cell.recurrent_kernel.assign(self._recurrent_kernel.astype(cell.recurrent_kernel.dtype))
        if cell.use_bias:
            cell.bias.assign(self._bias.astype(cell.bias.dtype))
