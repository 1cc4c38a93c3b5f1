"""gru_cell, gru, lstm_cell and lstm against Keras: every option, every combination, both GRU
variants, two dtypes, bias on and off, and the activations of the gates.

The references are ``keras.layers.GRU`` / ``LSTM`` and their cells holding the same weights
(``random_params``: non-zero biases, both rows of a GRU's with ``reset_after``), inputs, initial
states and mask. As in ``test_forward.py``, each Keras layer configuration is called once on
four copies of the batch stacked along the batch axis: (no mask, zero state), (no mask, h0),
(mask, zero state), (mask, h0), with ``return_state=True``; a case with ``return_state=False``
is compared with the output alone. ``test_keras_stacked_calls_equal_plain_calls`` checks on
today's Keras that those stand for the plain calls. The package itself is always called the
plain way.
"""

import functools
import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

from rnn_playground import GRUParams, gru, gru_cell, lstm, lstm_cell
from rnn_playground._checks import prepare_sequence
from rnn_playground._recurrence import gru_states, keras_columns, lstm_states
from rnn_playground.activations import get_activation
from rnn_playground.testing import (
    ATOL,
    assert_close_to_keras,
    keras_layer,
    keras_outputs,
    random_params,
    softsign,
)

DTYPES = list(ATOL)
# (cell, reset_after): Keras' GRU both ways, and the LSTM
VARIANTS = {
    "gru": ("gru", True),
    "gru-reset_before": ("gru", False),
    "lstm": ("lstm", None),
}
LAYERS = {"gru": gru, "lstm": lstm}

BATCH, STEPS, FEATURES, UNITS = 6, 4, 3, 5
# all steps used, none, leading and trailing steps masked, a hole, only the last step masked,
# only the first step masked
MASK = np.array(
    [[1, 1, 1, 1], [0, 0, 0, 0], [0, 1, 1, 0], [1, 0, 1, 1], [1, 1, 1, 0], [0, 1, 1, 1]],
    dtype=bool,
)
FULLY_MASKED = 1

_rng = np.random.default_rng(2)
X = _rng.normal(size=(BATCH, STEPS, FEATURES))
H0 = _rng.uniform(-1, 1, size=(BATCH, UNITS))
C0 = _rng.uniform(-2, 2, size=(BATCH, UNITS))


def params_for(variant, dtype, *, use_bias=True, input_dim=FEATURES, units=UNITS, seed=2):
    cell, reset_after = VARIANTS[variant]
    return random_params(
        input_dim, units, seed=seed, dtype=dtype, use_bias=use_bias, cell=cell,
        reset_after=reset_after,
    )  # fmt: skip


def initial_state_for(variant, dtype, h0=H0, c0=C0):
    """What the layer reads as its initial state: h0, or the LSTM's pair (h0, c0)."""
    if VARIANTS[variant][0] == "lstm":
        return (h0.astype(dtype), c0.astype(dtype))
    return h0.astype(dtype)


def run_ours(variant, inputs, params, **options):
    return LAYERS[VARIANTS[variant][0]](inputs, params, **options)


# -- Keras' results for the four stacked (mask, initial state) blocks -------------------------
BLOCKS = [(False, False), (False, True), (True, False), (True, True)]  # (masked, with h0)


@functools.cache
def keras_blocks(variant, *, dtype, use_bias=True, **options):
    """Keras' (output, *final states) for the four (mask, initial state) variants of one
    layer configuration, called once with ``return_state=True``."""
    x = np.concatenate([X] * len(BLOCKS))
    mask = np.concatenate([MASK if masked else np.ones_like(MASK) for masked, _ in BLOCKS])
    h0 = np.concatenate([H0 if with_h0 else np.zeros_like(H0) for _, with_h0 in BLOCKS])
    c0 = np.concatenate([C0 if with_h0 else np.zeros_like(C0) for _, with_h0 in BLOCKS])
    result = keras_outputs(
        params_for(variant, dtype, use_bias=use_bias),
        x,
        mask=mask,
        initial_state=initial_state_for(variant, dtype, h0, c0),
        return_state=True,
        **options,
    )
    return {
        block: tuple(r[i * BATCH : (i + 1) * BATCH] for r in result)
        for i, block in enumerate(BLOCKS)
    }


