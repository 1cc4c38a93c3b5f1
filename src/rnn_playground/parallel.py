"""Recurrences computed for all time steps at once: the chapter "Beyond the loop".

Keras' GRU and LSTM must run one step after another, because their gates read h⟨t−1⟩. A
*linear* recurrence h⟨t⟩ = a⟨t⟩ ⊙ h⟨t−1⟩ + b⟨t⟩ need not: composing two of its steps gives a
step of the same form (``eq-scan-combine``), an associative operation, so every prefix can be
computed by a parallel scan in ⌈log₂ T⌉ rounds of whole-array operations (:func:`linear_scan`,
:func:`log_linear_scan`). Two uses of it:

- minGRU and minLSTM (Feng et al. 2024), the GRU and LSTM with gates that read only x⟨t⟩ and no
  tanh on the candidate, are such linear recurrences: :func:`min_gru`, :func:`min_lstm` and their
  backward passes, whose gradients are a reverse scan (``eq-scan-backward``).
- Newton's method (DEER, Lim et al. 2024) solves for every state of Keras' own GRU at once; each
  iteration is a linear recurrence whose coefficients are the GRU step's Jacobians
  (:func:`newton_gru`).

Arrays are batch-major, (batch, time, units), like the rest of the package.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnn_playground import _checks
from rnn_playground.activations import sigmoid, sigmoid_grad
from rnn_playground.backward import gru_backward
from rnn_playground.forward import gru_cell
from rnn_playground.params import GRUParams, frozen

__all__ = [
    "MinGRUGrads",
    "MinGRUParams",
    "MinLSTMGrads",
    "MinLSTMParams",
    "NewtonResult",
    "gru_step_jacobians",
    "linear_scan",
    "log_linear_scan",
    "min_gru",
    "min_gru_backward",
    "min_lstm",
    "min_lstm_backward",
    "newton_gru",
]


# -- the scan ------------------------------------------------------------------------------
def _prefix_scan(elements, combine):
    """Every prefix composition of the steps in ``elements`` (arrays with time on axis 1).

    Hillis and Steele's scan: in round k each step is combined with the step 2ᵏ⁻¹ before it, so
    after ⌈log₂ T⌉ rounds step t holds the composition of steps 1 … t. ``combine(later,
    earlier)`` composes two tuples of arrays elementwise over time; it must be associative.
    Depth ⌈log₂ T⌉ rounds, work about T·log₂ T combinations (a loop does T − 1).
    """
    steps = elements[0].shape[1]
    shift = 1
    while shift < steps:  # ⌈log₂ T⌉ rounds, not a loop over the steps
        later = tuple(e[:, shift:] for e in elements)
        earlier = tuple(e[:, :-shift] for e in elements)
        combined = combine(later, earlier)
        elements = tuple(
            np.concatenate([e[:, :shift], c], axis=1)
            for e, c in zip(elements, combined, strict=True)
        )
        shift *= 2
    return elements


def _combine_diagonal(later, earlier):
    (a2, b2), (a1, b1) = later, earlier
    # (eq-scan-combine)  (a₂, b₂) ∘ (a₁, b₁) = (a₂ ⊙ a₁, a₂ ⊙ b₁ + b₂)
    return a2 * a1, a2 * b1 + b2


def _combine_matrix(later, earlier):
    (a2, b2), (a1, b1) = later, earlier
    # (eq-scan-combine), with matrices: (A₂, b₂) ∘ (A₁, b₁) = (A₂ A₁, A₂ b₁ + b₂)
    return a2 @ a1, (a2 @ b1[..., None])[..., 0] + b2


def _combine_log(later, earlier):
    (log_a2, log_b2), (log_a1, log_b1) = later, earlier
    # (eq-scan-combine) in logarithms: log(a₂a₁), log(a₂b₁ + b₂)
    return log_a2 + log_a1, np.logaddexp(log_a2 + log_b1, log_b2)


def linear_scan(a, b, initial):
    """Every state of the linear recurrence h⟨t⟩ = a⟨t⟩ ⊙ h⟨t−1⟩ + b⟨t⟩, by a parallel scan.

    Implements ``eq-scan-linear`` of the chapter "Beyond the loop": the steps are composed by
    ``eq-scan-combine`` in ⌈log₂ T⌉ rounds of whole-array NumPy operations (no Python loop over
    time), then h⟨t⟩ = A⟨t⟩ h⟨0⟩ + B⟨t⟩ from the composed step (A⟨t⟩, B⟨t⟩) of steps 1 … t.

    Parameters
    ----------
    a : array_like, shape (batch, time, units) or (batch, time, units, units)
        The coefficients: elementwise, or a full matrix per step acting on the column vector
        h⟨t−1⟩ (h⟨t⟩ = a⟨t⟩ h⟨t−1⟩ + b⟨t⟩, ``a[..., i, j]`` = ∂h_i⟨t⟩/∂h_j⟨t−1⟩), as Newton's
        method for a GRU needs (:func:`newton_gru`).
    b : array_like, shape (batch, time, units)
    initial : array_like, shape (batch, units)
        h⟨0⟩.

    Returns
    -------
    numpy.ndarray, shape (batch, time, units)
        h⟨1⟩ … h⟨T⟩, in the common float dtype of the arguments.
    """
    a, b, initial = _checks.check_linear_recurrence(a, b, initial)
    combine = _combine_matrix if a.ndim == 4 else _combine_diagonal
    # NaN and inf propagate as in the loop, silently (inf · 0 is NaN there too)
    with np.errstate(invalid="ignore", over="ignore"):
        a_prefix, b_prefix = _prefix_scan((a, b), combine)
        # (eq-scan-linear)  h⟨t⟩ = A⟨t⟩ h⟨0⟩ + B⟨t⟩, (A⟨t⟩, B⟨t⟩) the steps 1 … t composed
        if a.ndim == 4:
            return (a_prefix @ initial[:, None, :, None])[..., 0] + b_prefix
        return a_prefix * initial[:, None, :] + b_prefix


def log_linear_scan(log_a, log_b, log_initial):
    """:func:`linear_scan` for positive a, b and h⟨0⟩, in logarithms: returns log h⟨t⟩.

    For h⟨t⟩ = a⟨t⟩ h⟨t−1⟩ + b⟨t⟩ with every term positive, log h⟨t⟩ is computed from log a, log b
    and log h⟨0⟩ without ever forming a product of many a⟨t⟩ (which underflows long before its
    logarithm does): the form minGRU uses for long sequences (Feng et al. 2024, after Heinsen
    2023). The same scan as :func:`linear_scan`, with ``eq-scan-combine`` written in logarithms
    (``np.logaddexp``). ``log_initial`` may hold -inf (h⟨0⟩ = 0).

    Parameters
    ----------
    log_a, log_b : array_like, shape (batch, time, units)
    log_initial : array_like, shape (batch, units)

    Returns
    -------
    numpy.ndarray, shape (batch, time, units)
        log h⟨1⟩ … log h⟨T⟩.
    """
    log_a, log_b, log_initial = _checks.check_linear_recurrence(
        log_a, log_b, log_initial, names=("log_a", "log_b", "log_initial"), diagonal_only=True
    )
    with np.errstate(invalid="ignore", over="ignore"):  # NaN and inf propagate, silently
        log_a_prefix, log_b_prefix = _prefix_scan((log_a, log_b), _combine_log)
        return np.logaddexp(log_a_prefix + log_initial[:, None, :], log_b_prefix)


def _reverse_scan(a, output_grad, state_grad):
    """δ⟨t⟩ = ∂L/∂h⟨t⟩ for h⟨t⟩ = a⟨t⟩ ⊙ h⟨t−1⟩ + b⟨t⟩: the same scan run backwards in time.

    (eq-scan-backward)  δ⟨t⟩ = G⟨t⟩ + a⟨t+1⟩ ⊙ δ⟨t+1⟩, δ⟨T⟩ = G⟨T⟩ + S: read from the last step
    to the first, a linear recurrence with coefficients a⟨t+1⟩ (1 at the start) and inputs G⟨t⟩.
    """
    reversed_a = np.concatenate([np.ones_like(a[:, :1]), a[:, :0:-1]], axis=1)
    return linear_scan(reversed_a, output_grad[:, ::-1], state_grad)[:, ::-1]


# -- minGRU and minLSTM ----------------------------------------------------------------------
class _InputOnlyParams:
    """Immutable, read-only weights of a cell whose gates read only the input: a ``kernel``
    (input_dim, blocks·units) and a ``bias`` (blocks·units,) or None."""

    __slots__ = ("_bias", "_kernel")
    _blocks = 0
    _block_names = ""

    def __init__(self, kernel, bias=None):
        kernel, bias = _checks.check_input_only_weights(
            kernel, bias, blocks=self._blocks, names=self._block_names
        )
        object.__setattr__(self, "_kernel", frozen(kernel))
        object.__setattr__(self, "_bias", frozen(bias))

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}")

    @property
    def kernel(self) -> np.ndarray:
        """The input weights, (input_dim, blocks·units), read-only."""
        return self._kernel

    @property
    def bias(self) -> np.ndarray | None:
        """The bias, (blocks·units,), read-only, or None."""
        return self._bias

    @property
    def input_dim(self) -> int:
        """Number of input features D."""
        return self._kernel.shape[0]

    @property
    def units(self) -> int:
        """Number of units H."""
        return self._kernel.shape[1] // self._blocks

    @property
    def dtype(self) -> np.dtype:
        """The floating dtype of the weights and of every result computed with them."""
        return self._kernel.dtype

    @classmethod
    def init(cls, input_dim, units, *, seed=None, dtype="float32", use_bias=True):
        """New weights: ``kernel`` glorot_uniform over the whole matrix, as Keras draws a
        GRU's or an LSTM's kernel, ``bias`` zeros. The same ``seed`` gives the same weights."""
        input_dim, units, rng, dtype = _checks.check_init(
            input_dim, units, seed, dtype, blocks=cls._blocks
        )
        _checks.check_bool(use_bias, "use_bias")
        limit = np.sqrt(6 / (input_dim + cls._blocks * units))
        kernel = rng.uniform(-limit, limit, (input_dim, cls._blocks * units)).astype(dtype)
        bias = np.zeros(cls._blocks * units, dtype) if use_bias else None
        return cls(kernel, bias)

    def __repr__(self) -> str:
        bias = "None" if self._bias is None else f"{self._bias.shape}"
        return (
            f"{type(self).__name__}(input_dim={self.input_dim}, units={self.units}, "
            f"dtype={self.dtype}, bias={bias})"
        )


class MinGRUParams(_InputOnlyParams):
    """Immutable minGRU weights: ``kernel`` (input_dim, 2·units) in blocks [z | h] and ``bias``
    (2·units,) or None: W_z, W_h and b_z, b_h of ``eq-min-gru``."""

    __slots__ = ()
    _blocks = 2
    _block_names = "[z | h]"


class MinLSTMParams(_InputOnlyParams):
    """Immutable minLSTM weights: ``kernel`` (input_dim, 3·units) in blocks [i | f | h] and
    ``bias`` (3·units,) or None: W_i, W_f, W_h and their biases in ``eq-min-lstm``."""

    __slots__ = ()
    _blocks = 3
    _block_names = "[i | f | h]"


def _input_products(x, params):
    """x⟨t⟩ W + b for every step at once, (batch, time, blocks·units), split into blocks."""
    products = x @ params.kernel
    if params.bias is not None:
        products += params.bias
    return np.split(products, params._blocks, axis=-1)


def _min_gru_terms(x, params):
    """a⟨t⟩, b⟨t⟩ of minGRU's linear recurrence and the gate values the backward pass needs."""
    z_pre, candidate = _input_products(x, params)
    # (eq-min-gru)  z = σ(x W_z + b_z), h̃ = x W_h + b_h, h⟨t⟩ = z ⊙ h⟨t−1⟩ + (1 − z) ⊙ h̃
    z = sigmoid(z_pre)
    return z, (1 - z) * candidate, (z, candidate)


