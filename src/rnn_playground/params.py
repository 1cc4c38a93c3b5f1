"""The weights of the SimpleRNN, GRU and LSTM cells, in Keras' layout.

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

See the chapter "The SimpleRNN cell" (notation table) in the book. The GRU and the LSTM keep
one block of ``units`` columns per gate, side by side, in Keras' order: :class:`GRUParams`
``[z | r | h]``, :class:`LSTMParams` ``[i | f | c | o]`` (``rnn_playground.torch_layout``
converts to and from PyTorch's order and layout).
"""

from __future__ import annotations

import numpy as np

from rnn_playground._checks import (
    check_bool,
    check_float_dtype,
    check_gru_weights,
    check_init,
    check_keras_cast,
    check_keras_weights,
    check_lstm_weights,
    check_simple_rnn_weights,
    import_keras,
    keras_cell_of,
)

__all__ = ["GRUParams", "LSTMParams", "SimpleRNNParams"]


def frozen(array):
    """A read-only copy of ``array`` (None stays None): an array over an immutable bytes object,
    so neither it nor any array it is a view of (its .base) can be made writeable again, as an
    array that owns its memory could."""
    if array is None:
        return None
    data = np.frombuffer(np.ascontiguousarray(array).tobytes(), dtype=array.dtype)
    return data.reshape(array.shape)


class _RecurrentParams:
    """Immutable, read-only weights of a recurrent cell in Keras' layout: what every cell's
    parameters share. A subclass checks and converts its three arrays in ``_check_weights``
    (returning new arrays of one float dtype, the bias possibly None), names the Keras cell
    it mirrors in ``_keras_cell`` and lists in ``_options`` the keyword arguments of its
    constructor besides the arrays (the GRU's ``reset_after``)."""

    __slots__ = ("_bias", "_kernel", "_recurrent_kernel")
    _keras_cell = ""  # "SimpleRNNCell", "GRUCell", "LSTMCell"

    def __init__(self, kernel, recurrent_kernel, bias=None):
        kernel, recurrent_kernel, bias = self._check_weights(kernel, recurrent_kernel, bias)

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
    # The docstrings of kernel, recurrent_kernel and bias are each subclass' (_documented).
    def _get_kernel(self) -> np.ndarray:
        return self._kernel

    def _get_recurrent_kernel(self) -> np.ndarray:
        return self._recurrent_kernel

    def _get_bias(self) -> np.ndarray | None:
        return self._bias

    @property
    def input_dim(self) -> int:
        """Number of input features D."""
        return self._kernel.shape[0]

    @property
    def units(self) -> int:
        """Number of units H, the size of the state (of h⟨t⟩ and of c⟨t⟩ for the LSTM)."""
        return self._recurrent_kernel.shape[0]

    @property
    def dtype(self) -> np.dtype:
        """The floating dtype of the weights, and of every result computed with them."""
        return self._kernel.dtype

    def _arrays(self):
        return self._kernel, self._recurrent_kernel, self._bias

    def _options(self) -> dict:
        return {}

    def astype(self, dtype):
        """A copy with every weight cast to ``dtype``: "float16", "float32" or "float64"
        (None, which NumPy would read as float64, is refused)."""
        dtype = check_float_dtype(dtype)
        arrays = (None if a is None else a.astype(dtype) for a in self._arrays())
        return type(self)(*arrays, **self._options())

    def __repr__(self) -> str:
        bias = "None" if self._bias is None else f"{self._bias.shape}"
        options = "".join(f", {name}={value!r}" for name, value in self._options().items())
        return (
            f"{type(self).__name__}(input_dim={self.input_dim}, units={self.units}, "
            f"dtype={self.dtype}, bias={bias}{options})"
        )

    def __reduce__(self):  # pickling (immutability blocks the default path)
        return (_rebuild, (type(self), self._arrays(), self._options()))

    # -- to and from Keras ----------------------------------------------------------
    @classmethod
    def _from_keras_cell(cls, obj, needed_by):
        """Copies of the weights of the built Keras cell in ``obj``, and the cell."""
        keras = import_keras(needed_by)
        cell = keras_cell_of(obj, "obj", getattr(keras.layers, cls._keras_cell))
        kernel = np.array(cell.kernel.numpy(), copy=True)
        recurrent_kernel = np.array(cell.recurrent_kernel.numpy(), copy=True)
        bias = np.array(cell.bias.numpy(), copy=True) if cell.use_bias else None
        return (kernel, recurrent_kernel, bias), cell

    def _to_keras_cell(self, obj, needed_by) -> None:
        keras = import_keras(needed_by)
        cell = keras_cell_of(obj, "obj", getattr(keras.layers, self._keras_cell))
        kernel, recurrent_kernel, bias = self._arrays()
        check_keras_weights(
            cell,
            "obj",
            kernel=kernel,
            recurrent_kernel=recurrent_kernel,
            bias=bias,
            options=self._options(),
        )
        pairs = [("kernel", kernel, cell.kernel)]
        pairs.append(("recurrent_kernel", recurrent_kernel, cell.recurrent_kernel))
        if cell.use_bias:
            pairs.append(("bias", bias, cell.bias))
        # every cast checked (no finite value may become inf) before anything is written
        casts = [(v, check_keras_cast(a, name, v.dtype)) for name, a, v in pairs]
        for variable, cast in casts:
            variable.assign(cast)