def expected(theirs, return_state):
    return theirs if return_state else theirs[0]


def plain_call(variant, dtype, masked, with_initial_state):
    call = {}
    if masked:
        call["mask"] = MASK
    if with_initial_state:
        call["initial_state"] = initial_state_for(variant, dtype)
    return call


# -- the full product of options --------------------------------------------------------------
def _option_cases():
    for variant, dtype, *flags in itertools.product(VARIANTS, DTYPES, *[(False, True)] * 7):
        use_bias, backwards, zero_out, seq, state, masked, h0 = flags
        case_id = "-".join(
            [
                variant,
                dtype,
                "bias" if use_bias else "nobias",
                "backwards" if backwards else "forwards",
                "zero_out" if zero_out else "repeat_out",
                "seq" if seq else "last",
                "state" if state else "nostate",
                "mask" if masked else "nomask",
                "h0" if h0 else "zeros",
            ]
        )
        yield pytest.param(variant, dtype, *flags, id=case_id)


@pytest.mark.parametrize(
    (
        "variant",
        "dtype",
        "use_bias",
        "go_backwards",
        "zero_output_for_mask",
        "return_sequences",
        "return_state",
        "masked",
        "with_initial_state",
    ),
    list(_option_cases()),
)
def test_gated_layer_matches_keras(
    variant,
    dtype,
    use_bias,
    go_backwards,
    zero_output_for_mask,
    return_sequences,
    return_state,
    masked,
    with_initial_state,
):
    options = dict(
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
        return_sequences=return_sequences,
    )
    theirs = keras_blocks(variant, dtype=dtype, use_bias=use_bias, **options)
    theirs = expected(theirs[masked, with_initial_state], return_state)
    ours = run_ours(
        variant,
        X.astype(dtype),
        params_for(variant, dtype, use_bias=use_bias),
        return_state=return_state,
        **options,
        **plain_call(variant, dtype, masked, with_initial_state),
    )
    assert_close_to_keras(ours, theirs, dtype=dtype)
    output = ours[0] if return_state else ours
    assert output.shape == ((BATCH, STEPS, UNITS) if return_sequences else (BATCH, UNITS))
    if return_state:
        assert len(ours) == (3 if variant == "lstm" else 2)  # output, h (, c)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "seq"])
def test_keras_stacked_calls_equal_plain_calls(variant, dtype, go_backwards, return_sequences):
    """The premise of the stacked calls above, checked on Keras itself: no mask and no initial
    state give what an all-True mask and zeros give, and return_state=False returns the output
    alone: to rounding (a larger batch can change the last bits of a matrix product), within a
    tenth of the tolerance the tests allow the package."""
    options = dict(go_backwards=go_backwards, return_sequences=return_sequences)
    params, x = params_for(variant, dtype), X.astype(dtype)
    stacked = keras_blocks(variant, dtype=dtype, **options)
    plain = keras_outputs(params, x, return_state=True, **options)
    for p, s in zip(plain, stacked[False, False], strict=True):
        np.testing.assert_allclose(p, s, rtol=0, atol=ATOL[dtype] / 10)
    with_h0 = keras_outputs(params, x, initial_state=initial_state_for(variant, dtype), **options)
    np.testing.assert_allclose(with_h0, stacked[False, True][0], rtol=0, atol=ATOL[dtype] / 10)
    assert_close_to_keras(run_ours(variant, x, params, return_state=True, **options), plain,
                          dtype=dtype)  # fmt: skip


# -- activations of the candidate and of the gates --------------------------------------------
ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear", None, softsign]
RECURRENT_ACTIVATIONS = ["sigmoid", "hard_sigmoid", "tanh", "relu", "linear", None, softsign]


def _name(activation):
    return "callable" if callable(activation) else str(activation).lower()


