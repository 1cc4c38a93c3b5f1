"""simple_rnn against keras.layers.SimpleRNN: every option, every combination, two dtypes.

The Keras layer is the reference. Each layer configuration is built once (cached) and
given the same weights, inputs, initial state and mask as ``simple_rnn``; the weights
come from a seeded NumPy generator (with a non-zero bias, so that ``use_bias`` matters)
and are written into Keras with its own ``set_weights``.

To keep the suite fast, each Keras layer is called once on four copies of the batch
stacked along the batch axis: (no mask, zero state), (no mask, h0), (mask, zero state),
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

from rnn_playground import SimpleRNNParams, simple_rnn

ATOL = {"float32": 1e-5, "float64": 1e-10}
ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear", None]

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
KERNEL = _rng.uniform(-0.8, 0.8, size=(FEATURES, UNITS))
RECURRENT_KERNEL = _rng.normal(scale=0.5, size=(UNITS, UNITS))
BIAS = _rng.normal(scale=0.5, size=UNITS)


def softsign(z):
    """A callable activation that works on NumPy arrays and on TensorFlow tensors alike."""
    return z / (1 + abs(z))


def weights(dtype, use_bias):
    arrays = [KERNEL, RECURRENT_KERNEL] + ([BIAS] if use_bias else [])
    return [a.astype(dtype) for a in arrays]


def params_for(dtype, use_bias):
    return SimpleRNNParams(*weights(dtype, use_bias))


def build_keras(dtype, use_bias=True, activation="tanh", **options):
    layer = keras.layers.SimpleRNN(
        UNITS, activation=activation, use_bias=use_bias, dtype=dtype, **options
    )
    layer.build((None, STEPS, FEATURES))
    layer.set_weights(weights(dtype, use_bias))
    return layer


@functools.cache
def cached_keras(dtype, activation, use_bias, go_backwards, zero_output_for_mask, seq, state):
    return build_keras(
        dtype,
        use_bias,
        activation,
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
        return_sequences=seq,
        return_state=state,
    )


def keras_result(layer, inputs, **call_kwargs):
    """Keras' outputs as NumPy: one array, or a tuple (output, state) with return_state."""
    result = layer(inputs, **call_kwargs)
    if isinstance(result, list | tuple):
        return tuple(np.asarray(r) for r in result)
    return np.asarray(result)


def assert_matches(ours, theirs, dtype):
    """Same structure, shapes and dtype as Keras, values within the dtype's tolerance."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple), f"expected a tuple (output, state), got {type(ours)}"
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs, strict=True):
            assert_matches(o, t, dtype)
        return
    assert isinstance(ours, np.ndarray), type(ours)
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype == np.dtype(dtype)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=ATOL[dtype])


# -- the full product of options -------------------------------------------------------
def _option_cases():
    for values in itertools.product(ATOL, ACTIVATIONS, *[(False, True)] * 7):
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


def _block(result, index):
    rows = slice(index * BATCH, (index + 1) * BATCH)
    if isinstance(result, tuple):
        return tuple(r[rows] for r in result)
    return result[rows]


BLOCKS = [(False, False), (False, True), (True, False), (True, True)]  # (masked, with h0)


@functools.cache
def cached_keras_blocks(dtype, *config):
    """Keras' results for the four (mask, initial state) variants of one layer configuration."""
    layer = cached_keras(dtype, *config)
    x = np.concatenate([X] * len(BLOCKS)).astype(dtype)
    ones, zeros = np.ones_like(MASK), np.zeros_like(H0)
    mask = np.concatenate([MASK if masked else ones for masked, _ in BLOCKS])
    h0 = np.concatenate([H0 if with_h0 else zeros for _, with_h0 in BLOCKS]).astype(dtype)
    result = keras_result(layer, x, mask=mask, initial_state=h0)
    return {block: _block(result, i) for i, block in enumerate(BLOCKS)}


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
    theirs = cached_keras_blocks(
        dtype,
        activation,
        use_bias,
        go_backwards,
        zero_output_for_mask,
        return_sequences,
        return_state,
    )[masked, with_initial_state]
    x = X.astype(dtype)
    call = {}
    if masked:
        call["mask"] = MASK
    if with_initial_state:
        call["initial_state"] = H0.astype(dtype)

    ours = simple_rnn(
        x,
        params_for(dtype, use_bias),
        activation=activation,
        return_sequences=return_sequences,
        return_state=return_state,
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
        **call,
    )
    assert_matches(ours, theirs, dtype)
    output = ours[0] if return_state else ours
    expected_shape = (BATCH, STEPS, UNITS) if return_sequences else (BATCH, UNITS)
    assert output.shape == expected_shape


@pytest.mark.parametrize("dtype", list(ATOL))
@pytest.mark.parametrize("zero_output_for_mask", [False, True], ids=["repeat_out", "zero_out"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "seq"])
def test_keras_no_mask_and_no_state_equal_all_true_mask_and_zeros(
    dtype, go_backwards, zero_output_for_mask, return_sequences
):
    """The premise of the stacked calls above, checked on Keras itself (and on us)."""
    config = ("tanh", True, go_backwards, zero_output_for_mask, return_sequences, True)
    layer = cached_keras(dtype, *config)
    x = X.astype(dtype)
    plain = keras_result(layer, x)
    stacked = cached_keras_blocks(dtype, *config)[False, False]
    for p, s in zip(plain, stacked, strict=True):
        np.testing.assert_allclose(p, s, rtol=0, atol=ATOL[dtype] / 1000)
    ours = simple_rnn(
        x,
        params_for(dtype, True),
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output_for_mask,
        return_sequences=return_sequences,
        return_state=True,
    )
    assert_matches(ours, plain, dtype)


