"""gru_backward and lstm_backward against tf.GradientTape on keras.layers.GRU / LSTM, and finite
differences.

The reference is TensorFlow's automatic differentiation of the Keras layer holding the same
weights (``random_params``: non-zero biases, both rows of a GRU's with ``reset_after``), in
float64, for both GRU variants and the LSTM; central finite differences of ``gru`` and
``lstm`` (themselves tested against Keras) are a second, independent check. Relative error =
max|ours − theirs| / max|theirs|, field by field.

Keras layer construction is the slow part: one layer (with ``return_state=True``) serves every
case that differs only in what it is called with (mask, initial state, state gradient).
"""

import functools
import itertools

import numpy as np
import pytest
import tensorflow as tf

from rnn_playground import GRUGrads, LSTMGrads, gru, gru_backward, lstm, lstm_backward
from rnn_playground._checks import prepare_sequence
from rnn_playground._recurrence import gru_states, keras_columns, lstm_states
from rnn_playground.activations import get_activation
from rnn_playground.params import GRUParams, LSTMParams
from rnn_playground.testing import (
    keras_gradient_function,
    keras_layer,
    random_params,
    relative_error,
)

# (cell, reset_after): Keras' GRU both ways, and the LSTM
VARIANTS = {
    "gru": ("gru", True),
    "gru-reset_before": ("gru", False),
    "lstm": ("lstm", None),
}
BACKWARD = {"gru": gru_backward, "lstm": lstm_backward}
FORWARD = {"gru": gru, "lstm": lstm}
GRADS = {"gru": GRUGrads, "lstm": LSTMGrads}

# float64 against Keras float64: the two sum the same terms in different orders (seen: up to
# 1.5e-15 with the default activations, 1.3e-13 with relu or linear ones on the wider inputs).
FLOAT64_TOLERANCE = 1e-9

BATCH, STEPS, FEATURES, UNITS = 4, 5, 3, 6
# Sample 0 uses every step, 1 starts and ends masked, 2 is fully masked (its states stay the
# initial ones), 3 has a masked tail: gradients must flow through carried states and outputs.
MASK = np.array(
    [[1, 1, 1, 1, 1], [0, 1, 1, 0, 0], [0, 0, 0, 0, 0], [1, 1, 0, 0, 0]],
    dtype=bool,
)
FULLY_MASKED = 2

_rng = np.random.default_rng(4)
X = _rng.normal(size=(BATCH, STEPS, FEATURES))
H0 = _rng.uniform(-1, 1, size=(BATCH, UNITS))
C0 = _rng.uniform(-2, 2, size=(BATCH, UNITS))


def cell_of(variant):
    return VARIANTS[variant][0]


@functools.cache
def params_for(variant, use_bias=True):
    cell, reset_after = VARIANTS[variant]
    return random_params(
        FEATURES, UNITS, seed=3, use_bias=use_bias, cell=cell, reset_after=reset_after
    )


def state_for(variant, rng):
    """A random state (or state gradient): h, or the LSTM's pair (h, c)."""
    if cell_of(variant) == "lstm":
        return (rng.standard_normal((BATCH, UNITS)), rng.standard_normal((BATCH, UNITS)))
    return rng.standard_normal((BATCH, UNITS))


@functools.cache
def tape_for(params, activation, recurrent_activation, **options):
    """The GradientTape function of one Keras layer configuration, built once."""
    layer = keras_layer(
        params,
        activation=activation,
        recurrent_activation=recurrent_activation,
        return_state=True,
        **options,
    )
    return keras_gradient_function(layer)