def _rebuild(cls, arrays, options):
    """Unpickle: ``cls(*arrays, **options)``."""
    return cls(*arrays, **options)


def _documented(kernel, recurrent_kernel, bias):
    """The three array properties of a subclass, with its own docstrings."""
    return (
        property(_RecurrentParams._get_kernel, doc=kernel),
        property(_RecurrentParams._get_recurrent_kernel, doc=recurrent_kernel),
        property(_RecurrentParams._get_bias, doc=bias),
    )


# -- Keras' default initialisers in NumPy ---------------------------------------------------
def _glorot_uniform(rng, shape):
    """Keras' ``glorot_uniform``: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)), where a
    (rows, columns) matrix has fan_in = rows and fan_out = columns."""
    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-limit, limit, size=shape)


def _orthogonal(rng, shape):
    """Keras' ``orthogonal`` for a (rows, columns) matrix: Q of the QR decomposition of a
    standard normal (max, min) matrix, with the signs of R's diagonal folded in (so Q is
    uniformly distributed), transposed when there are more columns than rows. Its rows
    (when rows <= columns) or its columns are orthonormal. A (units, 3·units) recurrent
    kernel has orthonormal rows: its gate blocks are not orthogonal each."""
    rows, columns = shape
    q, r = np.linalg.qr(rng.standard_normal((max(rows, columns), min(rows, columns))))
    q = q * np.sign(np.diag(r))  # Keras: q *= sign(diag(r))
    return q.T if rows < columns else q


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
    _keras_cell = "SimpleRNNCell"
    _check_weights = staticmethod(check_simple_rnn_weights)
    kernel, recurrent_kernel, bias = _documented(
        "(input_dim, units), read-only: W_ax transposed.",
        "(units, units), read-only: W_aa transposed.",
        "(units,), read-only, or None: b_a.",
    )

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
        input_dim, units, rng, dtype = check_init(input_dim, units, seed, dtype, blocks=1)
        check_bool(use_bias, "use_bias")
        kernel = _glorot_uniform(rng, (input_dim, units))
        recurrent_kernel = _orthogonal(rng, (units, units))
        bias = np.zeros(units) if use_bias else None
        return cls(kernel, recurrent_kernel, bias).astype(dtype)

    # -- to and from Keras ----------------------------------------------------------
    @classmethod
    def from_keras(cls, obj) -> SimpleRNNParams:
        """Copy the weights out of a built Keras SimpleRNN.

        ``obj`` is a ``keras.layers.SimpleRNN``, a ``keras.layers.SimpleRNNCell`` or a
        ``keras.layers.RNN`` that wraps a SimpleRNNCell. The result holds copies: changing
        the Keras variables later does not change it. The activation is not a weight, so
        pass ``activation=cell.activation`` yourself if it is not tanh.
        """
        arrays, _ = cls._from_keras_cell(obj, "SimpleRNNParams.from_keras")
        return cls(*arrays)

    def to_keras(self, obj) -> None:
        """Write these weights into a built Keras SimpleRNN, SimpleRNNCell or RNN(SimpleRNNCell).

        The shapes and ``use_bias`` must match; values are cast to the layer's dtype, and a
        ``ValueError`` refuses a finite value that the cast would make inf (nothing is written).
        """
        self._to_keras_cell(obj, "SimpleRNNParams.to_keras")


