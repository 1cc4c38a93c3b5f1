"""Helpers to check ``rnn_playground`` against Keras, like ``numpy.testing`` for NumPy.

The tests, the benchmarks and the book's pages use these, so that each reference is
written once: the Keras layer holding given weights (:func:`keras_layer`), what it returns
(:func:`keras_outputs`), the ``tf.GradientTape`` gradients (:func:`keras_gradients`), random
weights (:func:`random_params`), the differences (:func:`max_abs_diff`,
:func:`relative_error`, :func:`assert_close_to_keras`) and a side-by-side timer
(:func:`time_side_by_side`). Every helper that takes ``params`` works for the three cells:
it looks the cell up by the type of ``params`` (SimpleRNNParams, GRUParams, LSTMParams) in
one table, ``CELLS``.

Importing this module needs only NumPy: Keras and TensorFlow are imported by the functions
that use them (``pip install 'rnn-playground[keras]'``).
"""

from __future__ import annotations

import contextlib
import gc
import math
import statistics
import time
import timeit
from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np

from rnn_playground._checks import import_keras
from rnn_playground.backward import GRUGrads, LSTMGrads, SimpleRNNGrads
from rnn_playground.params import GRUParams, LSTMParams, SimpleRNNParams

__all__ = [
    "ATOL",
    "CELLS",
    "Cell",
    "Timing",
    "assert_close_to_keras",
    "keras_gradient_function",
    "keras_gradients",
    "keras_layer",
    "keras_outputs",
    "max_abs_diff",
    "random_params",
    "relative_error",
    "softsign",
    "time_side_by_side",
]

ATOL = {"float32": 1e-5, "float64": 1e-10}
"""Largest absolute difference from Keras that the package allows itself, per dtype."""


class Cell(NamedTuple):
    """What the helpers need to know of one recurrent cell."""

    name: str
    """Its name for :func:`random_params` and ``python -m rnn_playground check --cell``."""
    params: type
    """Its parameters' class."""
    keras_layer: str
    """The name of its layer in ``keras.layers``."""
    grads: type
    """The type of its gradients (:func:`keras_gradients`)."""
    state_count: int
    """1 (the state a⟨t⟩ or h⟨t⟩), or 2 for the LSTM's (h⟨t⟩, c⟨t⟩)."""
    blocks: int
    """Column blocks of ``units`` in its kernels: 1, 3 ([z | r | h]) or 4 ([i | f | c | o])."""


CELLS = {
    cell.name: cell
    for cell in [
        Cell("simplernn", SimpleRNNParams, "SimpleRNN", SimpleRNNGrads, 1, 1),
        Cell("gru", GRUParams, "GRU", GRUGrads, 1, 3),
        Cell("lstm", LSTMParams, "LSTM", LSTMGrads, 2, 4),
    ]
}
"""Every cell of the package by name ("simplernn", "gru", "lstm")."""


def _cell_of(params) -> Cell:
    for cell in CELLS.values():
        if isinstance(params, cell.params):
            return cell
    raise TypeError(
        f"params must be a SimpleRNNParams, GRUParams or LSTMParams, got {type(params).__name__}"
    )


def _keras_options(params) -> dict:
    """The Keras layer arguments that follow from ``params``."""
    options = {"use_bias": params.bias is not None, "dtype": str(params.dtype)}
    if isinstance(params, GRUParams):
        options["reset_after"] = params.reset_after
    return options


# -- differences --------------------------------------------------------------------------
def max_abs_diff(a, b) -> float:
    """The largest ``|a − b|`` over every entry, computed in float64."""
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))


def relative_error(ours, reference) -> float:
    """``max |ours − reference| / max |reference|``, in float64; the absolute difference when
    the reference is all zeros."""
    scale = float(np.max(np.abs(np.asarray(reference, np.float64))))
    difference = max_abs_diff(ours, reference)
    return difference / scale if scale > 0 else difference


def assert_close_to_keras(ours, reference, *, dtype) -> None:
    """Same structure (an array or a tuple of arrays), shapes and dtype as what Keras
    returned, and values within ``ATOL[dtype]``."""
    if isinstance(reference, tuple | list):
        assert isinstance(ours, tuple), f"expected a tuple of {len(reference)}, got {type(ours)}"
        assert len(ours) == len(reference), f"{len(ours)} results, Keras has {len(reference)}"
        for mine, theirs in zip(ours, reference, strict=True):
            assert_close_to_keras(mine, theirs, dtype=dtype)
        return
    reference = np.asarray(reference)
    assert isinstance(ours, np.ndarray), type(ours)
    assert ours.shape == reference.shape, f"shape {ours.shape}, Keras {reference.shape}"
    assert ours.dtype == reference.dtype == np.dtype(dtype), (ours.dtype, reference.dtype)
    np.testing.assert_allclose(ours, reference, rtol=0, atol=ATOL[str(np.dtype(dtype))])