# Two configurations of the other options, so that each option takes both its values with every
# pair of activations (the full product with the options above would be 42 times as many Keras
# layers). The second is float32, but for gates that are not bounded to [0, 1] (relu, linear):
# with z > 1, h = z ⊙ h + (1 − z) ⊙ h̃ is a difference of large numbers that amplifies float32's
# rounding to about half the tolerance (5e-6 relative here), too close to hold on every machine.
UNBOUNDED_GATES = ("relu", "linear", None)
ACTIVATION_CONFIGS = {
    "bias-backwards-repeat_out-seq": dict(
        use_bias=True, go_backwards=True, zero_output_for_mask=False, return_sequences=True,
    ),
    "nobias-forwards-zero_out-last": dict(
        use_bias=False, go_backwards=False, zero_output_for_mask=True, return_sequences=False,
    ),
}  # fmt: skip


def _activation_cases():
    for variant, activation, recurrent_activation, config in itertools.product(
        VARIANTS, ACTIVATIONS, RECURRENT_ACTIVATIONS, ACTIVATION_CONFIGS
    ):
        dtype = "float64"
        if config.startswith("nobias") and recurrent_activation not in UNBOUNDED_GATES:
            dtype = "float32"
        case_id = f"{variant}-{_name(activation)}-{_name(recurrent_activation)}-{dtype}-{config}"
        yield pytest.param(variant, activation, recurrent_activation, dtype, config, id=case_id)


@pytest.mark.parametrize(
    ("variant", "activation", "recurrent_activation", "dtype", "config"),
    list(_activation_cases()),
)
def test_activations_match_keras(variant, activation, recurrent_activation, dtype, config):
    """Every pair, with and without a mask and initial states (one Keras call), in two
    configurations of the other options.

    With unbounded gates (linear, relu) and an unbounded candidate the states grow to 1e10
    within four steps, and rounding alone exceeds the absolute tolerance (1e-10 in float64,
    1e-5 in float32): the results are compared relative to their largest entry (when it
    exceeds 1)."""
    options = dict(ACTIVATION_CONFIGS[config])
    use_bias = options.pop("use_bias")
    options.update(activation=activation, recurrent_activation=recurrent_activation)
    blocks = keras_blocks(variant, dtype=dtype, use_bias=use_bias, **options)
    params = params_for(variant, dtype, use_bias=use_bias)
    for masked, with_h0 in BLOCKS:
        ours = run_ours(
            variant, X.astype(dtype), params, return_state=True, **options,
            **plain_call(variant, dtype, masked, with_h0),
        )  # fmt: skip
        theirs = blocks[masked, with_h0]
        scale = max(1.0, *(float(np.abs(t).max()) for t in theirs))
        assert_close_to_keras(
            tuple(o / scale for o in ours), tuple(t / scale for t in theirs), dtype=dtype
        )


