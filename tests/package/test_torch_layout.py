"""rnn_playground.torch_layout against Keras, through PyTorch's documented equations.

``torch_rnn``, ``torch_gru`` and ``torch_lstm`` below implement the equations of the PyTorch
documentation of ``nn.RNN``, ``nn.GRU`` and ``nn.LSTM`` in NumPy, on PyTorch's ``state_dict``
layout and tensor conventions (time-major unless ``batch_first``, h0 of shape
(num_layers, batch, units)), written here independently of the package. Weights converted from
Keras must make them compute what Keras computes, and weights in PyTorch's layout, converted to
Keras, must make Keras compute what they compute. Real PyTorch: ``make test-torch``.
"""

import numpy as np
import pytest

from rnn_playground import GRUParams, LSTMParams, SimpleRNNParams
from rnn_playground.testing import ATOL, keras_outputs, random_params
from rnn_playground.torch_layout import from_state_dict, to_state_dict

BATCH, STEPS, FEATURES, UNITS = 3, 5, 4, 2
VARIANTS = {"rnn": ("simplernn", 1), "gru": ("gru", 3), "lstm": ("lstm", 4)}
DTYPES = list(ATOL)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# -- PyTorch's documented equations, in NumPy --------------------------------------------------
def _sequence(step, x, states, batch_first):
    """Run ``step`` over x (T, B, D), or (B, T, D) with batch_first; states (1, B, H) each."""
    xs = x.swapaxes(0, 1) if batch_first else x
    states = [s[0] for s in states]
    outputs = []
    for x_t in xs:
        states = step(x_t, *states)
        outputs.append(states[0])
    output = np.stack(outputs)
    return (output.swapaxes(0, 1) if batch_first else output), [s[None] for s in states]


def _weights(sd):
    b_ih = sd.get("bias_ih_l0", 0 * sd["weight_ih_l0"][:, 0])
    b_hh = sd.get("bias_hh_l0", 0 * sd["weight_hh_l0"][:, 0])
    return sd["weight_ih_l0"], sd["weight_hh_l0"], b_ih, b_hh


def torch_rnn(sd, x, h0, *, batch_first=False, nonlinearity=np.tanh):
    """nn.RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)."""
    w_ih, w_hh, b_ih, b_hh = _weights(sd)

    def step(x_t, h):
        return [nonlinearity(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh)]

    output, (h_n,) = _sequence(step, x, [h0], batch_first)
    return output, h_n


def torch_gru(sd, x, h0, *, batch_first=False):
    """nn.GRU: r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h; rows [r | z | n]."""
    w_ih, w_hh, b_ih, b_hh = _weights(sd)
    w_ir, w_iz, w_in = np.split(w_ih, 3)
    w_hr, w_hz, w_hn = np.split(w_hh, 3)
    b_ir, b_iz, b_in = np.split(b_ih, 3)
    b_hr, b_hz, b_hn = np.split(b_hh, 3)

    def step(x_t, h):
        r = sigmoid(x_t @ w_ir.T + b_ir + h @ w_hr.T + b_hr)
        z = sigmoid(x_t @ w_iz.T + b_iz + h @ w_hz.T + b_hz)
        n = np.tanh(x_t @ w_in.T + b_in + r * (h @ w_hn.T + b_hn))
        return [(1 - z) * n + z * h]

    output, (h_n,) = _sequence(step, x, [h0], batch_first)
    return output, h_n