def _min_lstm_terms(x, params):
    """a⟨t⟩, b⟨t⟩ of minLSTM's linear recurrence and the gate values the backward pass needs."""
    i_pre, f_pre, candidate = _input_products(x, params)
    i, f = sigmoid(i_pre), sigmoid(f_pre)
    # (eq-min-lstm)  f′ = f / (f + i), i′ = i / (f + i), h⟨t⟩ = f′ ⊙ h⟨t−1⟩ + i′ ⊙ h̃
    total = f + i
    return f / total, i / total * candidate, (i, f, candidate)


def _run(terms, inputs, params, cls, initial_state, return_sequences, return_state):
    x, h0 = _checks.check_input_only_sequence(inputs, params, cls, initial_state)
    _checks.check_bool(return_sequences, "return_sequences")
    _checks.check_bool(return_state, "return_state")
    a, b, _ = terms(x, params)
    h = linear_scan(a, b, h0)
    output = h if return_sequences else h[:, -1].copy()
    return (output, h[:, -1].copy()) if return_state else output


def min_gru(inputs, params, *, initial_state=None, return_sequences=False, return_state=False):
    """minGRU over a whole sequence, by :func:`linear_scan` (Feng et al. 2024, ``eq-min-gru``).

    The GRU of the chapter "The GRU" with the reset gate gone and neither the update gate nor
    the candidate reading h⟨t−1⟩: z⟨t⟩ = σ(x⟨t⟩ W_z + b_z), h̃⟨t⟩ = x⟨t⟩ W_h + b_h (no tanh) and
    h⟨t⟩ = z ⊙ h⟨t−1⟩ + (1 − z) ⊙ h̃, with Keras' convention for z (the share of the old state
    kept; the paper writes the complementary z).

    Parameters
    ----------
    inputs : array_like, shape (batch, time, features)
    params : MinGRUParams
    initial_state : array_like, shape (batch, units), optional
        h⟨0⟩; zeros when omitted.
    return_sequences, return_state : bool
        As for :func:`rnn_playground.gru`.

    Returns
    -------
    numpy.ndarray, shape (batch, units) or (batch, time, units), or a pair with the final
    state (batch, units) when ``return_state``.
    """
    return _run(
        _min_gru_terms, inputs, params, MinGRUParams, initial_state, return_sequences, return_state
    )


