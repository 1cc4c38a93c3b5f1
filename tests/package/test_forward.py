"""simple_rnn_cell and simple_rnn against Keras: every option, every combination, two dtypes.

The Keras layer (``rnn_playground.testing.keras_outputs``) and cell are the references, with
the same weights (``random_params``: a non-zero bias, so that ``use_bias`` matters), inputs,
initial state and mask.

To keep the suite fast, each Keras layer configuration is called once on four copies of the
batch stacked along the batch axis: (no mask, zero state), (no mask, h0), (mask, zero state),
(mask, h0). "No mask" rows carry an all-True mask and "no initial state" rows carry zeros;
``test_keras_no_mask_and_no_state_equal_all_true_mask_and_zeros`` checks on today's Keras
that those give what calling it without ``mask`` / ``initial_state`` gives (to rounding:
a larger batch can change the last bit of a matrix product). ``simple_rnn`` itself is
always called the plain way, without ``mask`` or ``initial_state`` when the case has none.
"""

import functools
import itertools

import keras
import numpy as np
import pytest

from rnn_playground import SimpleRNNParams, simple_rnn, simple_rnn_cell
from rnn_playground.testing import (
    ATOL,
    assert_close_to_keras,
    keras_layer,
    keras_outputs,
    random_params,
    softsign,
)

ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear", None]
DTYPES = list(ATOL)

BATCH, STEPS, FEATURES, UNITS = 6, 4, 3, 5
# One row per situation: all steps used, none, leading and trailing steps masked, a hole
# in the middle, only the last step masked, only the first step masked.
MASK = np.array(
    [
        [1, 1, 1, 1],
        [0, 0, 0, 0],
        [0, 1, 1, 0],
        [1, 0, 1, 1],
        [1, 1, 1, 0],
        [0, 1, 1, 1],
    ],
    dtype=bool,
)
FULLY_MASKED = 1  # the row of MASK with no valid step

_rng = np.random.default_rng(1)
X = _rng.normal(size=(BATCH, STEPS, FEATURES))
H0 = _rng.uniform(-1, 1, size=(BATCH, UNITS))


def params_for(dtype, *, use_bias=True):
    return random_params(FEATURES, UNITS, seed=1, use_bias=use_bias).astype(dtype)


# -- simple_rnn_cell: one step -------------------------------------------------------------
CELL_ACTIVATIONS = [
    pytest.param("tanh", id="tanh"),
    pytest.param("relu", id="relu"),
    pytest.param("sigmoid", id="sigmoid"),
    pytest.param("linear", id="linear"),
    pytest.param(None, id="none"),
    pytest.param(softsign, id="callable"),
]


def keras_cell(params, *, activation="tanh"):
    cell = keras.layers.SimpleRNNCell(
        params.units, activation=activation, use_bias=params.bias is not None,
        dtype=str(params.dtype),
    )  # fmt: skip
    cell.build((None, params.input_dim))
    params.to_keras(cell)
    return cell


def cell_case(rng, *, batch, input_dim, units, use_bias=True, dtype="float64"):
    """Inputs x⟨t⟩ (batch, input_dim), a state (batch, units) and random weights."""
    params = random_params(input_dim, units, seed=rng, use_bias=use_bias).astype(dtype)
    x = rng.normal(size=(batch, input_dim)).astype(dtype)
    state = rng.uniform(-1, 1, size=(batch, units)).astype(dtype)
    return x, state, params


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("activation", CELL_ACTIVATIONS)
def test_cell_matches_keras(rng, dtype, use_bias, activation):
    x, state, params = cell_case(rng, batch=3, input_dim=4, units=5, use_bias=use_bias, dtype=dtype)
    keras_output, [keras_state] = keras_cell(params, activation=activation)(x, [state])
    keras_output, keras_state = np.asarray(keras_output), np.asarray(keras_state)
    np.testing.assert_array_equal(keras_output, keras_state)  # y⟨t⟩ = a⟨t⟩ in Keras

    ours = simple_rnn_cell(x, state, params, activation=activation)
    assert ours.shape == (3, 5)
    assert_close_to_keras(ours, keras_state, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("batch", "input_dim", "units"),
    [(1, 1, 1), (1, 3, 2), (4, 1, 3), (2, 5, 1)],
    ids=lambda v: str(v),
)
def test_cell_small_shapes(rng, dtype, batch, input_dim, units):
    x, state, params = cell_case(rng, batch=batch, input_dim=input_dim, units=units, dtype=dtype)
    _, [keras_state] = keras_cell(params)(x, [state])
    ours = simple_rnn_cell(x, state, params)
    assert ours.shape == (batch, units)
    assert_close_to_keras(ours, keras_state, dtype=dtype)


