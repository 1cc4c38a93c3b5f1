"""Every check of the public functions' arguments: loud, specific errors before any arithmetic.

A caller sees a ``TypeError`` or ``ValueError`` that names the argument and the shapes or
values involved, never a NumPy broadcasting error from deep inside a loop. Every function here
that converts returns new arrays: the caller's arrays are never aliased, so never modified.
No other module of the package checks its arguments (what a callable activation returns is
checked where it is called, in ``activations``: this module depends on that one, not the
other way round).

Dtypes: float16, float32 and float64 are kept, integers and booleans become float32 (Keras'
default float type), and every other float type (``longdouble``, say) is refused with a
``TypeError``: Keras cannot represent it, and casting it would lose precision silently. Sizes
whose arrays cannot fit in this machine's memory are refused with a ``ValueError`` that gives
the estimate, before anything is allocated.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping

import numpy as np

from rnn_playground.activations import ACTIVATIONS, RECURRENT_ACTIVATIONS

FLOAT_DTYPES = (np.dtype("float16"), np.dtype("float32"), np.dtype("float64"))
KERAS_MISSING = "pip install 'rnn-playground[keras]'"
GIB = 2**30


# -- memory --------------------------------------------------------------------------------
def available_memory() -> int:
    """Bytes of memory this process may still allocate: Linux's MemAvailable, else the
    physical memory, else (no way to tell) 2**63."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return 2**63


def check_fits_in_memory(needed: int, what: str) -> None:
    """Raise ``ValueError`` when ``needed`` bytes (a Python int: no overflow) exceed the
    memory available; ``what`` names the arguments that ask for them. Below 256 MiB the
    memory is not even looked up: the check costs nothing in a loop of small calls."""
    if needed <= 2**28:
        return
    available = available_memory()
    if needed > available:
        raise ValueError(
            f"{what} would need about {gibibytes(needed)} GiB of memory, more than the "
            f"{gibibytes(available)} GiB available"
        )


def gibibytes(count: int) -> str:
    """``count`` bytes in GiB: "1,234.5", "2.5e+30", or "10^k" beyond what a float holds."""
    if count < 10**6 * GIB:
        return f"{count / GIB:,.1f}"
    if count < 2**1000:
        return f"{count / GIB:.2g}"
    return f"10^{len(str(count // GIB)) - 1}"