# -- single options in detail -------------------------------------------------------------
@pytest.mark.parametrize("dtype", list(ATOL))
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
    )
    layer = cached_keras(dtype, "tanh", True, go_backwards, zero_output_for_mask, True, True)
    x, h0 = X.astype(dtype), H0.astype(dtype)
    keras_outputs, keras_state = keras_result(layer, x, mask=MASK, initial_state=h0)
    outputs, state = simple_rnn(x, params_for(dtype, True), mask=MASK, initial_state=h0, **options)

    # What Keras does, and therefore what we must do: the state is h0, bit for bit, and
    # every output of that sample is exactly zero.
    np.testing.assert_array_equal(keras_state[FULLY_MASKED], h0[FULLY_MASKED])
    np.testing.assert_array_equal(keras_outputs[FULLY_MASKED], 0)
    np.testing.assert_array_equal(state[FULLY_MASKED], h0[FULLY_MASKED])
    np.testing.assert_array_equal(outputs[FULLY_MASKED], 0)
    assert_matches((outputs, state), (keras_outputs, keras_state), dtype)


@pytest.mark.parametrize("dtype", list(ATOL))
@pytest.mark.parametrize(
    "wrap",
    [lambda a: a, lambda a: [a], lambda a: (a,)],
    ids=["array", "list", "tuple"],
)
def test_initial_state_as_array_or_one_element_list(dtype, wrap):
    layer = cached_keras(dtype, "tanh", True, False, False, True, True)
    x, h0 = X.astype(dtype), H0.astype(dtype)
    # Keras treats `h0` and `[h0]` alike; compare each of our forms with both of its forms.
    for keras_form in (h0, [h0]):
        theirs = keras_result(layer, x, initial_state=keras_form)
        ours = simple_rnn(
            x,
            params_for(dtype, True),
            initial_state=wrap(h0),
            return_sequences=True,
            return_state=True,
        )
        assert_matches(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", list(ATOL))
@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
def test_callable_activation(dtype, masked):
    layer = build_keras(dtype, activation=softsign, return_sequences=True, return_state=True)
    x = X.astype(dtype)
    call = {"mask": MASK} if masked else {}
    theirs = keras_result(layer, x, **call)
    ours = simple_rnn(
        x,
        params_for(dtype, True),
        activation=softsign,
        return_sequences=True,
        return_state=True,
        **call,
    )
    assert_matches(ours, theirs, dtype)


@pytest.mark.parametrize("param_dtype", list(ATOL))
@pytest.mark.parametrize("input_dtype", ["int8", "int64", "uint8", "bool", "float32", "float64"])
def test_result_dtype_follows_params_and_integer_inputs_are_cast(param_dtype, input_dtype):
    x = (np.abs(X) * 3).astype(input_dtype)  # small non-negative values fit every type
    h0 = (H0 > 0).astype("int32")  # an integer initial state is cast too
    layer = cached_keras(param_dtype, "tanh", True, False, False, True, True)
    theirs = keras_result(layer, x, initial_state=h0.astype(param_dtype))
    ours = simple_rnn(
        x, params_for(param_dtype, True), initial_state=h0, return_sequences=True, return_state=True
    )
    assert_matches(ours, theirs, param_dtype)


def test_integer_mask_of_zeros_and_ones_is_a_boolean_mask():
    layer = cached_keras("float64", "tanh", True, False, False, True, True)
    theirs = keras_result(layer, X, mask=MASK)
    ours = simple_rnn(
        X, params_for("float64", True), mask=MASK.astype("int64"), return_sequences=True,
        return_state=True,
    )  # fmt: skip
    assert_matches(ours, theirs, "float64")


ALL_OPTIONS = dict(
    go_backwards=True, zero_output_for_mask=False, return_sequences=True, return_state=True
)


@pytest.mark.parametrize("dtype", list(ATOL))
def test_inputs_are_not_modified(dtype):
    x, h0, mask = X.astype(dtype), H0.astype(dtype), MASK.copy()
    kernel, recurrent_kernel, bias = weights(dtype, True)
    originals = [a.copy() for a in (x, h0, mask, kernel, recurrent_kernel, bias)]
    params = SimpleRNNParams(kernel, recurrent_kernel, bias)

    ours = simple_rnn(x, params, initial_state=h0, mask=mask, **ALL_OPTIONS)
    # Write into the results: that must not reach the caller's arrays either.
    for result in ours:
        result[...] = 123.0

    for before, after in zip(originals, (x, h0, mask, kernel, recurrent_kernel, bias), strict=True):
        np.testing.assert_array_equal(after, before)
    layer = cached_keras(dtype, "tanh", True, True, False, True, True)
    theirs = keras_result(layer, x, initial_state=h0, mask=mask)
    ours = simple_rnn(x, params, initial_state=h0, mask=mask, **ALL_OPTIONS)
    assert_matches(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", list(ATOL))
def test_read_only_inputs_work(dtype):
    x, h0, mask = X.astype(dtype), H0.astype(dtype), MASK.copy()
    for array in (x, h0, mask):
        array.flags.writeable = False
    layer = cached_keras(dtype, "tanh", True, True, False, True, True)
    theirs = keras_result(layer, x, initial_state=h0, mask=mask)
    ours = simple_rnn(x, params_for(dtype, True), initial_state=h0, mask=mask, **ALL_OPTIONS)
    assert_matches(ours, theirs, dtype)
    # The results are the caller's to change.
    assert all(result.flags.writeable for result in ours)


def test_nested_lists_are_accepted_as_inputs():
    layer = cached_keras("float64", "tanh", True, False, False, True, False)
    theirs = keras_result(layer, X)
    ours = simple_rnn(X.tolist(), params_for("float64", True), return_sequences=True)
    assert_matches(ours, theirs, "float64")