def tape_grads(
    params,
    x,
    output_grad,
    *,
    initial_state=None,
    mask=None,
    state_grad=None,
    activation="tanh",
    recurrent_activation="sigmoid",
    **options,
):
    """What ``rnn_playground.testing.keras_gradients`` returns, from a shared layer: the
    GradientTape gradients as GRUGrads or LSTMGrads. The layer is always given an initial
    state (zeros when there is none), which is what it uses without one."""
    lstm_cell = isinstance(params, LSTMParams)
    if initial_state is None:
        zeros = np.zeros((len(x), params.units))
        initial_state = (zeros, zeros) if lstm_cell else zeros
    as_tensors = (lambda s: tuple(map(tf.constant, s))) if lstm_cell else tf.constant
    grads = tape_for(params, activation, recurrent_activation, **options)(
        tf.constant(x),
        as_tensors(initial_state),
        tf.constant(output_grad),
        mask=None if mask is None else tf.constant(mask),
        state_grad=None if state_grad is None else as_tensors(state_grad),
    )
    grads = [g.numpy() for g in grads]
    if params.bias is None:
        grads.append(None)
    if lstm_cell:  # inputs, h0, c0, kernel, recurrent_kernel, bias
        return LSTMGrads(grads[0], (grads[1], grads[2]), *grads[3:])
    return GRUGrads(*grads)


def states_of(state):
    """The arrays of a state: [h], or [h, c] for the LSTM's pair."""
    return list(state) if isinstance(state, tuple) else [state]


def arrays_of(grads):
    """(name, array) for every array of a GRUGrads or LSTMGrads (None for a missing bias)."""
    for field, value in zip(grads._fields, grads, strict=True):
        if isinstance(value, tuple):
            yield from ((f"{field}[{i}]", v) for i, v in enumerate(value))
        else:
            yield field, value


def assert_matches(ours, theirs, tolerance=FLOAT64_TOLERANCE, dtype=np.float64):
    assert type(ours) is type(theirs)
    for (field, mine), (_, ref) in zip(arrays_of(ours), arrays_of(theirs), strict=True):
        if ref is None:
            assert mine is None, f"{field}: expected None without a bias"
            continue
        assert isinstance(mine, np.ndarray), field
        assert mine.shape == ref.shape, f"{field}: shape {mine.shape}, TensorFlow {ref.shape}"
        assert mine.dtype == dtype, f"{field}: dtype {mine.dtype}"
        error = relative_error(mine, ref)
        assert error <= tolerance, f"{field}: relative error {error:.2e}"


# -- every option combination against tf.GradientTape, float64 ------------------------------
def _option_cases():
    flags = [(False, True)] * 6
    for variant, *values in itertools.product(VARIANTS, *flags):
        use_bias, return_sequences, go_backwards, masked, zero_output, with_state = values
        case_id = "-".join(
            [variant, "bias" if use_bias else "nobias"]
            + ["seq"] * return_sequences
            + ["back"] * go_backwards
            + ["mask"] * masked
            + ["zero"] * zero_output
            + ["state"] * with_state
        )
        yield pytest.param(variant, *values, id=case_id)


@pytest.mark.parametrize(
    (
        "variant",
        "use_bias",
        "return_sequences",
        "go_backwards",
        "masked",
        "zero_output_for_mask",
        "with_state",
    ),
    list(_option_cases()),
)
def test_matches_gradient_tape_float64(
    variant, use_bias, return_sequences, go_backwards, masked, zero_output_for_mask, with_state
):
    flags = [use_bias, return_sequences, go_backwards, masked, zero_output_for_mask, with_state]
    rng = np.random.default_rng([int(flag) for flag in flags])
    params = params_for(variant, use_bias)
    output_grad = rng.standard_normal((BATCH, STEPS, UNITS) if return_sequences else (BATCH, UNITS))
    layer_options = dict(
        return_sequences=return_sequences,
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
    )
    call = dict(
        initial_state=state_for(variant, rng) if with_state else None,
        state_grad=state_for(variant, rng) if with_state else None,
        mask=MASK if masked else None,
    )

    ours = BACKWARD[cell_of(variant)](X, params, output_grad, **call, **layer_options)
    theirs = tape_grads(params, X, output_grad, **call, **layer_options)

    assert isinstance(ours, GRADS[cell_of(variant)])
    assert_matches(ours, theirs)
    if use_bias:  # the bias' own shape: (2, 3·units) with reset_after
        assert ours.bias.shape == params.bias.shape
    if masked:  # masked input steps: exactly zero, in both
        assert np.all(ours.inputs[~MASK] == 0)
        assert np.all(theirs.inputs[~MASK] == 0)


