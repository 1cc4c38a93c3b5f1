"""simple_rnn_backward against tf.GradientTape on keras.layers.SimpleRNN, and finite differences.

The reference is always TensorFlow's automatic differentiation of the Keras layer holding
the same weights; central finite differences of ``simple_rnn`` (itself tested against
Keras) are a second, independent check. Relative error = max|ours − theirs| / max|theirs|.
"""

import itertools

import numpy as np
import pytest

from rnn_playground import SimpleRNNGrads, SimpleRNNParams, simple_rnn, simple_rnn_backward
from rnn_playground.testing import keras_gradients, random_params, relative_error

ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear", None]
FIELDS = SimpleRNNGrads._fields

# float64 against Keras float64: the two sum the same terms in different orders (seen: 5e-15).
FLOAT64_TOLERANCE = 1e-9
# float32 at 16x50x32 -> 64 against Keras float32: seen up to 1.1e-6 (about 10 float32
# epsilons, from rounding in different summation orders over 50 steps); 1e-5 leaves room.
FLOAT32_TOLERANCE = 1e-5

BATCH, STEPS, FEATURES, UNITS = 4, 5, 3, 6
# Sample 0 uses every step, 1 starts and ends masked, 2 is fully masked (its state stays
# a⟨0⟩), 3 has a masked tail: gradients must flow through carried states and repeated outputs.
MASK = np.array(
    [[1, 1, 1, 1, 1], [0, 1, 1, 0, 0], [0, 0, 0, 0, 0], [1, 1, 0, 0, 0]],
    dtype=bool,
)


# -- every option combination against tf.GradientTape, float64 ------------------------------
COMBINATIONS = list(
    itertools.product(
        ACTIVATIONS,
        [True, False],  # use_bias
        [False, True],  # return_sequences
        [False, True],  # go_backwards
        [False, True],  # masked
        [False, True],  # zero_output_for_mask
        [False, True],  # initial_state and state_grad given
    )
)


def _id(combination):
    activation, use_bias, return_sequences, go_backwards, masked, zero_output, with_state = (
        combination
    )
    parts = [str(activation), "bias" if use_bias else "nobias"]
    parts += ["seq"] if return_sequences else []
    parts += ["back"] if go_backwards else []
    parts += ["mask"] if masked else []
    parts += ["zero"] if zero_output else []
    parts += ["state"] if with_state else []
    return "-".join(parts)


@pytest.mark.parametrize("combination", COMBINATIONS, ids=[_id(c) for c in COMBINATIONS])
def test_matches_gradient_tape_float64(combination):
    activation, use_bias, return_sequences, go_backwards, masked, zero_output, with_state = (
        combination
    )
    rng = np.random.default_rng(COMBINATIONS.index(combination))
    params = random_params(FEATURES, UNITS, seed=rng, use_bias=use_bias)
    x = rng.standard_normal((BATCH, STEPS, FEATURES))
    initial_state = rng.standard_normal((BATCH, UNITS)) if with_state else None
    state_grad = rng.standard_normal((BATCH, UNITS)) if with_state else None
    out_shape = (BATCH, STEPS, UNITS) if return_sequences else (BATCH, UNITS)
    output_grad = rng.standard_normal(out_shape)
    options = dict(
        initial_state=initial_state,
        mask=MASK if masked else None,
        activation=activation,
        state_grad=state_grad,
        return_sequences=return_sequences,
        go_backwards=go_backwards,
        zero_output_for_mask=zero_output,
    )

    ours = simple_rnn_backward(x, params, output_grad, **options)
    theirs = keras_gradients(params, x, output_grad, **options)

    assert isinstance(ours, SimpleRNNGrads)
    for field in FIELDS:
        mine, ref = getattr(ours, field), getattr(theirs, field)
        if ref is None:
            assert mine is None, f"{field}: expected None without a bias"
            continue
        assert mine.shape == ref.shape, field
        assert mine.dtype == np.float64, field
        error = relative_error(mine, ref)
        assert error < FLOAT64_TOLERANCE, f"{field}: relative error {error:.2e}"
    if masked:
        # Masked input steps: exactly zero in both.
        assert np.all(ours.inputs[~MASK] == 0)
        assert np.all(theirs.inputs[~MASK] == 0)


# -- a second, independent check: central finite differences of simple_rnn -------------------
def finite_difference_grads(x, params, output_grad, state_grad, initial_state, options, eps=1e-6):
    arrays = {
        "inputs": np.array(x),
        "initial_state": np.array(initial_state),
        "kernel": np.array(params.kernel),
        "recurrent_kernel": np.array(params.recurrent_kernel),
        "bias": np.array(params.bias),
    }

    def loss(values):
        p = SimpleRNNParams(values["kernel"], values["recurrent_kernel"], values["bias"])
        output, final_state = simple_rnn(
            values["inputs"],
            p,
            initial_state=values["initial_state"],
            return_state=True,
            **options,
        )
        return np.sum(output_grad * output) + np.sum(state_grad * final_state)

    grads = {}
    for name, array in arrays.items():
        grad = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + eps
            up = loss(arrays)
            array[index] = saved - eps
            down = loss(arrays)
            array[index] = saved
            grad[index] = (up - down) / (2 * eps)
        grads[name] = grad
    return grads