class GRUParams(_RecurrentParams):
    """Immutable GRU weights in Keras layout: column blocks ``[z | r | h]``.

    One step (chapter "The GRU", equations ``eq-gru-update``, ``eq-gru-reset``,
    ``eq-gru-candidate``, ``eq-gru-state``) reads the input x⟨t⟩ through ``kernel`` and the
    state h⟨t−1⟩ through ``recurrent_kernel``, each split into the update gate z, the reset
    gate r and the candidate h̃: ``kernel[:, :units]`` is W_z and ``recurrent_kernel[:, :units]``
    is U_z of the chapter's equations, written for rows as Keras computes (x W_z + h U_z).

    The arrays are copied and made read-only; their common floating dtype is the dtype of
    every computation with them (integer weights are cast to float32).

    Parameters
    ----------
    kernel : array_like, shape (input_dim, 3·units)
        Input weights, blocks [z | r | h].
    recurrent_kernel : array_like, shape (units, 3·units)
        Recurrent weights, blocks [z | r | h].
    bias : array_like or None
        With ``reset_after`` (Keras' default), shape (2, 3·units): row 0 is the input bias,
        row 1 the recurrent bias, the one that sits inside the reset gate's product for the
        h block. Without ``reset_after``, shape (3·units,). None for ``use_bias=False``.
    reset_after : bool, keyword-only
        True (Keras' default, and cuDNN's and PyTorch's form): the reset gate multiplies the
        recurrent product, h̃ = g(x W_h + b_h + r ⊙ (h U_h + b'_h)). False (the form of Cho et
        al.'s paper): it multiplies the state first, h̃ = g(x W_h + b_h + (r ⊙ h) U_h). The
        two are different functions, not a relabelling of weights.

    Raises
    ------
    TypeError
        For None, strings, objects or complex numbers in place of an array, or a
        ``reset_after`` that is not a bool.
    ValueError
        For wrong ranks or shapes: a kernel width that is not a multiple of 3, a
        ``recurrent_kernel`` that does not match, a bias whose shape does not match
        ``reset_after``.
    """

    __slots__ = ("_reset_after",)
    _keras_cell = "GRUCell"
    # (no colon in these: napoleon would read what precedes it as a type)
    kernel, recurrent_kernel, bias = _documented(
        "The input weights, (input_dim, 3·units), read-only, in blocks [z | r | h].",
        "The recurrent weights, (units, 3·units), read-only, in blocks [z | r | h].",
        "The biases, read-only, or None; (2, 3·units) with reset_after (row 0 the input "
        "bias, row 1 the recurrent bias), (3·units,) without.",
    )

    def __init__(self, kernel, recurrent_kernel, bias=None, *, reset_after=True):
        check_bool(reset_after, "reset_after")
        object.__setattr__(self, "_reset_after", bool(reset_after))
        super().__init__(kernel, recurrent_kernel, bias)

    def _check_weights(self, kernel, recurrent_kernel, bias):
        return check_gru_weights(kernel, recurrent_kernel, bias, reset_after=self._reset_after)

    def _options(self) -> dict:
        return {"reset_after": self._reset_after}

    @property
    def reset_after(self) -> bool:
        """Whether the reset gate is applied after the recurrent product (Keras' default)."""
        return self._reset_after

    @classmethod
    def init(
        cls, input_dim, units, *, seed=None, dtype="float32", reset_after=True, use_bias=True
    ) -> GRUParams:
        """New weights drawn like a fresh ``keras.layers.GRU(units, reset_after=...)``.

        ``kernel`` (input_dim, 3·units) ~ glorot_uniform over the whole matrix: U(-l, l) with
        l = sqrt(6 / (input_dim + 3·units)); ``recurrent_kernel`` (units, 3·units) ~
        orthogonal over the whole matrix (its rows are orthonormal); ``bias`` = zeros, of
        shape (2, 3·units) with ``reset_after``, else (3·units,). The same ``seed`` gives the
        same weights (NumPy's ``default_rng``; not the numbers Keras draws for that seed).
        """
        input_dim, units, rng, dtype = check_init(input_dim, units, seed, dtype, blocks=3)
        check_bool(reset_after, "reset_after")
        check_bool(use_bias, "use_bias")
        kernel = _glorot_uniform(rng, (input_dim, 3 * units))
        recurrent_kernel = _orthogonal(rng, (units, 3 * units))
        bias = None
        if use_bias:
            bias = np.zeros((2, 3 * units) if reset_after else 3 * units)
        return cls(kernel, recurrent_kernel, bias, reset_after=reset_after).astype(dtype)

    @classmethod
    def from_keras(cls, obj) -> GRUParams:
        """Copy the weights, and ``reset_after``, out of a built Keras GRU.

        ``obj`` is a ``keras.layers.GRU``, a ``keras.layers.GRUCell`` or a
        ``keras.layers.RNN`` that wraps a GRUCell. The result holds copies. The activations
        are not weights: pass ``activation`` and ``recurrent_activation`` yourself if they
        are not Keras' defaults (tanh and sigmoid).
        """
        arrays, cell = cls._from_keras_cell(obj, "GRUParams.from_keras")
        return cls(*arrays, reset_after=bool(cell.reset_after))

    def to_keras(self, obj) -> None:
        """Write these weights into a built Keras GRU, GRUCell or RNN(GRUCell).

        The shapes, ``use_bias`` and ``reset_after`` must match; values are cast to the
        layer's dtype, and a ``ValueError`` refuses a finite value that the cast would make
        inf (nothing is written).
        """
        self._to_keras_cell(obj, "GRUParams.to_keras")