@pytest.mark.parametrize("recurrent_activation", ["sigmoid", "hard_sigmoid"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_hard_sigmoid_gates_in_float32(variant, recurrent_activation):
    options = dict(recurrent_activation=recurrent_activation, return_sequences=True)
    blocks = keras_blocks(variant, dtype="float32", **options)
    params = params_for(variant, "float32")
    ours = run_ours(
        variant, X.astype("float32"), params, return_state=True, **options,
        **plain_call(variant, "float32", True, True),
    )  # fmt: skip
    assert_close_to_keras(ours, blocks[True, True], dtype="float32")


def test_hard_sigmoid_is_keras_3s():
    """Keras 3's hard_sigmoid is relu6(x + 3) / 6, flat outside (−3, 3); Keras 2's 0.2 x + 0.5
    would differ inside."""
    z = np.linspace(-5, 5, 101)
    keras_values = keras.activations.hard_sigmoid(tf.constant(z)).numpy()
    np.testing.assert_allclose(get_activation("hard_sigmoid").forward(z), keras_values,
                               rtol=0, atol=1e-15)  # fmt: skip
    assert np.abs(keras_values - np.clip(0.2 * z + 0.5, 0, 1)).max() > 0.05


# -- the cells: one step ------------------------------------------------------------------------
def keras_cell(params, **options):
    cls = keras.layers.GRUCell if isinstance(params, GRUParams) else keras.layers.LSTMCell
    extra = {"reset_after": params.reset_after} if isinstance(params, GRUParams) else {}
    cell = cls(
        params.units, use_bias=params.bias is not None, dtype=str(params.dtype), **extra,
        **options,
    )  # fmt: skip
    cell.build((None, params.input_dim))
    params.to_keras(cell)
    return cell


def cell_step(variant, x, params, *, h=H0, c=C0, **options):
    """Ours and Keras' one step: (new h,) for the GRU, (new h, new c) for the LSTM."""
    h, c = h.astype(params.dtype), c.astype(params.dtype)
    if variant == "lstm":
        output, [keras_h, keras_c] = keras_cell(params, **options)(x, [h, c])
        np.testing.assert_array_equal(output, keras_h)  # the output is h
        return lstm_cell(x, (h, c), params, **options), (np.asarray(keras_h), np.asarray(keras_c))
    output, [keras_h] = keras_cell(params, **options)(x, [h])
    np.testing.assert_array_equal(output, keras_h)
    return gru_cell(x, h, params, **options), np.asarray(keras_h)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_cell_matches_keras(variant, use_bias, dtype):
    params = params_for(variant, dtype, use_bias=use_bias)
    ours, theirs = cell_step(variant, X[:, 0].astype(dtype), params)
    assert_close_to_keras(ours, theirs, dtype=dtype)


@pytest.mark.parametrize("recurrent_activation", RECURRENT_ACTIVATIONS, ids=_name)
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=_name)
@pytest.mark.parametrize("variant", VARIANTS)
def test_cell_activations_match_keras(variant, activation, recurrent_activation):
    params = params_for(variant, "float64")
    ours, theirs = cell_step(
        variant, X[:, 0], params, activation=activation, recurrent_activation=recurrent_activation
    )
    assert_close_to_keras(ours, theirs, dtype="float64")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("batch", "input_dim", "units"), [(1, 1, 1), (1, 3, 2), (4, 1, 3), (2, 5, 1)], ids=str
)
@pytest.mark.parametrize("variant", VARIANTS)
def test_cell_small_shapes(variant, batch, input_dim, units, dtype, rng):
    params = params_for(variant, dtype, input_dim=input_dim, units=units, seed=rng)
    x = rng.normal(size=(batch, input_dim)).astype(dtype)
    h, c = rng.uniform(-1, 1, size=(2, batch, units))
    ours, theirs = cell_step(variant, x, params, h=h, c=c)
    assert_close_to_keras(ours, theirs, dtype=dtype)


def test_lstm_cell_takes_a_list_or_a_tuple():
    params = params_for("lstm", "float64")
    from_tuple = lstm_cell(X[:, 0], (H0, C0), params)
    from_list = lstm_cell(X[:, 0], [H0, C0], params)
    assert isinstance(from_list, tuple)
    for a, b in zip(from_tuple, from_list, strict=True):
        np.testing.assert_array_equal(a, b)


# -- single options in detail --------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("zero_output_for_mask", [False, True], ids=["repeat_out", "zero_out"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_fully_masked_sample_keeps_initial_states_and_outputs_zeros(
    variant, go_backwards, zero_output_for_mask, dtype
):
    options = dict(
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
        return_sequences=True,
        return_state=True,
        mask=MASK,
        initial_state=initial_state_for(variant, dtype),
    )
    params, x = params_for(variant, dtype), X.astype(dtype)
    theirs = keras_outputs(params, x, **options)
    ours = run_ours(variant, x, params, **options)
    initial = (H0, C0) if variant == "lstm" else (H0,)
    # What Keras does, and therefore what we must do: every state (h, and c for the LSTM) is
    # the initial one, bit for bit, and every output of that sample is exactly zero.
    for result in (theirs, ours):
        np.testing.assert_array_equal(result[0][FULLY_MASKED], 0)
        for state, state0 in zip(result[1:], initial, strict=True):
            np.testing.assert_array_equal(state[FULLY_MASKED], state0.astype(dtype)[FULLY_MASKED])
    assert_close_to_keras(ours, theirs, dtype=dtype)


@pytest.mark.parametrize(
    "wrap", [lambda a: a, lambda a: [a], lambda a: (a,)], ids=["array", "list", "tuple"]
)
@pytest.mark.parametrize("variant", ["gru", "gru-reset_before"])
def test_gru_initial_state_as_array_or_one_element_list(variant, wrap):
    params = params_for(variant, "float64")
    layer = keras_layer(params, return_sequences=True, return_state=True)
    for keras_form in (H0, [H0]):  # Keras treats `h0` and `[h0]` alike
        theirs = tuple(np.asarray(r) for r in layer(X, initial_state=keras_form))
        ours = gru(X, params, initial_state=wrap(H0), return_sequences=True, return_state=True)
        assert_close_to_keras(ours, theirs, dtype="float64")