# -- inputs -------------------------------------------------------------------------------
def random_params(
    input_dim, units, *, seed, dtype="float64", use_bias=True, cell="simplernn", reset_after=None
):
    """Random weights of a ``cell`` ("simplernn", "gru" or "lstm") for comparisons, not for
    training.

    ``kernel`` ~ U(−0.8, 0.8), ``recurrent_kernel`` ~ N(0, 0.5²) and ``bias`` ~ N(0, 0.5²),
    in every gate block: large enough that tanh and sigmoid are neither saturated nor linear
    and that relu is active for some units and not for others (never exactly at z = 0), and
    a bias that is not zero, so that it matters (both rows of a GRU's bias with
    ``reset_after``). ``seed`` is an int or a ``numpy.random.Generator``. ``reset_after``
    is the GRU's (default True) and given for a GRU only.
    """
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
    if reset_after is not None and cell != "gru":
        raise ValueError(f"reset_after is a GRU's option, got it for cell={cell!r}")
    reset_after = True if reset_after is None else reset_after
    spec, rng = CELLS[cell], np.random.default_rng(seed)
    width = spec.blocks * units
    kernel = rng.uniform(-0.8, 0.8, size=(input_dim, width))
    recurrent_kernel = rng.normal(scale=0.5, size=(units, width))
    bias_shape = (2, width) if cell == "gru" and reset_after else (width,)
    bias = rng.normal(scale=0.5, size=bias_shape) if use_bias else None
    options = {"reset_after": reset_after} if cell == "gru" else {}
    return spec.params(kernel, recurrent_kernel, bias, **options).astype(dtype)


def softsign(z):
    """z / (1 + |z|): a callable activation for NumPy arrays and TensorFlow tensors alike."""
    return z / (1 + abs(z))


# -- Keras --------------------------------------------------------------------------------
def keras_layer(params, **options):
    """A built Keras layer of ``params.dtype`` holding ``params``' weights:
    ``keras.layers.SimpleRNN``, ``GRU`` (with ``params.reset_after``) or ``LSTM``.

    ``options`` are the layer's own (``activation``, ``return_sequences``, ...); ``units``,
    ``use_bias``, ``dtype`` and ``reset_after`` follow from ``params``.
    """
    keras = import_keras("rnn_playground.testing.keras_layer")
    layer_class = getattr(keras.layers, _cell_of(params).keras_layer)
    layer = layer_class(params.units, **_keras_options(params), **options)
    layer.build((None, None, params.input_dim))
    params.to_keras(layer)
    return layer


def _keras_call_arguments(inputs, params, initial_state, mask):
    arguments = {}
    if initial_state is not None:
        if _cell_of(params).state_count == 1:
            arguments["initial_state"] = np.asarray(initial_state, params.dtype)
        else:  # Keras' [h0, c0]
            arguments["initial_state"] = [np.asarray(s, params.dtype) for s in initial_state]
    if mask is not None:
        arguments["mask"] = np.asarray(mask, bool)
    return np.asarray(inputs, params.dtype), arguments


def keras_outputs(params, inputs, *, initial_state=None, mask=None, activation="tanh", **options):
    """What the Keras layer with ``params``' weights (:func:`keras_layer`) returns for
    ``inputs``, as NumPy: one array, or with ``return_state=True`` a tuple
    ``(output, final_state)``, ``(output, final_h, final_c)`` for the LSTM.

    ``initial_state`` is an array, or the pair (h0, c0) for the LSTM. Without
    ``initial_state`` or ``mask`` the layer is called without them.
    """
    layer = keras_layer(params, activation=activation, **options)
    x, arguments = _keras_call_arguments(inputs, params, initial_state, mask)
    result = layer(x, **arguments)
    # convert_to_numpy: any backend's tensors (a PyTorch tensor that requires grad included)
    to_numpy = import_keras("rnn_playground.testing.keras_outputs").ops.convert_to_numpy
    if isinstance(result, list | tuple):
        return tuple(to_numpy(r) for r in result)
    return to_numpy(result)