# -- every activation of the candidate and of the gates ----------------------------------------
ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear", None]
RECURRENT_ACTIVATIONS = ["sigmoid", "hard_sigmoid", "tanh", "relu", "linear", None]
# inputs large enough that hard_sigmoid's gates leave (−3, 3) at some steps (asserted below)
X_WIDE = 3 * X


def _gates(variant, params, x, activation, recurrent_activation):
    """The gate values of every step (time, batch, blocks·units), from the forward pass."""
    states = gru_states if cell_of(variant) == "gru" else lstm_states
    x_steps, initial_states, _ = prepare_sequence(
        x, params, None, None, go_backwards=False, state_count=1 + (cell_of(variant) == "lstm")
    )
    _, gates = states(
        x_steps,
        initial_states,
        None,
        params,
        get_activation(activation).forward,
        get_activation(recurrent_activation).forward,
    )
    return keras_columns(gates)


@pytest.mark.parametrize("recurrent_activation", RECURRENT_ACTIVATIONS, ids=str)
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
@pytest.mark.parametrize("variant", VARIANTS)
def test_activations_match_gradient_tape(variant, activation, recurrent_activation):
    rng = np.random.default_rng(5)
    params = params_for(variant)
    output_grad = rng.standard_normal((BATCH, STEPS, UNITS))
    call = dict(
        initial_state=state_for(variant, rng), state_grad=state_for(variant, rng), mask=MASK
    )
    options = dict(
        activation=activation, recurrent_activation=recurrent_activation, return_sequences=True
    )

    ours = BACKWARD[cell_of(variant)](X_WIDE, params, output_grad, **call, **options)
    theirs = tape_grads(params, X_WIDE, output_grad, **call, **options)

    assert_matches(ours, theirs)
    assert np.all(ours.inputs[~MASK] == 0)
    if recurrent_activation == "hard_sigmoid":  # both of its flat parts were reached
        gates = _gates(variant, params, X_WIDE, activation, recurrent_activation)
        units = params.units
        sigma_blocks = [0, 1] if cell_of(variant) == "gru" else [0, 1, 3]
        values = np.concatenate([gates[..., j * units : (j + 1) * units] for j in sigma_blocks])
        assert np.any(values == 0)
        assert np.any(values == 1)
        assert np.any((values > 0) & (values < 1))