# -- single values -------------------------------------------------------------------------
def as_real_array(value, name: str, *, dtype=None, copy=True) -> np.ndarray:
    """Return ``value`` as a new real NumPy array (never a view of the caller's data), or
    with ``copy=False`` as a possibly shared one, for a caller that copies it anyway.

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
    except (ValueError, TypeError, OverflowError) as error:  # ragged nested lists, say
        raise TypeError(f"{name} must be a real array; could not convert it: {error}") from None
    kind = array.dtype.kind
    if kind == "c":
        raise TypeError(f"{name} must be real, got complex dtype {array.dtype}")
    if kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array, got dtype {array.dtype}")
    check_keras_float(array.dtype, name)
    if dtype is None:
        dtype = array.dtype if kind == "f" else np.dtype("float32")
    if copy or np.dtype(dtype) != array.dtype:
        check_fits_in_memory(
            array.size * np.dtype(dtype).itemsize, f"{name} of shape {array.shape}"
        )
    return np.array(array, dtype=dtype, copy=True) if copy else array.astype(dtype, copy=False)


def check_rank(array: np.ndarray, rank: int, name: str, layout: str) -> None:
    """Raise ``ValueError`` unless ``array.ndim == rank``; ``layout`` describes the axes."""
    if array.ndim != rank:
        raise ValueError(
            f"{name} must have {_dimensions(rank)} {layout}, got shape {array.shape} "
            f"({_dimensions(array.ndim)})"
        )


def _dimensions(count: int) -> str:
    return f"{count} dimension" + ("" if count == 1 else "s")


def check_bool(value, name: str) -> None:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")


def check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def check_float_dtype(dtype, name: str = "dtype") -> np.dtype:
    """``dtype`` as a NumPy float16, float32 or float64 dtype, or a ``TypeError`` (also for
    None, which NumPy would read as float64)."""
    try:
        if dtype is None:
            raise TypeError
        result = np.dtype(dtype)
    except Exception:  # np.dtype raises TypeError, ValueError or KeyError for what it refuses
        raise TypeError(f"{name} must be float16, float32 or float64, got {dtype!r:.60}") from None
    if result not in FLOAT_DTYPES:
        raise TypeError(f"{name} must be float16, float32 or float64, got {_dtype_name(result)}")
    return result


def check_keras_float(dtype: np.dtype, name: str) -> None:
    """Refuse a float dtype other than float16, float32 and float64 (``longdouble``, say):
    Keras has no such type, and a silent cast would lose its precision."""
    if dtype.kind == "f" and dtype not in FLOAT_DTYPES:
        raise TypeError(
            f"{name} has dtype {_dtype_name(dtype)}, which Keras cannot represent (it has "
            "float16, float32 and float64); cast it yourself, to float64 for example, if "
            "losing its extra precision is what you want"
        )


def _dtype_name(dtype: np.dtype) -> str:
    """``float128 (longdouble)`` for NumPy's long double, else the dtype's name."""
    if dtype == np.dtype(np.longdouble) and dtype != np.dtype(np.float64):
        return f"{dtype} (longdouble)"
    return str(dtype)


def check_seed(seed, name: str = "seed"):
    """A ``numpy.random.Generator`` from ``seed``: None, a non-negative integer, or a
    Generator, BitGenerator or SeedSequence, as ``numpy.random.default_rng`` takes them."""
    if seed is None or isinstance(
        seed, np.random.Generator | np.random.BitGenerator | np.random.SeedSequence
    ):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"{name} must be None, a non-negative integer or a numpy.random.Generator, got "
            f"{type(seed).__name__}: {seed!r:.40}"
        )
    if seed < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {seed}")
    return np.random.default_rng(int(seed))


def check_init(input_dim, units, seed, dtype, *, blocks):
    """The arguments of ``init`` every params class shares: ``(input_dim, units, rng,
    dtype)``. The weights (input_dim + units, blocks·units) are drawn in float64, and the
    orthogonal matrix takes a QR decomposition of (blocks·units, units): sizes that cannot
    fit in memory are refused before anything is drawn."""
    input_dim = check_positive_int(input_dim, "input_dim")
    units = check_positive_int(units, "units")
    columns = blocks * units
    check_fits_in_memory(
        8 * (input_dim * columns + 4 * units * columns),
        f"input_dim={input_dim} and units={units}",
    )
    return input_dim, units, check_seed(seed), check_float_dtype(dtype)


def check_activation(
    activation, name: str = "activation", *, differentiable=False, recurrent=False
) -> None:
    """A Keras activation name, None (the identity) or, unless ``differentiable``, a callable.

    The backward pass needs g' and so refuses a callable: its derivative is unknown. A
    ``recurrent`` activation (the gates' σ of a GRU or an LSTM) may also be "hard_sigmoid".
    """
    known = sorted(RECURRENT_ACTIVATIONS if recurrent else ACTIVATIONS)
    if callable(activation):
        if differentiable:
            raise TypeError(
                f"{name}: a callable is accepted for the forward pass only; the backward pass "
                f"needs one of {known} or None"
            )
        return
    if activation is None:
        return
    if not isinstance(activation, str):
        raise TypeError(
            f"{name} must be one of {known}, None or a callable, got {type(activation).__name__}"
        )
    if activation not in known:
        raise ValueError(f"{name} must be one of {known} or None, got {activation!r}")


# -- weights -------------------------------------------------------------------------------
def check_params(params, cls) -> None:
    if not isinstance(params, cls):
        raise TypeError(
            f"params must be a {cls.__name__}, got {type(params).__name__}; build one with "
            f"{cls.__name__}(kernel, recurrent_kernel, bias), .init(...) or .from_keras(layer)"
        )


def _common_float_dtype(arrays) -> np.dtype:
    """The common float dtype of ``arrays`` (float32 when all are integers, as in Keras;
    ``as_real_array`` has refused every other float type)."""
    dtype = np.result_type(*arrays)
    return dtype if dtype in FLOAT_DTYPES else np.dtype("float32")


def _width(blocks: int) -> str:
    """How the text names blocks·units: "units", "3·units", "4·units"."""
    return "units" if blocks == 1 else f"{blocks}·units"


def _check_kernels(kernel, recurrent_kernel, *, blocks, names):
    """kernel (input_dim, blocks·units) and recurrent_kernel (units, blocks·units), as new
    arrays; ``names`` describes the column blocks for the messages ("[z | r | h]")."""
    kernel = as_real_array(kernel, "kernel")
    recurrent_kernel = as_real_array(recurrent_kernel, "recurrent_kernel")
    width = _width(blocks)
    check_rank(kernel, 2, "kernel", f"(input_dim, {width})")
    check_rank(recurrent_kernel, 2, "recurrent_kernel", f"(units, {width})")
    input_dim, columns = kernel.shape
    if input_dim == 0 or columns == 0:
        raise ValueError(f"kernel must have input_dim >= 1 and units >= 1, got {kernel.shape}")
    if columns % blocks:
        raise ValueError(
            f"kernel must have {width} columns, the blocks {names} side by side; got shape "
            f"{kernel.shape}, and {columns} is not a multiple of {blocks}"
        )
    units = columns // blocks
    if recurrent_kernel.shape != (units, columns):
        raise ValueError(
            f"recurrent_kernel must have shape (units, {width}) = ({units}, {columns}) to match "
            f"kernel of shape {kernel.shape}, got {recurrent_kernel.shape}"
        )
    return kernel, recurrent_kernel


def _check_bias(bias, kernel, *, shape, layout, note=""):
    """bias as a new array of ``shape``, or None; ``layout`` names the axes."""
    if bias is None:
        return None
    bias = as_real_array(bias, "bias")
    if bias.ndim != len(shape):
        raise ValueError(
            f"bias must have {_dimensions(len(shape))} {layout}{note}, got shape {bias.shape} "
            f"({_dimensions(bias.ndim)})"
        )
    if bias.shape != shape:
        raise ValueError(
            f"bias must have shape {layout} = {shape} to match kernel of shape {kernel.shape}"
            f"{note}, got {bias.shape}"
        )
    return bias


def _all_of_one_dtype(*arrays):
    dtype = _common_float_dtype([a for a in arrays if a is not None])
    return tuple(None if a is None else a.astype(dtype, copy=False) for a in arrays)


def check_simple_rnn_weights(kernel, recurrent_kernel, bias):
    """New arrays kernel (input_dim, units), recurrent_kernel (units, units), bias (units,)
    or None, all of their common float dtype (float32 when all are integers)."""
    kernel, recurrent_kernel = _check_kernels(kernel, recurrent_kernel, blocks=1, names="")
    units = recurrent_kernel.shape[0]
    bias = _check_bias(bias, kernel, shape=(units,), layout="(units,)")
    return _all_of_one_dtype(kernel, recurrent_kernel, bias)


def check_gru_weights(kernel, recurrent_kernel, bias, *, reset_after):
    """New arrays kernel (input_dim, 3·units), recurrent_kernel (units, 3·units), columns
    [z | r | h], and bias (2, 3·units) with ``reset_after`` (row 0 the input bias, row 1 the
    recurrent bias), (3·units,) without, or None; all of their common float dtype."""
    kernel, recurrent_kernel = _check_kernels(
        kernel, recurrent_kernel, blocks=3, names="[z | r | h]"
    )
    columns = kernel.shape[1]
    if reset_after:
        shape, layout = (2, columns), "(2, 3·units)"
        note = (
            " with reset_after=True (row 0 the input bias, row 1 the recurrent bias; "
            "(3·units,) is reset_after=False's)"
        )
    else:
        shape, layout = (columns,), "(3·units,)"
        note = " with reset_after=False (one bias; (2, 3·units) is reset_after=True's)"
    bias = _check_bias(bias, kernel, shape=shape, layout=layout, note=note)
    return _all_of_one_dtype(kernel, recurrent_kernel, bias)


def check_lstm_weights(kernel, recurrent_kernel, bias):
    """New arrays kernel (input_dim, 4·units), recurrent_kernel (units, 4·units), columns
    [i | f | c | o], and bias (4·units,) or None; all of their common float dtype."""
    kernel, recurrent_kernel = _check_kernels(
        kernel, recurrent_kernel, blocks=4, names="[i | f | c | o]"
    )
    bias = _check_bias(bias, kernel, shape=(kernel.shape[1],), layout="(4·units,)")
    return _all_of_one_dtype(kernel, recurrent_kernel, bias)


def check_keras_weights(obj, name, *, kernel, recurrent_kernel, bias, options=None) -> None:
    """The built Keras cell ``obj`` has room for exactly these weights, and the attributes
    ``options`` that change what they mean (the GRU's ``reset_after``) are the same."""
    for option, value in (options or {}).items():
        if getattr(obj, option) != value:
            raise ValueError(
                f"{name} has {option}={getattr(obj, option)} but these params have {option}={value}"
            )
    expected = (tuple(obj.kernel.shape), tuple(obj.recurrent_kernel.shape))
    if expected != (kernel.shape, recurrent_kernel.shape):
        raise ValueError(
            f"{name} has kernel {expected[0]} and recurrent_kernel {expected[1]}, but these "
            f"params have {kernel.shape} and {recurrent_kernel.shape}"
        )
    if obj.use_bias != (bias is not None):
        raise ValueError(
            f"{name} has use_bias={obj.use_bias} but these params have "
            f"{'no bias' if bias is None else 'a bias'}"
        )


def check_keras_cast(array, name, dtype) -> np.ndarray:
    """``array`` cast to the Keras variable's ``dtype``, or a ``ValueError`` when a finite
    value would become ±inf (a float64 1e5 in a float16 layer, whose largest is 65504)."""
    dtype = np.dtype(dtype)
    with np.errstate(over="ignore"):
        cast = array.astype(dtype)
    overflow = np.isinf(cast) & np.isfinite(array)
    if overflow.any():
        largest = np.abs(array[overflow]).max()
        raise ValueError(
            f"{name} has values up to {largest:.6g} in magnitude, beyond the largest "
            f"{dtype} ({float(np.finfo(dtype).max):.6g}): written into obj's {dtype} weights "
            "they would become inf; nothing was written"
        )
    return cast


def keras_cell_of(obj, name, cell_class):
    """The built Keras cell of type ``cell_class`` in ``obj`` (the cell itself, or a layer
    such as ``keras.layers.SimpleRNN`` or ``keras.layers.RNN(cell)``), or a TypeError or
    ValueError saying why not."""
    import keras  # the caller has imported it with import_keras

    layer = cell_class.__name__.removesuffix("Cell")
    if isinstance(obj, cell_class):
        cell = obj
    elif isinstance(obj, keras.layers.RNN):  # SimpleRNN, LSTM and GRU all subclass RNN
        cell = obj.cell
        if not isinstance(cell, cell_class):
            raise TypeError(
                f"{name} must be a {layer}, a {cell_class.__name__} or an RNN wrapping a "
                f"{cell_class.__name__}; got {type(obj).__name__} with a {type(cell).__name__}"
            )
    else:
        raise TypeError(
            f"{name} must be a keras.layers.{layer}, {cell_class.__name__} or "
            f"RNN({cell_class.__name__}), got {type(obj).__name__}"
        )
    if not cell.built:
        raise ValueError(
            f"{name} ({type(obj).__name__}) is not built yet: call it on an input or call "
            "build(input_shape) first, so that its weights exist"
        )
    return cell


def import_keras(needed_by: str):
    """``import keras``, or a ``ModuleNotFoundError`` that says what to install.

    The package itself needs only NumPy; Keras and TensorFlow are the optional extra
    ``rnn-playground[keras]``.
    """
    try:
        import keras
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in ("keras", "tensorflow"):
            raise
        raise ModuleNotFoundError(
            f"{needed_by} needs Keras and TensorFlow, which are not installed "
            f"(No module named {error.name!r}): {KERAS_MISSING}",
            name=error.name,
        ) from None
    return keras


# -- sequences -----------------------------------------------------------------------------
def check_inputs(inputs, params, *, rank, layout, copy=True) -> np.ndarray:
    """``inputs`` as an array of ``params.dtype`` whose last axis is ``params.input_dim``: a
    new one, or with ``copy=False`` possibly the caller's."""
    x = as_real_array(inputs, "inputs", dtype=params.dtype, copy=copy)
    check_rank(x, rank, "inputs", layout)
    if x.shape[-1] != params.input_dim:
        raise ValueError(
            f"inputs has {x.shape[-1]} features (shape {x.shape}) but kernel expects "
            f"input_dim = {params.input_dim} (kernel shape {params.kernel.shape})"
        )
    return x


def check_state(state, name, batch, params) -> np.ndarray:
    """A state (batch, units) as a new array of ``params.dtype``."""
    a = as_real_array(state, name, dtype=params.dtype)
    check_rank(a, 2, name, "(batch, units)")
    if a.shape != (batch, params.units):
        raise ValueError(
            f"{name} must have shape (batch, units) = ({batch}, {params.units}), got {a.shape}"
        )
    return a


def check_states(states, name, batch, params, *, state_count) -> tuple[np.ndarray, ...]:
    """One state (``a``, or ``[a]`` / ``(a,)`` as Keras accepts) or a pair ``(h, c)``."""
    if state_count == 1:
        if isinstance(states, list | tuple) and len(states) == 1:
            states = states[0]  # Keras' [a]: a list of states with one element
        return (check_state(states, name, batch, params),)
    if not isinstance(states, list | tuple) or len(states) != state_count:
        raise TypeError(
            f"{name} must be a tuple or list of {state_count} arrays (batch, units), "
            f"got {type(states).__name__}"
            + (f" of length {len(states)}" if isinstance(states, list | tuple) else "")
            + ("; an LSTM's state is the pair (h, c)" if state_count == 2 else "")
        )
    return tuple(check_state(s, f"{name}[{i}]", batch, params) for i, s in enumerate(states))


def check_mask(mask, batch, steps) -> np.ndarray:
    """A mask (batch, time) of bool, or of integers 0 and 1, as a new bool array."""
    if mask is None or isinstance(mask, str | bytes):
        raise TypeError(f"mask must be a boolean array of shape (batch, time), got {mask!r:.40}")
    try:
        values = np.asarray(mask)
    except (ValueError, TypeError, OverflowError) as error:  # ragged nested lists, say
        raise TypeError(
            f"mask must be a boolean array of shape (batch, time); could not convert it: {error}"
        ) from None
    integers = values.dtype.kind in "iu"
    if values.dtype.kind != "b" and not integers:
        raise TypeError(f"mask must be boolean (or integers 0/1), got dtype {values.dtype}")
    if values.shape != (batch, steps):  # before looking at the values: the shape is known
        raise ValueError(
            f"mask must have shape (batch, time) = ({batch}, {steps}) to match inputs, "
            f"got {values.shape}"
        )
    if integers and not np.isin(values, (0, 1)).all():
        raise TypeError(
            f"mask must be boolean (or integers 0/1), got dtype {values.dtype} with values "
            "other than 0 and 1"
        )
    return values.astype(bool)


def prepare_sequence(inputs, params, initial_state, mask, *, go_backwards, state_count=1):
    """Check and convert what a layer function reads, time-major and in processing order.

    Returns new arrays:

    - ``x_steps`` (time, batch, features) of ``params.dtype``: step k reads input time k,
      or T−1−k with ``go_backwards``;
    - ``initial_states``, a tuple of ``state_count`` arrays (batch, units), zeros when
      ``initial_state`` is None;
    - ``mask_steps`` (time, batch) of bool in the same processing order, or None.

    The inputs of masked steps are replaced by zeros in ``x_steps``: a masked step's input
    reaches nothing, not even through a NaN or an inf used as padding (the cell's output there
    is discarded anyway, but its backward pass would multiply 0 by NaN).
    """
    x = check_inputs(inputs, params, rank=3, layout="(batch, time, features)", copy=False)
    batch, steps, features = x.shape
    if steps == 0:
        raise ValueError(f"inputs must have at least one time step, got shape {x.shape}")
    # the time-major copy, the states and the gates (up to 4·units) of every step, and as much
    # again for a backward pass
    check_fits_in_memory(
        2 * x.dtype.itemsize * batch * (steps + 1) * (features + 6 * params.units),
        f"inputs of shape {x.shape} with units={params.units}",
    )
    if initial_state is None:
        initial_states = tuple(
            np.zeros((batch, params.units), dtype=params.dtype) for _ in range(state_count)
        )
    else:
        initial_states = check_states(
            initial_state, "initial_state", batch, params, state_count=state_count
        )
    order = slice(None, None, -1) if go_backwards else slice(None)
    x_steps = np.array(x.transpose(1, 0, 2)[order], order="C")  # a copy, time-major
    mask_steps = None
    if mask is not None:
        mask_steps = np.ascontiguousarray(check_mask(mask, batch, steps).T[order])
        x_steps[~mask_steps] = 0  # x_steps is a copy: the caller's inputs are untouched
    return x_steps, initial_states, mask_steps


def prepare_output_grad(output_grad, params, *, return_sequences, batch, steps) -> np.ndarray:
    """``output_grad`` as a new time-major (time, batch, units) array in processing order:
    zero but at the last step when only the last output is returned."""
    dy = as_real_array(output_grad, "output_grad", dtype=params.dtype, copy=False)
    if return_sequences:
        expected, layout = (batch, steps, params.units), "(batch, time, units)"
    else:
        expected, layout = (batch, params.units), "(batch, units)"
    if dy.shape != expected:
        raise ValueError(
            f"output_grad must have the output's shape {layout} = {expected} "
            f"(return_sequences={return_sequences}), got {dy.shape}"
        )
    if return_sequences:
        return np.array(dy.transpose(1, 0, 2), order="C")  # a copy, time-major
    steps_grad = np.zeros((steps, batch, params.units), dtype=params.dtype)
    steps_grad[-1] = dy
    return steps_grad


def prepare_state_grad(state_grad, params, *, batch, state_count=1) -> tuple[np.ndarray, ...]:
    """∂L/∂(final states) as new arrays (batch, units); zeros when ``state_grad`` is None."""
    if state_grad is None:
        return tuple(
            np.zeros((batch, params.units), dtype=params.dtype) for _ in range(state_count)
        )
    return check_states(state_grad, "state_grad", batch, params, state_count=state_count)


# -- PyTorch's state_dict layout -------------------------------------------------------------------
TORCH_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def check_state_dict(state_dict):
    """The four arrays of a one-layer, one-direction nn.RNN, nn.GRU or nn.LSTM ``state_dict``,
    as new arrays of one float dtype: ``(weight_ih, weight_hh, bias_ih, bias_hh, gates)``,
    the biases None for a module built with ``bias=False``; ``gates`` is 1, 3 or 4, the
    number of row blocks (read from weight_hh, (gates·units, units))."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(
            "state_dict must be a mapping of names to arrays, as module.state_dict() returns, "
            f"got {type(state_dict).__name__}"
        )
    keys = set(state_dict)
    unknown = sorted(str(key) for key in keys - set(TORCH_KEYS))
    if unknown:
        hint = ""
        if any(key.endswith("_reverse") for key in unknown):
            hint = " (bidirectional: convert each direction's arrays on their own)"
        elif any("_l" in key and not key.endswith("_l0") for key in unknown):
            hint = " (num_layers > 1: convert each layer's arrays on their own)"
        elif any(key.startswith("weight_hr") for key in unknown):
            hint = " (an LSTM with proj_size has no Keras equivalent)"
        raise ValueError(
            f"state_dict must hold one layer in one direction, {list(TORCH_KEYS)}; got the "
            f"unexpected keys {unknown}{hint}"
        )
    missing = [key for key in TORCH_KEYS[:2] if key not in keys]
    if missing:
        raise ValueError(f"state_dict lacks {missing}; it has {sorted(keys)}")
    biases = [key for key in TORCH_KEYS[2:] if key in keys]
    if len(biases) == 1:
        raise ValueError(
            f"state_dict has {biases[0]} but not {(set(TORCH_KEYS[2:]) - set(biases)).pop()}: "
            "PyTorch keeps both biases or neither (bias=False)"
        )

    arrays = [_torch_array(state_dict[key], key) for key in TORCH_KEYS[:2] + tuple(biases)]
    weight_ih, weight_hh, *bias = arrays
    check_rank(weight_ih, 2, "weight_ih_l0", "(gates·units, input_dim)")
    check_rank(weight_hh, 2, "weight_hh_l0", "(gates·units, units)")
    rows, units = weight_hh.shape
    if units == 0 or rows not in (units, 3 * units, 4 * units):
        raise ValueError(
            f"weight_hh_l0 must have shape (gates·units, units) with gates 1 (nn.RNN), 3 "
            f"(nn.GRU) or 4 (nn.LSTM), got {weight_hh.shape}"
        )
    if weight_ih.shape[0] != rows or weight_ih.shape[1] == 0:
        raise ValueError(
            f"weight_ih_l0 must have shape (gates·units, input_dim) = ({rows}, input_dim >= 1) to "
            f"match weight_hh_l0 of shape {weight_hh.shape}, got {weight_ih.shape}"
        )
    for key, b in zip(biases, bias, strict=True):
        if b.shape != (rows,):
            raise ValueError(
                f"{key} must have shape (gates·units,) = ({rows},) to match weight_hh_l0 of "
                f"shape {weight_hh.shape}, got {b.shape}"
            )
    dtype = _common_float_dtype(arrays)
    weight_ih, weight_hh, *bias = (a.astype(dtype, copy=False) for a in arrays)
    bias_ih, bias_hh = bias or (None, None)
    return weight_ih, weight_hh, bias_ih, bias_hh, rows // units


def _torch_array(value, name):
    """A new NumPy array from an array or a CPU tensor (``state_dict()`` gives detached ones)."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch.Tensor, without torch
        try:
            value = value.detach().cpu().numpy()
        except Exception as error:  # a bfloat16 tensor, say, which NumPy has no type for
            raise TypeError(
                f"{name} could not be converted to a NumPy array: {type(error).__name__}: {error}"
            ) from None
    return as_real_array(value, name)


# -- training ------------------------------------------------------------------------------
def check_adding_problem(n, steps):
    """``n`` >= 1 sequences of ``steps`` >= 2 steps (two of them are marked)."""
    n = check_positive_int(n, "n")
    steps = check_positive_int(steps, "steps")
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (two steps are marked), got {steps}")
    # values, markers, their product and the stacked inputs: about 5 float64 (n, steps) arrays
    check_fits_in_memory(5 * 8 * n * steps, f"n={n} sequences of steps={steps}")
    return n, steps


def check_readout(state, kernel, bias, targets):
    """state (batch, units), kernel (units, outputs), bias (outputs,), targets (batch,
    outputs) as arrays of their common float dtype (possibly the caller's: never written)."""
    arrays = {
        "state": (state, 2, "(batch, units)"),
        "kernel": (kernel, 2, "(units, outputs)"),
        "bias": (bias, 1, "(outputs,)"),
        "targets": (targets, 2, "(batch, outputs)"),
    }
    checked = {}
    for name, (value, rank, layout) in arrays.items():
        checked[name] = as_real_array(value, name, copy=False)
        check_rank(checked[name], rank, name, layout)
    a, w, b, y = checked.values()
    (batch, units), outputs = a.shape, w.shape[1]
    if batch == 0:
        raise ValueError(f"state must have batch >= 1, got shape {a.shape}: the mean is empty")
    if outputs == 0:
        raise ValueError(f"kernel must have outputs >= 1, got shape {w.shape}: the mean is empty")
    expected = {"kernel": (units, outputs), "bias": (outputs,), "targets": (batch, outputs)}
    for name, shape in expected.items():
        if checked[name].shape != shape:
            raise ValueError(
                f"{name} must have shape {arrays[name][2]} = {shape} to match state of shape "
                f"{a.shape} and kernel of shape {w.shape}, got {checked[name].shape}"
            )
    return _all_of_one_dtype(a, w, b, y)


def check_adam(weights, grads, m, v, k, learning_rate, beta_1, beta_2, epsilon):
    """Four sequences of arrays of one float dtype, the same shapes in each, a step k >= 1
    and hyperparameters in range. Returns lists of arrays (possibly the caller's: they are
    only read) and k."""
    sequences = {"weights": weights, "grads": grads, "m": m, "v": v}
    for name, value in sequences.items():
        if isinstance(value, np.ndarray | str | bytes) or not isinstance(value, list | tuple):
            raise TypeError(
                f"{name} must be a list or tuple of arrays (one per weight), got "
                f"{type(value).__name__}"
            )
    counts = {name: len(value) for name, value in sequences.items()}
    if len(set(counts.values())) != 1 or counts["weights"] == 0:
        raise ValueError(f"weights, grads, m and v must hold one array per weight, got {counts}")
    arrays = {
        name: [as_real_array(a, f"{name}[{i}]", copy=False) for i, a in enumerate(value)]
        for name, value in sequences.items()
    }
    for i, w in enumerate(arrays["weights"]):
        for name in ("grads", "m", "v"):
            if arrays[name][i].shape != w.shape:
                raise ValueError(
                    f"{name}[{i}] must have the shape of weights[{i}], {w.shape}, got "
                    f"{arrays[name][i].shape}"
                )
    dtypes = {a.dtype for value in arrays.values() for a in value}
    if len(dtypes) != 1 or next(iter(dtypes)) not in FLOAT_DTYPES:
        raise TypeError(
            "weights, grads, m and v must all have one float dtype, got "
            f"{sorted(str(d) for d in dtypes)}"
        )
    k = check_positive_int(k, "k")
    if k > 2**63 - 1:  # Keras counts its iterations in an int64
        digits = len(str(k))
        got = k if digits <= 30 else f"an integer of {digits} digits"
        raise ValueError(f"k must be an integer in [1, 2**63 - 1], got {got}")
    ranges = {  # name: (value, the range in words, is it in the range)
        "learning_rate": (learning_rate, "positive", lambda x: x > 0),
        "beta_1": (beta_1, "in [0, 1)", lambda x: 0 <= x < 1),
        "beta_2": (beta_2, "in [0, 1)", lambda x: 0 <= x < 1),
        "epsilon": (epsilon, "at least 0", lambda x: x >= 0),
    }
    for name, (value, words, inside) in ranges.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {value!r:.60}")
        try:
            finite = np.isfinite(float(value))
        except OverflowError:  # an integer beyond float64, 10**400 say
            finite = False
        if not (finite and inside(value)):
            raise ValueError(f"{name} must be a finite number {words}, got {value!r:.40}")
    return *arrays.values(), k


def check_power_bases(power_bases, names=None):
    """None, or a pair (β₁, β₂) of real numbers in [0, 1), as floats. With ``names`` (a pair
    of argument names) the two numbers are two arguments, and each message names its own."""
    if power_bases is None:
        return None
    if not isinstance(power_bases, list | tuple) or len(power_bases) != 2:
        raise TypeError(
            f"power_bases must be None or a pair (beta_1, beta_2), got {power_bases!r:.60}"
        )
    for i, value in enumerate(power_bases):
        what = "power_bases must hold two" if names is None else f"{names[i]} must be a"
        got = f"{power_bases!r:.60}" if names is None else f"{value!r:.60}"
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{what} real number{'s' if names is None else ''}, got {got}")
        if not 0 <= value < 1:
            raise ValueError(f"{what} number{'s' if names is None else ''} in [0, 1), got {got}")
    return float(power_bases[0]), float(power_bases[1])


# -- rnn_playground.parallel -----------------------------------------------------------------------
def check_linear_recurrence(a, b, initial, *, names=("a", "b", "initial"), diagonal_only=False):
    """a (batch, time, units) or, unless ``diagonal_only``, (batch, time, units, units); b
    (batch, time, units); initial (batch, units): new arrays of their common float dtype."""
    a_name, b_name, initial_name = names
    arrays = [
        as_real_array(value, name) for value, name in zip((a, b, initial), names, strict=True)
    ]
    dtype = _common_float_dtype(arrays)
    a, b, initial = (array.astype(dtype, copy=False) for array in arrays)
    check_rank(b, 3, b_name, "(batch, time, units)")
    check_rank(initial, 2, initial_name, "(batch, units)")
    batch, steps, units = b.shape
    if steps == 0:
        raise ValueError(f"{b_name} must have at least one time step, got shape {b.shape}")
    shapes = [(batch, steps, units)] + ([] if diagonal_only else [(batch, steps, units, units)])
    if a.shape not in shapes:
        expected = " or ".join(str(s) for s in shapes)
        raise ValueError(
            f"{a_name} must have shape {expected} to match {b_name} {b.shape}, got {a.shape}"
        )
    if initial.shape != (batch, units):
        raise ValueError(
            f"{initial_name} must have shape (batch, units) = {(batch, units)} to match "
            f"{b_name} {b.shape}, got {initial.shape}"
        )
    return a, b, initial


def check_input_only_weights(kernel, bias, *, blocks, names):
    """A kernel (input_dim, blocks·units) and a bias (blocks·units,) or None, as new arrays of
    one float dtype (float32 for integers)."""
    kernel = as_real_array(kernel, "kernel")
    check_rank(kernel, 2, "kernel", f"(input_dim, {blocks}·units)")
    if kernel.shape[1] == 0 or kernel.shape[1] % blocks or kernel.shape[0] == 0:
        raise ValueError(
            f"kernel must have shape (input_dim, {blocks}·units), blocks {names}, with "
            f"input_dim and units at least 1, got {kernel.shape}"
        )
    if bias is None:
        return kernel.astype(_common_float_dtype([kernel]), copy=False), None
    bias = as_real_array(bias, "bias")
    if bias.shape != (kernel.shape[1],):
        raise ValueError(
            f"bias must have shape ({blocks}·units,) = ({kernel.shape[1]},) to match kernel "
            f"{kernel.shape}, got {bias.shape}"
        )
    dtype = _common_float_dtype([kernel, bias])
    return kernel.astype(dtype, copy=False), bias.astype(dtype, copy=False)


def check_input_only_sequence(inputs, params, cls, initial_state):
    """``inputs`` (batch, time, features) and h⟨0⟩ (zeros when None) for minGRU or minLSTM, as
    new arrays of ``params.dtype``, batch-major."""
    check_params(params, cls)
    x = check_inputs(inputs, params, rank=3, layout="(batch, time, features)")
    if x.shape[1] == 0:
        raise ValueError(f"inputs must have at least one time step, got shape {x.shape}")
    if initial_state is None:
        return x, np.zeros((x.shape[0], params.units), dtype=params.dtype)
    return x, check_state(initial_state, "initial_state", x.shape[0], params)


def check_newton_options(tol, max_iter, *, dtype, steps):
    """``tol`` (a positive finite number, default 1000·eps) and ``max_iter`` (a positive
    integer, default steps + 1) for ``newton_gru``."""
    if tol is None:
        tol = 1000 * float(np.finfo(dtype).eps)
    elif isinstance(tol, bool) or not isinstance(tol, numbers.Real):
        raise TypeError(f"tol must be a positive number, got {tol!r}")
    elif not (abs(tol) < float("inf") and tol > 0):  # (no float(): 10**400 overflows it)
        raise ValueError(f"tol must be a positive finite number, got {tol!r:.40}")
    max_iter = steps + 1 if max_iter is None else check_positive_int(max_iter, "max_iter")
    return float(tol), max_iter


def check_step_rows(inputs, state, params):
    """x (rows, input_dim) and h (rows, units) for ``gru_step_jacobians``, as new arrays."""
    from rnn_playground.params import GRUParams  # params imports this module

    check_params(params, GRUParams)
    x = check_inputs(inputs, params, rank=2, layout="(rows, input_dim)")
    return x, check_state(state, "state", x.shape[0], params)