def min_lstm(inputs, params, *, initial_state=None, return_sequences=False, return_state=False):
    """minLSTM over a whole sequence, by :func:`linear_scan` (Feng et al. 2024, ``eq-min-lstm``).

    The LSTM of the chapter "The LSTM" with no output gate, no cell state apart from h, gates
    that read only x⟨t⟩ and no tanh on the candidate; the forget and input gates are normalised
    to sum to one: h⟨t⟩ = f′ ⊙ h⟨t−1⟩ + i′ ⊙ h̃ with f′ = f / (f + i), i′ = i / (f + i).
    Arguments and results as :func:`min_gru`, with :class:`MinLSTMParams`.
    """
    return _run(
        _min_lstm_terms,
        inputs,
        params,
        MinLSTMParams,
        initial_state,
        return_sequences,
        return_state,
    )


class MinGRUGrads(NamedTuple):
    """Gradients of a minGRU loss: each in the shape of what it differentiates."""

    kernel: np.ndarray
    """∂L/∂kernel, (input_dim, 2·units)."""
    bias: np.ndarray | None
    """∂L/∂bias, (2·units,), or None when the weights have no bias."""
    inputs: np.ndarray
    """∂L/∂inputs, (batch, time, features)."""
    initial_state: np.ndarray
    """∂L/∂h⟨0⟩, (batch, units)."""