FD_CASES = [
    dict(activation="tanh"),
    dict(activation="sigmoid", return_sequences=True),
    dict(activation="linear", return_sequences=True, go_backwards=True),
    dict(activation="relu", mask=True),
    dict(activation="tanh", mask=True, return_sequences=True, go_backwards=True),
    dict(activation="tanh", mask=True, return_sequences=True, zero_output_for_mask=True),
    dict(activation=None, mask=True, go_backwards=True),
]


@pytest.mark.parametrize("case", FD_CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_matches_finite_differences(case):
    options = dict(case)
    rng = np.random.default_rng(7)
    batch, steps, features, units = 2, 4, 2, 3
    params = random_params(features, units, seed=rng)
    x = rng.standard_normal((batch, steps, features))
    initial_state = rng.standard_normal((batch, units))
    if options.pop("mask", False):
        options["mask"] = np.array([[1, 0, 1, 1], [0, 1, 1, 0]], dtype=bool)
    out_shape = (batch, steps, units) if options.get("return_sequences") else (batch, units)
    output_grad = rng.standard_normal(out_shape)
    state_grad = rng.standard_normal((batch, units))

    ours = simple_rnn_backward(
        x, params, output_grad, initial_state=initial_state, state_grad=state_grad, **options
    )
    numeric = finite_difference_grads(x, params, output_grad, state_grad, initial_state, options)
    for field in FIELDS:
        error = relative_error(getattr(ours, field), numeric[field])
        assert error < 1e-6, f"{field}: relative error {error:.2e} against finite differences"


# -- float32 at a realistic size -------------------------------------------------------------
@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
def test_matches_gradient_tape_float32_realistic(masked):
    rng = np.random.default_rng(3)
    batch, steps, features, units = 16, 50, 32, 64
    params = SimpleRNNParams.init(features, units, seed=3, dtype="float32")
    params = SimpleRNNParams(params.kernel, params.recurrent_kernel, rng.normal(0, 0.1, units))
    params = params.astype("float32")
    x = rng.standard_normal((batch, steps, features)).astype("float32")
    mask = rng.random((batch, steps)) < 0.8 if masked else None
    output_grad = rng.standard_normal((batch, steps, units)).astype("float32")
    state_grad = rng.standard_normal((batch, units)).astype("float32")

    ours = simple_rnn_backward(
        x, params, output_grad, mask=mask, return_sequences=True, state_grad=state_grad
    )
    theirs = keras_gradients(
        params, x, output_grad, mask=mask, state_grad=state_grad, return_sequences=True
    )
    for field in FIELDS:
        assert getattr(ours, field).dtype == np.float32, field
        error = relative_error(getattr(ours, field), getattr(theirs, field))
        assert error < FLOAT32_TOLERANCE, f"{field}: relative error {error:.2e}"
    if masked:
        assert np.all(ours.inputs[~mask] == 0)


# -- smaller contracts -------------------------------------------------------------------------
def test_inputs_are_not_modified_and_list_state_is_accepted():
    rng = np.random.default_rng(11)
    params = random_params(FEATURES, UNITS, seed=rng)
    x = rng.standard_normal((BATCH, STEPS, FEATURES))
    a0 = rng.standard_normal((BATCH, UNITS))
    output_grad = rng.standard_normal((BATCH, STEPS, UNITS))
    state_grad = rng.standard_normal((BATCH, UNITS))
    mask = MASK.copy()
    copies = [a.copy() for a in (x, a0, output_grad, state_grad, mask)]
    kwargs = dict(mask=mask, return_sequences=True, state_grad=state_grad)
    plain = simple_rnn_backward(x, params, output_grad, initial_state=a0, **kwargs)
    listed = simple_rnn_backward(x, params, output_grad, initial_state=[a0], **kwargs)
    for original, copy in zip((x, a0, output_grad, state_grad, mask), copies, strict=True):
        np.testing.assert_array_equal(original, copy)
    for field in FIELDS:
        np.testing.assert_array_equal(getattr(plain, field), getattr(listed, field))


def test_params_dtype_governs():
    rng = np.random.default_rng(12)
    params = random_params(FEATURES, UNITS, seed=rng, dtype="float32")
    x = rng.standard_normal((BATCH, STEPS, FEATURES))  # float64 inputs, float32 params
    grads = simple_rnn_backward(x, params, rng.standard_normal((BATCH, UNITS)))
    assert {getattr(grads, f).dtype for f in FIELDS} == {np.dtype("float32")}