@pytest.mark.parametrize("wrap", [tuple, list])
def test_lstm_initial_state_as_tuple_or_list(wrap):
    params = params_for("lstm", "float64")
    options = dict(return_sequences=True, return_state=True)
    theirs = keras_outputs(params, X, initial_state=[H0, C0], **options)
    ours = lstm(X, params, initial_state=wrap([H0, C0]), **options)
    assert_close_to_keras(ours, theirs, dtype="float64")


@pytest.mark.parametrize("param_dtype", DTYPES)
@pytest.mark.parametrize("input_dtype", ["int8", "uint8", "bool", "float32", "float64"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_result_dtype_follows_params_and_integers_are_cast(variant, input_dtype, param_dtype):
    x = (np.abs(X) * 3).astype(input_dtype)
    initial = initial_state_for(variant, "int32", (H0 > 0), (C0 > 0))  # integer states too
    params = params_for(variant, param_dtype)
    options = dict(initial_state=initial, return_sequences=True, return_state=True)
    theirs = keras_outputs(params, x.astype(param_dtype), **options)
    assert_close_to_keras(run_ours(variant, x, params, **options), theirs, dtype=param_dtype)


ALL_OPTIONS = dict(go_backwards=True, return_sequences=True, return_state=True)


@pytest.mark.parametrize("variant", VARIANTS)
def test_inputs_are_not_modified_and_results_are_new(variant):
    params = params_for(variant, "float64")
    weights = [np.array(w) for w in (params.kernel, params.recurrent_kernel, params.bias)]
    params = type(params)(*weights, **({} if variant == "lstm" else
                                       {"reset_after": params.reset_after}))  # fmt: skip
    x, h0, c0, mask = X.copy(), H0.copy(), C0.copy(), MASK.astype(int)
    initial = (h0, c0) if variant == "lstm" else h0
    originals = [a.copy() for a in (x, h0, c0, mask, *weights)]

    ours = run_ours(variant, x, params, initial_state=initial, mask=mask, **ALL_OPTIONS)
    for result in ours:  # the results are the caller's: writing into them reaches nothing else
        result[...] = 123.0
    for before, after in zip(originals, (x, h0, c0, mask, *weights), strict=True):
        np.testing.assert_array_equal(after, before)
    theirs = keras_outputs(params, X, initial_state=initial, mask=MASK, **ALL_OPTIONS)
    ours = run_ours(variant, x, params, initial_state=initial, mask=mask, **ALL_OPTIONS)
    assert_close_to_keras(ours, theirs, dtype="float64")


@pytest.mark.parametrize("variant", VARIANTS)
def test_cell_does_not_modify_its_inputs(variant):
    params = params_for(variant, "float64")
    x, h0, c0 = X[:, 0].copy(), H0.copy(), C0.copy()
    for array in (x, h0, c0):
        array.flags.writeable = False  # read-only inputs work, and cannot be written to
    ours, theirs = cell_step(variant, x, params, h=h0, c=c0)
    assert_close_to_keras(ours, theirs, dtype="float64")
    np.testing.assert_array_equal(x, X[:, 0])
    for result in ours if variant == "lstm" else (ours,):
        assert result.flags.writeable
        assert not np.shares_memory(result, h0)
        assert not np.shares_memory(result, c0)


@pytest.mark.parametrize("variant", VARIANTS)
def test_read_only_and_nested_list_inputs(variant):
    params = params_for(variant, "float64")
    x, mask = X.copy(), MASK.copy()
    for array in (x, mask):
        array.flags.writeable = False
    theirs = keras_outputs(params, X, mask=MASK, **ALL_OPTIONS)
    assert_close_to_keras(run_ours(variant, x, params, mask=mask, **ALL_OPTIONS), theirs,
                          dtype="float64")  # fmt: skip
    assert_close_to_keras(run_ours(variant, X.tolist(), params, mask=MASK.tolist(),
                                   **ALL_OPTIONS), theirs, dtype="float64")  # fmt: skip


# -- what the forward pass keeps for the backward pass (issue: gated backpropagation) -----------
def _tf_gates(variant, params, x, h_steps, c_steps):
    """Each step's gate values, computed with TensorFlow from Keras' own states (independent
    of the package): [z | r | h̃] for the GRU, [i | f | g | o] for the LSTM."""
    kernel, recurrent_kernel = tf.constant(params.kernel), tf.constant(params.recurrent_kernel)
    units, values = params.units, []
    for k in range(x.shape[1]):
        h = h_steps[:, k]
        if variant == "lstm":
            z = x[:, k] @ kernel + h @ recurrent_kernel + params.bias
            i, f, g, o = tf.split(z, 4, axis=-1)
            values.append(tf.concat([tf.sigmoid(i), tf.sigmoid(f), tf.tanh(g), tf.sigmoid(o)], -1))
            continue
        bias = params.bias if params.reset_after else np.stack([params.bias, 0 * params.bias])
        x_part = x[:, k] @ kernel + bias[0]
        h_part = h @ recurrent_kernel + bias[1]
        z = tf.sigmoid(x_part[:, :units] + h_part[:, :units])
        r = tf.sigmoid(x_part[:, units : 2 * units] + h_part[:, units : 2 * units])
        if params.reset_after:
            candidate = tf.tanh(x_part[:, 2 * units :] + r * h_part[:, 2 * units :])
        else:
            candidate = tf.tanh(x_part[:, 2 * units :] + (r * h) @ recurrent_kernel[:, 2 * units :])
        values.append(tf.concat([z, r, candidate], -1))
    return np.stack([v.numpy() for v in values])  # (time, batch, blocks·units)


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_gates_kept_are_each_steps_gate_values(variant):
    params = params_for(variant, "float64")
    layer = keras_layer(params, return_sequences=True, return_state=True)
    initial = initial_state_for(variant, "float64")
    if variant == "lstm":
        # Keras returns h at every step; c at every step comes from one step of the cell each.
        outputs, *_ = layer(X, initial_state=list(initial))
        c_steps, c = [], C0
        h_steps = np.concatenate([H0[:, None], np.asarray(outputs)], axis=1)
        for k in range(STEPS):
            _, [_, c] = layer.cell(X[:, k], [h_steps[:, k], c])
            c_steps.append(np.asarray(c))
    else:
        outputs, _ = layer(X, initial_state=initial)
        h_steps = np.concatenate([H0[:, None], np.asarray(outputs)], axis=1)
    x_steps, initial_states, mask_steps = prepare_sequence(
        X, params, initial, None, go_backwards=False, state_count=2 if variant == "lstm" else 1
    )
    states_of = lstm_states if variant == "lstm" else gru_states
    tanh, sigmoid = get_activation("tanh").forward, get_activation("sigmoid").forward
    states, gates = states_of(x_steps, initial_states, mask_steps, params, tanh, sigmoid)
    gates = keras_columns(gates)  # gate-major -> Keras' column blocks

    theirs = _tf_gates(variant, params, X, h_steps, None)
    assert gates.shape == theirs.shape == (STEPS, BATCH, (4 if variant == "lstm" else 3) * UNITS)
    np.testing.assert_allclose(gates, theirs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(states[0].transpose(1, 0, 2), h_steps, rtol=0, atol=1e-12)
    if variant == "lstm":
        np.testing.assert_allclose(states[1][1:], np.stack(c_steps), rtol=0, atol=1e-12)


@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_a_batch_of_one_with_masked_outputs_keeps_its_final_states(variant, go_backwards):
    """The outputs of a batch of one are a copy of the states, not a view that masking would
    zero (found by hypothesis: the final state came back 0)."""
    mask = np.array([[True, False]]) if not go_backwards else np.array([[False, True]])
    options = dict(
        mask=mask,
        go_backwards=go_backwards,
        zero_output_for_mask=True,
        return_sequences=True,
        return_state=True,
    )
    params, x = params_for(variant, "float64"), X[:1, :2]
    ours = run_ours(variant, x, params, **options)
    assert_close_to_keras(ours, keras_outputs(params, x, **options), dtype="float64")
    assert ours[1][0, 0] != 0