class MinLSTMGrads(NamedTuple):
    """Gradients of a minLSTM loss: each in the shape of what it differentiates."""

    kernel: np.ndarray
    """∂L/∂kernel, (input_dim, 3·units)."""
    bias: np.ndarray | None
    """∂L/∂bias, (3·units,), or None when the weights have no bias."""
    inputs: np.ndarray
    """∂L/∂inputs, (batch, time, features)."""
    initial_state: np.ndarray
    """∂L/∂h⟨0⟩, (batch, units)."""


def _backward(
    terms, gate_grads, grads_type, inputs, params, cls, output_grad, initial_state, options
):
    return_sequences, state_grad = options
    x, h0 = _checks.check_input_only_sequence(inputs, params, cls, initial_state)
    _checks.check_bool(return_sequences, "return_sequences")
    batch, steps, _ = x.shape
    dy = _checks.prepare_output_grad(
        output_grad, params, return_sequences=return_sequences, batch=batch, steps=steps
    ).transpose(1, 0, 2)
    (ds,) = _checks.prepare_state_grad(state_grad, params, batch=batch)
    a, b, gates = terms(x, params)
    h = linear_scan(a, b, h0)
    h_previous = np.concatenate([h0[:, None], h[:, :-1]], axis=1)
    delta = _reverse_scan(a, dy, ds)  # (eq-scan-backward)
    # h⟨t⟩ = a ⊙ h⟨t−1⟩ + b: ∂L/∂a = δ ⊙ h⟨t−1⟩, ∂L/∂b = δ, ∂L/∂h⟨0⟩ = a⟨1⟩ ⊙ δ⟨1⟩
    d_products = np.concatenate(gate_grads(delta, h_previous, gates), axis=-1)
    flat_x, flat_d = x.reshape(-1, x.shape[-1]), d_products.reshape(-1, d_products.shape[-1])
    return grads_type(
        kernel=flat_x.T @ flat_d,
        bias=None if params.bias is None else flat_d.sum(axis=0),
        inputs=d_products @ params.kernel.T,
        initial_state=a[:, 0] * delta[:, 0],
    )