def keras_gradient_function(layer):
    """``gradients(inputs, initial_state, output_grad, mask=None, state_grad=None)``: the
    ``tf.GradientTape`` gradients of L = Σ output_grad ⊙ output (+ Σ state_grad ⊙ final
    state, which needs ``return_state=True``) through the Keras recurrent ``layer``.

    ``initial_state`` and ``state_grad`` are a tensor, or a tuple of tensors for a cell with
    several states (the LSTM's (h, c)). Returns a list of tensors: the gradients with respect
    to the inputs, each initial state, ``kernel``, ``recurrent_kernel`` and ``bias`` (if the
    layer has one). Wrap it in ``tf.function`` to compile it.
    """
    import_keras("rnn_playground.testing.keras_gradient_function")
    import tensorflow as tf

    cell = layer.cell
    weights = [cell.kernel, cell.recurrent_kernel] + ([cell.bias] if cell.use_bias else [])

    def gradients(inputs, initial_state, output_grad, mask=None, state_grad=None):
        initial_states = (
            list(initial_state) if isinstance(initial_state, tuple) else [initial_state]
        )
        with tf.GradientTape() as tape:
            tape.watch([inputs, *initial_states])
            result = layer(inputs, initial_state=initial_states, mask=mask)
            output, *final_states = result if layer.return_state else [result]
            loss = tf.reduce_sum(output_grad * output)
            if state_grad is not None:
                state_grads = state_grad if isinstance(state_grad, tuple) else (state_grad,)
                for grad, final_state in zip(state_grads, final_states, strict=True):
                    loss += tf.reduce_sum(grad * final_state)
        return tape.gradient(loss, [inputs, *initial_states, *weights])

    return gradients


def keras_gradients(
    params,
    inputs,
    output_grad,
    *,
    initial_state=None,
    mask=None,
    state_grad=None,
    activation="tanh",
    **options,
):
    """The gradients the Keras backend's own automatic differentiation gives for the Keras
    layer with ``params``' weights (:func:`keras_layer`): ``tf.GradientTape`` on TensorFlow,
    ``jax.grad`` on JAX, ``torch.autograd.grad`` on PyTorch (whichever ``KERAS_BACKEND``
    Keras was imported with). The reference for ``simple_rnn_backward`` (and the gated cells'
    backward passes), which take the same arguments and return the same type:
    :class:`~rnn_playground.SimpleRNNGrads`, ``GRUGrads`` or ``LSTMGrads`` (``bias`` None
    without a bias).

    For the LSTM, ``initial_state`` and ``state_grad`` are pairs (h, c), and so is the
    gradient's ``initial_state``.
    """
    keras = import_keras("rnn_playground.testing.keras_gradients")
    cell = _cell_of(params)
    layer = keras_layer(params, activation=activation, return_state=True, **options)
    x, arguments = _keras_call_arguments(inputs, params, initial_state, mask)
    batch = x.shape[0]
    zeros = [np.zeros((batch, params.units), params.dtype)] * cell.state_count
    initial = arguments.get("initial_state", zeros if cell.state_count > 1 else zeros[0])
    states = [np.asarray(s, params.dtype) for s in (initial if cell.state_count > 1 else [initial])]
    output_grad = np.asarray(output_grad, params.dtype)
    if state_grad is not None:
        state_grad = [
            np.asarray(g, params.dtype)
            for g in (state_grad if cell.state_count > 1 else [state_grad])
        ]
    gradients = {
        "tensorflow": _tensorflow_gradients,
        "jax": _jax_gradients,
        "torch": _torch_gradients,
    }[keras.backend.backend()]
    grads = gradients(layer, x, states, output_grad, arguments.get("mask"), state_grad)
    d_inputs, *d_states = grads[: 1 + cell.state_count]
    d_weights = grads[1 + cell.state_count :]
    d_bias = d_weights[2] if params.bias is not None else None
    return cell.grads(
        d_inputs,
        d_states[0] if cell.state_count == 1 else tuple(d_states),
        d_weights[0],
        d_weights[1],
        d_bias,
    )


# Each takes NumPy arrays (states and state_grad as lists, mask None or boolean) and returns the
# gradients of L = Σ output_grad ⊙ output (+ Σ state_grad ⊙ final state) with respect to the
# inputs, each initial state, kernel, recurrent_kernel and bias (if any), as NumPy arrays.
def _tensorflow_gradients(layer, x, states, output_grad, mask, state_grad):
    import tensorflow as tf

    grads = keras_gradient_function(layer)(
        tf.constant(x),
        tuple(tf.constant(s) for s in states) if len(states) > 1 else tf.constant(states[0]),
        tf.constant(output_grad),
        mask=None if mask is None else tf.constant(mask),
        state_grad=None if state_grad is None else tuple(tf.constant(g) for g in state_grad),
    )
    return [g.numpy() for g in grads]