@pytest.mark.parametrize("param_dtype", DTYPES)
@pytest.mark.parametrize("input_dtype", ["int32", "uint8", "bool", "float32", "float64"])
def test_cell_result_dtype_follows_params_and_integers_are_cast(rng, param_dtype, input_dtype):
    x, state, params = cell_case(rng, batch=2, input_dim=3, units=4, dtype=param_dtype)
    x = (np.abs(x) * 3).astype(input_dtype)
    state = (state > 0).astype(input_dtype)
    _, [keras_state] = keras_cell(params)(x.astype(param_dtype), [state.astype(param_dtype)])
    ours = simple_rnn_cell(x, state, params)
    assert_close_to_keras(ours, keras_state, dtype=param_dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cell_does_not_modify_inputs_and_accepts_read_only_arrays(rng, dtype):
    x, state, params = cell_case(rng, batch=2, input_dim=3, units=4, dtype=dtype)
    weights = [np.array(w) for w in (params.kernel, params.recurrent_kernel, params.bias)]
    originals = [a.copy() for a in (x, state, *weights)]
    params = SimpleRNNParams(*weights)
    for array in (x, state):
        array.flags.writeable = False

    ours = simple_rnn_cell(x, state, params)
    ours[...] = 123.0  # the result is the caller's: writing into it reaches nothing else
    for before, after in zip(originals, (x, state, *weights), strict=True):
        np.testing.assert_array_equal(after, before)

    _, [keras_state] = keras_cell(params)(x, [state])
    assert_close_to_keras(simple_rnn_cell(x, state, params), keras_state, dtype=dtype)


# -- simple_rnn: Keras' results for the four stacked (mask, initial state) blocks ----------
BLOCKS = [(False, False), (False, True), (True, False), (True, True)]  # (masked, with h0)


def _block(result, index):
    rows = slice(index * BATCH, (index + 1) * BATCH)
    if isinstance(result, tuple):
        return tuple(r[rows] for r in result)
    return result[rows]


@functools.cache
def keras_blocks(*, dtype, use_bias, **options):
    """Keras' results for the four (mask, initial state) variants of one layer configuration."""
    x = np.concatenate([X] * len(BLOCKS))
    ones, zeros = np.ones_like(MASK), np.zeros_like(H0)
    mask = np.concatenate([MASK if masked else ones for masked, _ in BLOCKS])
    h0 = np.concatenate([H0 if with_h0 else zeros for _, with_h0 in BLOCKS])
    result = keras_outputs(
        params_for(dtype, use_bias=use_bias), x, mask=mask, initial_state=h0, **options
    )
    return {block: _block(result, i) for i, block in enumerate(BLOCKS)}


# -- simple_rnn: the full product of options ------------------------------------------------
def _option_cases():
    for values in itertools.product(DTYPES, ACTIVATIONS, *[(False, True)] * 7):
        dtype, activation, use_bias, backwards, zero_out, seq, state, masked, h0 = values
        case_id = "-".join(
            [
                dtype,
                str(activation).lower(),
                "bias" if use_bias else "nobias",
                "backwards" if backwards else "forwards",
                "zero_out" if zero_out else "repeat_out",
                "seq" if seq else "last",
                "state" if state else "nostate",
                "mask" if masked else "nomask",
                "h0" if h0 else "zeros",
            ]
        )
        yield pytest.param(*values, id=case_id)


@pytest.mark.parametrize(
    (
        "dtype",
        "activation",
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
def test_simple_rnn_matches_keras(
    dtype,
    activation,
    use_bias,
    go_backwards,
    zero_output_for_mask,
    return_sequences,
    return_state,
    masked,
    with_initial_state,
):
    options = dict(
        activation=activation,
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
        return_sequences=return_sequences,
        return_state=return_state,
    )
    theirs = keras_blocks(dtype=dtype, use_bias=use_bias, **options)[masked, with_initial_state]
    call = {}
    if masked:
        call["mask"] = MASK
    if with_initial_state:
        call["initial_state"] = H0.astype(dtype)

    ours = simple_rnn(X.astype(dtype), params_for(dtype, use_bias=use_bias), **options, **call)
    assert_close_to_keras(ours, theirs, dtype=dtype)
    output = ours[0] if return_state else ours
    assert output.shape == ((BATCH, STEPS, UNITS) if return_sequences else (BATCH, UNITS))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("zero_output_for_mask", [False, True], ids=["repeat_out", "zero_out"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "seq"])
def test_keras_no_mask_and_no_state_equal_all_true_mask_and_zeros(
    dtype, go_backwards, zero_output_for_mask, return_sequences
):
    """The premise of the stacked calls above, checked on Keras itself (and on us)."""
    options = dict(
        activation="tanh",
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
        return_sequences=return_sequences,
        return_state=True,
    )
    params, x = params_for(dtype), X.astype(dtype)
    plain = keras_outputs(params, x, **options)
    stacked = keras_blocks(dtype=dtype, use_bias=True, **options)[False, False]
    for p, s in zip(plain, stacked, strict=True):
        np.testing.assert_allclose(p, s, rtol=0, atol=ATOL[dtype] / 1000)
    assert_close_to_keras(simple_rnn(x, params, **options), plain, dtype=dtype)


# -- single options in detail -------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("zero_output_for_mask", [False, True], ids=["repeat_out", "zero_out"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
def test_fully_masked_sample_keeps_initial_state_and_outputs_zeros(
    dtype, go_backwards, zero_output_for_mask
):
    options = dict(
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
        return_sequences=True,
        return_state=True,
        mask=MASK,
        initial_state=H0.astype(dtype),
    )
    params, x, h0 = params_for(dtype), X.astype(dtype), H0.astype(dtype)
    keras_result, keras_state = keras_outputs(params, x, **options)
    outputs, state = simple_rnn(x, params, **options)

    # What Keras does, and therefore what we must do: the state is h0, bit for bit, and
    # every output of that sample is exactly zero.
    np.testing.assert_array_equal(keras_state[FULLY_MASKED], h0[FULLY_MASKED])
    np.testing.assert_array_equal(keras_result[FULLY_MASKED], 0)
    np.testing.assert_array_equal(state[FULLY_MASKED], h0[FULLY_MASKED])
    np.testing.assert_array_equal(outputs[FULLY_MASKED], 0)
    assert_close_to_keras((outputs, state), (keras_result, keras_state), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "wrap",
    [lambda a: a, lambda a: [a], lambda a: (a,)],
    ids=["array", "list", "tuple"],
)
def test_initial_state_as_array_or_one_element_list(dtype, wrap):
    params = params_for(dtype)
    layer = keras_layer(params, return_sequences=True, return_state=True)
    x, h0 = X.astype(dtype), H0.astype(dtype)
    # Keras treats `h0` and `[h0]` alike; compare each of our forms with both of its forms.
    for keras_form in (h0, [h0]):
        theirs = tuple(np.asarray(r) for r in layer(x, initial_state=keras_form))
        ours = simple_rnn(
            x, params, initial_state=wrap(h0), return_sequences=True, return_state=True
        )
        assert_close_to_keras(ours, theirs, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
def test_callable_activation(dtype, masked):
    options = dict(activation=softsign, return_sequences=True, return_state=True)
    if masked:
        options["mask"] = MASK
    params, x = params_for(dtype), X.astype(dtype)
    assert_close_to_keras(
        simple_rnn(x, params, **options), keras_outputs(params, x, **options), dtype=dtype
    )


@pytest.mark.parametrize("param_dtype", DTYPES)
@pytest.mark.parametrize("input_dtype", ["int8", "int64", "uint8", "bool", "float32", "float64"])
def test_result_dtype_follows_params_and_integer_inputs_are_cast(param_dtype, input_dtype):
    x = (np.abs(X) * 3).astype(input_dtype)  # small non-negative values fit every type
    h0 = (H0 > 0).astype("int32")  # an integer initial state is cast too
    params = params_for(param_dtype)
    options = dict(initial_state=h0, return_sequences=True, return_state=True)
    theirs = keras_outputs(params, x.astype(param_dtype), **options)
    assert_close_to_keras(simple_rnn(x, params, **options), theirs, dtype=param_dtype)


def test_integer_mask_of_zeros_and_ones_is_a_boolean_mask():
    params = params_for("float64")
    options = dict(return_sequences=True, return_state=True)
    theirs = keras_outputs(params, X, mask=MASK, **options)
    ours = simple_rnn(X, params, mask=MASK.astype("int64"), **options)
    assert_close_to_keras(ours, theirs, dtype="float64")


ALL_OPTIONS = dict(
    go_backwards=True, zero_output_for_mask=False, return_sequences=True, return_state=True
)


@pytest.mark.parametrize("dtype", DTYPES)
def test_inputs_are_not_modified(dtype):
    x, h0, mask = X.astype(dtype), H0.astype(dtype), MASK.copy()
    p = params_for(dtype)
    weights = [np.array(w) for w in (p.kernel, p.recurrent_kernel, p.bias)]
    originals = [a.copy() for a in (x, h0, mask, *weights)]
    params = SimpleRNNParams(*weights)

    ours = simple_rnn(x, params, initial_state=h0, mask=mask, **ALL_OPTIONS)
    # Write into the results: that must not reach the caller's arrays either.
    for result in ours:
        result[...] = 123.0

    for before, after in zip(originals, (x, h0, mask, *weights), strict=True):
        np.testing.assert_array_equal(after, before)
    theirs = keras_outputs(params, x, initial_state=h0, mask=mask, **ALL_OPTIONS)
    ours = simple_rnn(x, params, initial_state=h0, mask=mask, **ALL_OPTIONS)
    assert_close_to_keras(ours, theirs, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_read_only_inputs_work(dtype):
    x, h0, mask = X.astype(dtype), H0.astype(dtype), MASK.copy()
    for array in (x, h0, mask):
        array.flags.writeable = False
    params = params_for(dtype)
    theirs = keras_outputs(params, x, initial_state=h0, mask=mask, **ALL_OPTIONS)
    ours = simple_rnn(x, params, initial_state=h0, mask=mask, **ALL_OPTIONS)
    assert_close_to_keras(ours, theirs, dtype=dtype)
    # The results are the caller's to change.
    assert all(result.flags.writeable for result in ours)


def test_nested_lists_are_accepted_as_inputs():
    params = params_for("float64")
    theirs = keras_outputs(params, X, return_sequences=True)
    ours = simple_rnn(X.tolist(), params, return_sequences=True)
    assert_close_to_keras(ours, theirs, dtype="float64")


@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
def test_a_batch_of_one_with_masked_outputs_keeps_its_final_state(go_backwards):
    """With batch 1 the (time, batch, units) states transposed to (batch, time, units) are
    contiguous already: the outputs must still be a copy, or zeroing the masked outputs would
    zero the final state too (found by hypothesis on the GRU)."""
    mask = np.array([[True, False]]) if not go_backwards else np.array([[False, True]])
    options = dict(
        mask=mask,
        go_backwards=go_backwards,
        zero_output_for_mask=True,
        return_sequences=True,
        return_state=True,
    )
    params, x = params_for("float64"), X[:1, :2]
    ours = simple_rnn(x, params, **options)
    assert_close_to_keras(ours, keras_outputs(params, x, **options), dtype="float64")
    assert not np.shares_memory(ours[0], ours[1])
    assert ours[1][0, 0] != 0