def _min_gru_gate_grads(delta, h_previous, gates):
    """∂L/∂(x W_z + b_z) and ∂L/∂h̃ from δ⟨t⟩, through ``eq-min-gru``."""
    z, candidate = gates
    dz = delta * (h_previous - candidate)
    return dz * sigmoid_grad(z), delta * (1 - z)


def _min_lstm_gate_grads(delta, h_previous, gates):
    """∂L/∂(x W_i + b_i), ∂L/∂(x W_f + b_f) and ∂L/∂h̃ from δ⟨t⟩, through ``eq-min-lstm``."""
    i, f, candidate = gates
    total = f + i
    # ∂f′/∂f = i / (f + i)², ∂f′/∂i = −f / (f + i)²; i′ = 1 − f′
    d_f_prime = delta * (h_previous - candidate) / total**2
    di, df = -d_f_prime * f, d_f_prime * i
    return di * sigmoid_grad(i), df * sigmoid_grad(f), delta * i / total


def min_gru_backward(
    inputs, params, output_grad, *, initial_state=None, return_sequences=False, state_grad=None
) -> MinGRUGrads:
    """The gradients of :func:`min_gru`, with the reverse scan ``eq-scan-backward``.

    With ``output, final_state = min_gru(inputs, params, ..., return_state=True)`` returns
    the gradients of L = sum(output_grad * output) + sum(state_grad * final_state), as
    :func:`rnn_playground.gru_backward` does for the GRU. ``output_grad`` has the output's
    shape; ``state_grad`` (batch, units) is zeros when omitted.
    """
    return _backward(
        _min_gru_terms,
        _min_gru_gate_grads,
        MinGRUGrads,
        inputs,
        params,
        MinGRUParams,
        output_grad,
        initial_state,
        (return_sequences, state_grad),
    )