# -- hard_sigmoid at its corners, −3 and 3 -----------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_hard_sigmoid_corners_match_gradient_tape(variant):
    """Gate pre-activations exactly at −3 and 3, where hard_sigmoid = relu6(x + 3) / 6 has a
    corner: TensorFlow's relu6 passes no gradient there (its derivative is taken as 0 at both
    ends), and neither does the package. The first gate block's kernel and recurrent-kernel
    columns are zero and its bias is −3 for half the units and 3 for the others."""
    params = params_for(variant)
    units = params.units
    kernel, recurrent_kernel = params.kernel.copy(), params.recurrent_kernel.copy()
    kernel[:, :units] = 0
    recurrent_kernel[:, :units] = 0
    bias = params.bias.copy()
    corners = np.where(np.arange(units) < units // 2, -3.0, 3.0)
    if bias.ndim == 2:  # reset_after: both rows are added
        bias[0, :units], bias[1, :units] = corners, 0.0
    else:
        bias[:units] = corners
    options = {"reset_after": params.reset_after} if isinstance(params, GRUParams) else {}
    corner_params = type(params)(kernel, recurrent_kernel, bias, **options)
    rng = np.random.default_rng(6)
    output_grad = rng.standard_normal((BATCH, STEPS, UNITS))
    call = dict(recurrent_activation="hard_sigmoid", return_sequences=True)

    ours = BACKWARD[cell_of(variant)](X, corner_params, output_grad, **call)
    theirs = tape_grads(corner_params, X, output_grad, **call)

    assert_matches(ours, theirs)
    gates = _gates(variant, corner_params, X, "tanh", "hard_sigmoid")
    np.testing.assert_array_equal(
        gates[..., :units], np.broadcast_to(corners + 3, gates[..., :units].shape) / 6
    )
    theirs_bias = theirs.bias[0] if theirs.bias.ndim == 2 else theirs.bias
    ours_bias = ours.bias[0] if ours.bias.ndim == 2 else ours.bias
    np.testing.assert_array_equal(theirs_bias[:units], 0)
    np.testing.assert_array_equal(ours_bias[:units], 0)
    np.testing.assert_array_equal(ours.kernel[:, :units], 0)


# -- masked steps --------------------------------------------------------------------------------
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_masked_steps_get_exactly_zero_and_carried_states_pass_their_gradient(
    variant, go_backwards
):
    """Masked input steps get exactly zero gradient, and only they; a fully masked sample's
    final states are its initial states, so their gradient is exactly the final states' (its
    output is zero: no gradient comes from it)."""
    rng = np.random.default_rng(7)
    params = params_for(variant)
    initial_state, state_grad = state_for(variant, rng), state_for(variant, rng)
    grads = BACKWARD[cell_of(variant)](
        X,
        params,
        rng.standard_normal((BATCH, UNITS)),
        initial_state=initial_state,
        state_grad=state_grad,
        mask=MASK,
        go_backwards=go_backwards,
    )
    assert np.all(grads.inputs[~MASK] == 0)
    assert np.all(grads.inputs[MASK] != 0)
    if cell_of(variant) == "lstm":
        for d_initial, d_final in zip(grads.initial_state, state_grad, strict=True):
            assert np.array_equal(d_initial[FULLY_MASKED], d_final[FULLY_MASKED])
    else:
        assert np.array_equal(grads.initial_state[FULLY_MASKED], state_grad[FULLY_MASKED])


# -- a second, independent check: central finite differences of gru and lstm -----------------
def finite_difference_grads(variant, params, x, output_grad, initial_state, state_grad, options):
    """Central differences (step 1e-6, float64) of L = Σ output_grad ⊙ output + Σ state_grad ⊙
    final states, computed with the package's forward pass."""
    lstm_cell = cell_of(variant) == "lstm"
    arrays = {
        "inputs": np.array(x),
        "kernel": np.array(params.kernel),
        "recurrent_kernel": np.array(params.recurrent_kernel),
        "bias": np.array(params.bias),
    }
    # named as arrays_of names the fields: initial_state, or initial_state[0] and [1]
    names = ["initial_state[0]", "initial_state[1]"] if lstm_cell else ["initial_state"]
    states = initial_state if lstm_cell else (initial_state,)
    arrays |= {name: np.array(s) for name, s in zip(names, states, strict=True)}
    final_grads = state_grad if lstm_cell else (state_grad,)
    reset = {} if lstm_cell else {"reset_after": params.reset_after}

    def loss():
        p = type(params)(arrays["kernel"], arrays["recurrent_kernel"], arrays["bias"], **reset)
        initial = [arrays[name] for name in names]
        output, *final = FORWARD[cell_of(variant)](
            arrays["inputs"],
            p,
            initial_state=initial if lstm_cell else initial[0],
            return_state=True,
            **options,
        )
        return np.sum(output_grad * output) + sum(
            np.sum(g * s) for g, s in zip(final_grads, final, strict=True)
        )

    eps, grads = 1e-6, {}
    for name, array in arrays.items():
        grad = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + eps
            up = loss()
            array[index] = saved - eps
            down = loss()
            array[index] = saved
            grad[index] = (up - down) / (2 * eps)
        grads[name] = grad
    return grads


FD_CASES = [
    dict(),
    dict(activation="relu", recurrent_activation="hard_sigmoid", return_sequences=True),
    dict(activation="sigmoid", recurrent_activation="tanh", mask=True, go_backwards=True),
    dict(activation=None, mask=True, return_sequences=True, zero_output_for_mask=True),
]


@pytest.mark.parametrize(
    "case", FD_CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()) or "defaults"
)
@pytest.mark.parametrize("variant", VARIANTS)
def test_matches_finite_differences(variant, case):
    options = dict(case)
    rng = np.random.default_rng(8)
    batch, steps, features, units = 2, 4, 2, 3
    cell, reset_after = VARIANTS[variant]
    params = random_params(features, units, seed=rng, cell=cell, reset_after=reset_after)
    x = rng.standard_normal((batch, steps, features))
    if options.pop("mask", False):
        options["mask"] = np.array([[1, 0, 1, 1], [0, 1, 1, 0]], dtype=bool)
    output_grad = rng.standard_normal(
        (batch, steps, units) if options.get("return_sequences") else (batch, units)
    )
    pair = cell == "lstm"
    initial_state, state_grad = (
        tuple(rng.standard_normal((batch, units)) for _ in range(2))
        if pair
        else rng.standard_normal((batch, units))
        for _ in range(2)
    )

    ours = BACKWARD[cell](
        x, params, output_grad, initial_state=initial_state, state_grad=state_grad, **options
    )
    numeric = finite_difference_grads(
        variant, params, x, output_grad, initial_state, state_grad, options
    )
    for field, mine in arrays_of(ours):
        error = relative_error(mine, numeric[field])
        assert error < 1e-6, f"{field}: relative error {error:.2e} against finite differences"