class LSTMParams(_RecurrentParams):
    """Immutable LSTM weights in Keras layout: column blocks ``[i | f | c | o]``.

    One step (chapter "The LSTM", equations ``eq-lstm-gates``, ``eq-lstm-candidate``,
    ``eq-lstm-cell``, ``eq-lstm-state``) computes x⟨t⟩ @ kernel + h⟨t−1⟩ @ recurrent_kernel
    + bias, four blocks of ``units`` columns: the input gate i, the forget gate f, the
    candidate g (Keras calls its block "c") and the output gate o. PyTorch's nn.LSTM has the
    same order, [i | f | g | o].

    The arrays are copied and made read-only; their common floating dtype is the dtype of
    every computation with them (integer weights are cast to float32).

    Parameters
    ----------
    kernel : array_like, shape (input_dim, 4·units)
        Input weights, blocks [i | f | c | o].
    recurrent_kernel : array_like, shape (units, 4·units)
        Recurrent weights, blocks [i | f | c | o].
    bias : array_like, shape (4·units,), or None
        None for a layer built with ``use_bias=False``.

    Raises
    ------
    TypeError
        For None, strings, objects or complex numbers in place of an array.
    ValueError
        For wrong ranks or shapes (a kernel width that is not a multiple of 4, say).
    """

    __slots__ = ()
    _keras_cell = "LSTMCell"
    _check_weights = staticmethod(check_lstm_weights)
    kernel, recurrent_kernel, bias = _documented(  # no colon: see GRUParams
        "The input weights, (input_dim, 4·units), read-only, in blocks [i | f | c | o].",
        "The recurrent weights, (units, 4·units), read-only, in blocks [i | f | c | o].",
        "The bias, (4·units,), read-only, in blocks [i | f | c | o], or None.",
    )

    @classmethod
    def init(
        cls, input_dim, units, *, seed=None, dtype="float32", unit_forget_bias=True, use_bias=True
    ) -> LSTMParams:
        """New weights drawn like a fresh ``keras.layers.LSTM(units)``.

        ``kernel`` (input_dim, 4·units) ~ glorot_uniform over the whole matrix: U(-l, l) with
        l = sqrt(6 / (input_dim + 4·units)); ``recurrent_kernel`` (units, 4·units) ~
        orthogonal over the whole matrix (its rows are orthonormal); ``bias`` = zeros, but
        ones in the forget gate's block f with ``unit_forget_bias`` (Keras' default), so that
        a new LSTM starts by keeping its cell state. The same ``seed`` gives the same weights
        (NumPy's ``default_rng``; not the numbers Keras draws for that seed).
        """
        input_dim, units, rng, dtype = check_init(input_dim, units, seed, dtype, blocks=4)
        check_bool(unit_forget_bias, "unit_forget_bias")
        check_bool(use_bias, "use_bias")
        kernel = _glorot_uniform(rng, (input_dim, 4 * units))
        recurrent_kernel = _orthogonal(rng, (units, 4 * units))
        bias = None
        if use_bias:
            bias = np.zeros(4 * units)
            if unit_forget_bias:
                bias[units : 2 * units] = 1.0  # the f block
        return cls(kernel, recurrent_kernel, bias).astype(dtype)

    @classmethod
    def from_keras(cls, obj) -> LSTMParams:
        """Copy the weights out of a built Keras LSTM.

        ``obj`` is a ``keras.layers.LSTM``, a ``keras.layers.LSTMCell`` or a
        ``keras.layers.RNN`` that wraps an LSTMCell. The result holds copies. The activations
        are not weights: pass ``activation`` and ``recurrent_activation`` yourself if they
        are not Keras' defaults (tanh and sigmoid).
        """
        arrays, _ = cls._from_keras_cell(obj, "LSTMParams.from_keras")
        return cls(*arrays)

    def to_keras(self, obj) -> None:
        """Write these weights into a built Keras LSTM, LSTMCell or RNN(LSTMCell).

        The shapes and ``use_bias`` must match; values are cast to the layer's dtype, and a
        ``ValueError`` refuses a finite value that the cast would make inf (nothing is written).
        """
        self._to_keras_cell(obj, "LSTMParams.to_keras")