def min_lstm_backward(
    inputs, params, output_grad, *, initial_state=None, return_sequences=False, state_grad=None
) -> MinLSTMGrads:
    """The gradients of :func:`min_lstm`, as :func:`min_gru_backward` for minGRU."""
    return _backward(
        _min_lstm_terms,
        _min_lstm_gate_grads,
        MinLSTMGrads,
        inputs,
        params,
        MinLSTMParams,
        output_grad,
        initial_state,
        (return_sequences, state_grad),
    )


# -- Newton's method for Keras' GRU ------------------------------------------------------------
class NewtonResult(NamedTuple):
    """What :func:`newton_gru` returns."""

    outputs: np.ndarray
    """h⟨1⟩ … h⟨T⟩, (batch, time, units), what ``gru(..., return_sequences=True)`` returns
    once converged."""
    iterations: int
    """Newton iterations done (each one parallel scan)."""
    converged: bool
    """Whether the last iteration changed no state by more than the tolerance."""
    changes: tuple
    """The largest change of any state at each iteration, ``max(abs(h⁽ᵏ⁾ − h⁽ᵏ⁻¹⁾))``."""


def gru_step_jacobians(inputs, state, params, *, activation="tanh", recurrent_activation="sigmoid"):
    """One GRU step for many rows at once, and its Jacobians ∂h⟨t⟩/∂h⟨t−1⟩.

    The step f(h⟨t−1⟩, x⟨t⟩) is :func:`rnn_playground.gru_cell`; the Jacobian's row i is the
    gradient of h_i⟨t⟩ with respect to h⟨t−1⟩, one step of :func:`rnn_playground.gru_backward`
    with output gradient e_i (every row repeated once per unit). What :func:`newton_gru`
    linearises each step with.

    Parameters
    ----------
    inputs : array_like, shape (rows, input_dim)
        x⟨t⟩ of every row (for example every step of every sequence).
    state : array_like, shape (rows, units)
        h⟨t−1⟩ of every row.
    params : GRUParams
    activation, recurrent_activation : str or None
        As for :func:`rnn_playground.gru` (names only: the Jacobians need derivatives).

    Returns
    -------
    h : numpy.ndarray, shape (rows, units)
        h⟨t⟩ = f(h⟨t−1⟩, x⟨t⟩).
    jacobians : numpy.ndarray, shape (rows, units, units)
        ``jacobians[n, i, j]`` = ∂h_i⟨t⟩/∂h_j⟨t−1⟩ for row n.
    """
    x_rows, h_previous = _checks.check_step_rows(inputs, state, params)
    activation_args = {"activation": activation, "recurrent_activation": recurrent_activation}
    _checks.check_activation(activation, "activation", differentiable=True)
    _checks.check_activation(
        recurrent_activation, "recurrent_activation", differentiable=True, recurrent=True
    )
    rows, units = h_previous.shape
    h = gru_cell(x_rows, h_previous, params, **activation_args)
    repeat = np.repeat  # every row once per unit i
    grads = gru_backward(
        repeat(x_rows, units, axis=0)[:, None, :],
        params,
        np.tile(np.eye(units, dtype=params.dtype), (rows, 1)),
        initial_state=repeat(h_previous, units, axis=0),
        **activation_args,
    )
    return h, grads.initial_state.reshape(rows, units, units)