# -- float32 at a realistic size -------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_matches_gradient_tape_float32_realistic(variant):
    """16 × 20 × 16 → 32 units, masked, against Keras float32: both round in float32 and sum
    in different orders (seen: up to 1.7e-6 relative, and each within 1.7e-6 of the float64
    result); 1e-5 leaves room."""
    rng = np.random.default_rng(9)
    batch, steps, features, units = 16, 20, 16, 32
    cell, reset_after = VARIANTS[variant]
    params = random_params(
        features, units, seed=rng, cell=cell, reset_after=reset_after, dtype="float32"
    )
    x = rng.standard_normal((batch, steps, features)).astype("float32")
    mask = rng.random((batch, steps)) < 0.8
    output_grad = rng.standard_normal((batch, steps, units)).astype("float32")
    ours = BACKWARD[cell](x, params, output_grad, mask=mask, return_sequences=True)
    theirs = tape_grads(params, x, output_grad, mask=mask, return_sequences=True)
    assert_matches(ours, theirs, tolerance=1e-5, dtype=np.float32)
    assert np.all(ours.inputs[~mask] == 0)


# -- smaller contracts -------------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_inputs_are_not_modified_and_lists_are_accepted(variant):
    rng = np.random.default_rng(10)
    params = params_for(variant)
    output_grad = rng.standard_normal((BATCH, STEPS, UNITS))
    initial_state, state_grad = state_for(variant, rng), state_for(variant, rng)
    mask = MASK.copy()
    arrays = [X, output_grad, mask, *states_of(initial_state), *states_of(state_grad)]
    copies = [a.copy() for a in arrays]
    weights = [w.copy() for w in (params.kernel, params.recurrent_kernel, params.bias)]
    backward = BACKWARD[cell_of(variant)]
    options = dict(mask=mask, return_sequences=True)
    plain = backward(
        X, params, output_grad, initial_state=initial_state, state_grad=state_grad, **options
    )
    if cell_of(variant) == "lstm":  # [h0, c0] as Keras takes it, and a list for the gradient
        listed = backward(
            X,
            params,
            output_grad,
            initial_state=list(initial_state),
            state_grad=list(state_grad),
            **options,
        )
    else:  # [h0] as Keras takes it
        listed = backward(
            X, params, output_grad, initial_state=[initial_state], state_grad=state_grad, **options
        )
    for original, copy in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(original, copy)
    for original, copy in zip(
        (params.kernel, params.recurrent_kernel, params.bias), weights, strict=True
    ):
        np.testing.assert_array_equal(original, copy)
    for (field, a), (_, b) in zip(arrays_of(plain), arrays_of(listed), strict=True):
        np.testing.assert_array_equal(a, b, err_msg=field)


@pytest.mark.parametrize("variant", VARIANTS)
def test_params_dtype_governs(variant):
    cell, reset_after = VARIANTS[variant]
    params = random_params(
        FEATURES, UNITS, seed=11, cell=cell, reset_after=reset_after, dtype="float32"
    )
    grads = BACKWARD[cell](X, params, np.ones((BATCH, UNITS)))  # float64 inputs
    assert {a.dtype for _, a in arrays_of(grads)} == {np.dtype("float32")}