def torch_lstm(sd, x, h0, c0, *, batch_first=False):
    """nn.LSTM: i, f, o = σ(W_i* x + b_i* + W_h* h + b_h*), g = tanh(W_ig x + b_ig + W_hg h +
    b_hg), c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'); rows [i | f | g | o]."""
    w_ih, w_hh, b_ih, b_hh = _weights(sd)

    def step(x_t, h, c):
        i, f, g, o = np.split(x_t @ w_ih.T + b_ih + h @ w_hh.T + b_hh, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        return [sigmoid(o) * np.tanh(c), c]

    output, (h_n, c_n) = _sequence(step, x, [h0, c0], batch_first)
    return output, (h_n, c_n)


def torch_forward(variant, sd, x, states, batch_first):
    """What the PyTorch module returns: output, and h_n (or (h_n, c_n)), each (1, B, H)."""
    if variant == "lstm":
        return torch_lstm(sd, x, *states, batch_first=batch_first)
    return {"rnn": torch_rnn, "gru": torch_gru}[variant](sd, x, states[0], batch_first=batch_first)


# -- data -------------------------------------------------------------------------------------
def data(variant, rng, dtype):
    x = rng.normal(size=(BATCH, STEPS, FEATURES)).astype(dtype)
    states = tuple(rng.uniform(-1, 1, size=(2, BATCH, UNITS)).astype(dtype))
    return x, states[: 2 if variant == "lstm" else 1]


def torch_layout_data(x, states, batch_first):
    """x and the states as a PyTorch module takes them."""
    return (x if batch_first else x.swapaxes(0, 1)), [s[None] for s in states]


def random_state_dict(variant, rng, dtype, *, bias=True):
    gates = VARIANTS[variant][1]
    sd = {
        "weight_ih_l0": rng.uniform(-0.8, 0.8, size=(gates * UNITS, FEATURES)),
        "weight_hh_l0": rng.normal(scale=0.5, size=(gates * UNITS, UNITS)),
    }
    if bias:  # two different biases, so that where each goes matters
        sd["bias_ih_l0"] = rng.normal(scale=0.5, size=gates * UNITS)
        sd["bias_hh_l0"] = rng.normal(scale=0.5, size=gates * UNITS)
    return {k: v.astype(dtype) for k, v in sd.items()}


def compare(ours, theirs, dtype):
    ours_flat, theirs_flat = (
        np.concatenate([np.ravel(a) for a in ours]),
        np.concatenate([np.ravel(a) for a in theirs]),
    )
    np.testing.assert_allclose(ours_flat, theirs_flat, rtol=0, atol=ATOL[dtype])


def keras_as_torch(variant, result, batch_first):
    """Keras' (output, *states) in the shapes PyTorch returns."""
    output, *states = result
    output = output if batch_first else output.swapaxes(0, 1)
    states = [s[None] for s in states]
    return output, states


# -- Keras -> PyTorch ------------------------------------------------------------------------
@pytest.mark.parametrize("batch_first", [False, True], ids=["time_major", "batch_first"])
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", VARIANTS)
def test_keras_weights_make_pytorchs_equations_compute_keras(
    variant, dtype, use_bias, batch_first, rng
):
    params = random_params(FEATURES, UNITS, seed=rng, use_bias=use_bias, dtype=dtype,
                           cell=VARIANTS[variant][0])  # fmt: skip
    x, states = data(variant, rng, dtype)
    keras_result = keras_outputs(
        params, x, initial_state=states if variant == "lstm" else states[0],
        return_sequences=True, return_state=True,
    )  # fmt: skip
    sd = to_state_dict(params)
    assert sorted(sd) == sorted(
        ["weight_ih_l0", "weight_hh_l0"] + (["bias_ih_l0", "bias_hh_l0"] if use_bias else [])
    )
    assert all(a.dtype == np.dtype(dtype) for a in sd.values())
    output, h_n = torch_forward(variant, sd, *torch_layout_data(x, states, batch_first),
                                batch_first)  # fmt: skip
    keras_output, keras_states = keras_as_torch(variant, keras_result, batch_first)
    compare([output, *(h_n if variant == "lstm" else [h_n])], [keras_output, *keras_states],
            dtype)  # fmt: skip


def test_relu_rnn(rng):
    """nn.RNN(nonlinearity="relu") is a SimpleRNN with activation="relu"."""
    params = random_params(FEATURES, UNITS, seed=rng)
    x, (h0,) = data("rnn", rng, "float64")
    theirs = keras_outputs(params, x, initial_state=h0, activation="relu",
                           return_sequences=True, return_state=True)  # fmt: skip
    output, h_n = torch_rnn(to_state_dict(params), x.swapaxes(0, 1), h0[None],
                            nonlinearity=lambda v: np.maximum(v, 0))  # fmt: skip
    compare([output, h_n], [theirs[0].swapaxes(0, 1), theirs[1][None]], "float64")


# -- PyTorch -> Keras ------------------------------------------------------------------------
@pytest.mark.parametrize("batch_first", [False, True], ids=["time_major", "batch_first"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("variant", VARIANTS)
def test_pytorch_weights_make_keras_compute_pytorchs_equations(
    variant, dtype, bias, batch_first, rng
):
    sd = random_state_dict(variant, rng, dtype, bias=bias)
    x, states = data(variant, rng, dtype)
    output, h_n = torch_forward(variant, sd, *torch_layout_data(x, states, batch_first),
                                batch_first)  # fmt: skip

    params = from_state_dict(sd)
    assert type(params) is {"rnn": SimpleRNNParams, "gru": GRUParams, "lstm": LSTMParams}[variant]
    assert params.dtype == np.dtype(dtype)
    assert (params.bias is None) is (not bias)
    if variant == "gru":
        assert params.reset_after is True
    keras_result = keras_outputs(
        params, x, initial_state=states if variant == "lstm" else states[0],
        return_sequences=True, return_state=True,
    )  # fmt: skip
    keras_output, keras_states = keras_as_torch(variant, keras_result, batch_first)
    compare([output, *(h_n if variant == "lstm" else [h_n])], [keras_output, *keras_states],
            dtype)  # fmt: skip


# -- round trips ---------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_keras_to_pytorch_and_back_is_exact(variant, rng):
    params = random_params(FEATURES, UNITS, seed=rng, cell=VARIANTS[variant][0])
    back = from_state_dict(to_state_dict(params))
    assert type(back) is type(params)
    for name in ("kernel", "recurrent_kernel", "bias"):
        np.testing.assert_array_equal(getattr(back, name), getattr(params, name))


@pytest.mark.parametrize("variant", VARIANTS)
def test_pytorch_to_keras_and_back(variant, rng):
    """Exact for the GRU; the SimpleRNN's and the LSTM's two biases come back as their sum in
    bias_ih_l0 and zeros in bias_hh_l0: the same function."""
    sd = random_state_dict(variant, rng, "float64")
    back = to_state_dict(from_state_dict(sd))
    for key in ("weight_ih_l0", "weight_hh_l0"):
        np.testing.assert_array_equal(back[key], sd[key])
    if variant == "gru":
        np.testing.assert_array_equal(back["bias_ih_l0"], sd["bias_ih_l0"])
        np.testing.assert_array_equal(back["bias_hh_l0"], sd["bias_hh_l0"])
    else:
        np.testing.assert_array_equal(back["bias_ih_l0"], sd["bias_ih_l0"] + sd["bias_hh_l0"])
        np.testing.assert_array_equal(back["bias_hh_l0"], 0)


def test_the_gru_blocks_are_permuted_not_renamed(rng):
    """Keras [z | r | h] against PyTorch [r | z | n]: the first two blocks swap."""
    params = random_params(FEATURES, UNITS, seed=rng, cell="gru")
    sd = to_state_dict(params)
    z, r, h = np.split(params.kernel, 3, axis=1)
    np.testing.assert_array_equal(sd["weight_ih_l0"], np.concatenate([r, z, h], axis=1).T)
    np.testing.assert_array_equal(sd["bias_hh_l0"][:UNITS], params.bias[1, UNITS : 2 * UNITS])


def test_results_are_new_writable_arrays(rng):
    params = random_params(FEATURES, UNITS, seed=rng, cell="lstm")
    sd = to_state_dict(params)
    for array in sd.values():
        assert array.flags.writeable
        assert array.flags.c_contiguous
        assert not np.shares_memory(array, params.kernel)
        assert not np.shares_memory(array, params.recurrent_kernel)
    originals = {k: v.copy() for k, v in sd.items()}
    from_state_dict(sd)
    for key, value in sd.items():
        np.testing.assert_array_equal(value, originals[key])


def test_a_reset_before_gru_has_no_pytorch_equivalent():
    params = random_params(FEATURES, UNITS, seed=0, cell="gru", reset_after=False)
    with pytest.raises(ValueError, match="reset_after=False has no PyTorch equivalent"):
        to_state_dict(params)