def newton_gru(
    inputs,
    params,
    *,
    initial_state=None,
    activation="tanh",
    recurrent_activation="sigmoid",
    tol=None,
    max_iter=None,
) -> NewtonResult:
    """Every state of Keras' GRU at once, by Newton's method on the whole sequence (DEER).

    Solves h⟨t⟩ = f(h⟨t−1⟩, x⟨t⟩), t = 1 … T, for all t together (Lim et al. 2024,
    ``eq-newton-gru``): from a guess h⁽ᵏ⁾ of every state, linearise every step around it,
    h⟨t⟩ ≈ f(h⁽ᵏ⁾⟨t−1⟩) + J⟨t⟩ (h⟨t−1⟩ − h⁽ᵏ⁾⟨t−1⟩) with the full Jacobian J⟨t⟩ = ∂f/∂h⟨t−1⟩, and
    solve that linear recurrence with :func:`linear_scan` (matrix coefficients) for h⁽ᵏ⁺¹⁾. The
    steps f and the Jacobians come from the package's GRU (:func:`rnn_playground.gru_cell` and
    :func:`rnn_playground.gru_backward`), for both of Keras' variants (``params.reset_after``).
    Full Jacobians, not their diagonals: with them each iteration is an exact Newton step, the
    convergence is quadratic near the solution, and step t is exact after at most t iterations
    (the first step is exact at once, since h⟨0⟩ is given); a diagonal approximation (quasi-DEER)
    is cheaper per iteration but converges linearly.

    Parameters
    ----------
    inputs : array_like, shape (batch, time, features)
    params : GRUParams
    initial_state : array_like, shape (batch, units), optional
        h⟨0⟩; zeros when omitted. The first guess of every state is h⟨0⟩.
    activation, recurrent_activation : str or None
        As for :func:`rnn_playground.gru` (names only: the Jacobians need derivatives).
    tol : float, optional
        Stop when no state changes by more than ``tol · max(1, max(abs(h)))``; default 1000 times
        the dtype's machine epsilon (2.2e-13 in float64).
    max_iter : int, optional
        At most this many iterations; default T + 1 (enough in exact arithmetic).

    Returns
    -------
    NewtonResult
        ``outputs`` (batch, time, units), ``iterations``, ``converged`` and the ``changes``.
        Iterates that overflow stop the iteration with ``converged=False``.
    """
    _checks.check_params(params, GRUParams)
    _checks.check_activation(activation, "activation", differentiable=True)
    _checks.check_activation(
        recurrent_activation, "recurrent_activation", differentiable=True, recurrent=True
    )
    x_steps, (h0,), _ = _checks.prepare_sequence(
        inputs, params, initial_state, None, go_backwards=False
    )
    steps, batch, _ = x_steps.shape
    tol, max_iter = _checks.check_newton_options(tol, max_iter, dtype=params.dtype, steps=steps)
    x_rows = x_steps.reshape(steps * batch, -1)
    units = params.units
    h = np.broadcast_to(h0, (steps, batch, units)).copy()  # h⁽⁰⁾: every state h⟨0⟩
    changes = []
    with np.errstate(over="ignore", invalid="ignore"):
        while len(changes) < max_iter:
            h_previous = np.concatenate([h0[None], h[:-1]])  # h⁽ᵏ⁾⟨t−1⟩, (time, batch, units)
            f, jacobian = gru_step_jacobians(
                x_rows,
                h_previous.reshape(-1, units),
                params,
                activation=activation,
                recurrent_activation=recurrent_activation,
            )
            f = f.reshape(steps, batch, units).swapaxes(0, 1)
            jacobian = jacobian.reshape(steps, batch, units, units).swapaxes(0, 1)
            previous = h_previous.swapaxes(0, 1)
            # (eq-newton-gru)  h⁽ᵏ⁺¹⁾⟨t⟩ = J⟨t⟩ h⁽ᵏ⁺¹⁾⟨t−1⟩ + f(h⁽ᵏ⁾⟨t−1⟩) − J⟨t⟩ h⁽ᵏ⁾⟨t−1⟩
            b = f - (jacobian @ previous[..., None])[..., 0]
            h_new = linear_scan(jacobian, b, h0).swapaxes(0, 1)
            change = float(np.max(np.abs(h_new - h)))
            changes.append(change)
            h = h_new
            if not np.isfinite(change):
                break
            if change <= tol * max(1.0, float(np.max(np.abs(h)))):
                return NewtonResult(
                    np.ascontiguousarray(h.swapaxes(0, 1)), len(changes), True, tuple(changes)
                )
    return NewtonResult(np.ascontiguousarray(h.swapaxes(0, 1)), len(changes), False, tuple(changes))