def _loss(output_grad, state_grad, result, total):
    """Σ output_grad ⊙ output (+ Σ state_grad ⊙ final state), with the backend's ``total``."""
    output, *final_states = result
    loss = total(output_grad * output)
    for grad, final_state in zip(state_grad or [], final_states, strict=False):
        loss = loss + total(grad * final_state)
    return loss


def _jax_gradients(layer, x, states, output_grad, mask, state_grad):
    import jax
    import jax.numpy as jnp

    cell = layer.cell
    weights = [cell.kernel, cell.recurrent_kernel] + ([cell.bias] if cell.use_bias else [])
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    where = [[v.path for v in layer.trainable_variables].index(w.path) for w in weights]

    def loss(inputs, initial_states, trainable_values):
        result, _ = layer.stateless_call(
            trainable_values, non_trainable, inputs, initial_state=list(initial_states), mask=mask
        )
        return _loss(output_grad, state_grad, result, jnp.sum)

    d_inputs, d_states, d_trainable = jax.grad(loss, argnums=(0, 1, 2))(
        jnp.asarray(x), tuple(jnp.asarray(s) for s in states), trainable
    )
    return [np.asarray(g) for g in [d_inputs, *d_states, *(d_trainable[i] for i in where)]]


def _torch_gradients(layer, x, states, output_grad, mask, state_grad):
    import torch

    cell = layer.cell
    weights = [cell.kernel, cell.recurrent_kernel] + ([cell.bias] if cell.use_bias else [])
    inputs = torch.tensor(x, requires_grad=True)
    initial_states = [torch.tensor(s, requires_grad=True) for s in states]
    result = layer(
        inputs,
        initial_state=initial_states,
        mask=None if mask is None else torch.tensor(mask),
    )
    as_tensor = [torch.tensor(output_grad)] + [torch.tensor(g) for g in state_grad or []]
    loss = _loss(as_tensor[0], as_tensor[1:] or None, result, torch.sum)
    grads = torch.autograd.grad(loss, [inputs, *initial_states, *(w.value for w in weights)])
    return [g.detach().numpy() for g in grads]


# -- timing -------------------------------------------------------------------------------
class Timing(NamedTuple):
    """Seconds per call of one function, over the rounds of :func:`time_side_by_side`."""

    median: float
    best: float
    rounds: int
    number: int
    """Calls per sample."""


def time_side_by_side(
    functions: Mapping[str, Callable[[], object]],
    *,
    seconds: float,
    sample: float = 0.005,
    min_rounds: int = 3,
    max_rounds: int = 200,
    clock: Callable[[], float] = time.perf_counter,
    contexts: Mapping[str, Callable[[], contextlib.AbstractContextManager]] | None = None,
) -> dict[str, Timing]:
    """Median and best seconds per call of each function, timed in turn, round after round.

    Each function is called three times first (warm-up: ``tf.function`` tracing, first-call
    allocations), then ``timeit.Timer.autorange`` measures it once, and a sample becomes
    ``number`` calls, enough to last ``sample`` seconds. The functions are then timed in
    turn, one sample each per round, so that a burst of load from another process hits them
    all alike. The rounds fill about ``seconds`` seconds (never fewer than ``min_rounds``, at
    most ``max_rounds``, and no new round once 3 × ``seconds`` have passed). ``contexts``
    gives, for some of the functions, a context manager entered around each of their
    samples, untimed (to limit the BLAS threads for one of them, say). Unlike ``timeit``'s
    default, the garbage collector stays on, as it is in a real call.
    """
    contexts = contexts or {}
    plan = {}  # name -> (timer, calls per sample, seconds per call)
    for name, function in functions.items():
        timer = timeit.Timer(function, setup=gc.enable, timer=clock)  # timeit turns it off
        with contexts.get(name, contextlib.nullcontext)():
            timer.timeit(3)
            calls, total = timer.autorange()
        plan[name] = timer, max(1, math.ceil(calls * sample / total)), total / calls
    per_round = sum(number * per_call for _, number, per_call in plan.values())
    rounds = int(min(max_rounds, max(min_rounds, seconds / per_round)))
    samples = {name: [] for name in functions}
    deadline = time.perf_counter() + 3 * seconds
    for done in range(rounds):
        if done >= min_rounds and time.perf_counter() > deadline:
            break
        for name, (timer, number, _) in plan.items():
            with contexts.get(name, contextlib.nullcontext)():
                samples[name].append(timer.timeit(number) / number)
    return {
        name: Timing(statistics.median(values), min(values), len(values), plan[name][1])
        for name, values in samples.items()
    }
