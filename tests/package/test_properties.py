"""Property-based tests with hypothesis: random shapes and options against Keras, for the
SimpleRNN, the GRU (both variants) and the LSTM.

Shapes include batch and units of 1 (pinned with @example as well). The hypothesis profile
in conftest.py is derandomized, so every run and every machine sees the same examples.
"""

import keras
import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rnn_playground import (
    GRUParams,
    LSTMParams,
    SimpleRNNParams,
    gru,
    gru_cell,
    lstm,
    lstm_cell,
    simple_rnn,
    simple_rnn_cell,
)
from rnn_playground.testing import ATOL, assert_close_to_keras, keras_outputs, random_params


@st.composite
def sequence_cases(draw):
    batch = draw(st.integers(1, 4))
    steps = draw(st.integers(1, 5))
    case = {
        "batch": batch,
        "steps": steps,
        "input_dim": draw(st.integers(1, 4)),
        "units": draw(st.integers(1, 4)),
        "dtype": draw(st.sampled_from(list(ATOL))),
        "use_bias": draw(st.booleans()),
        "activation": draw(st.sampled_from(["tanh", "relu", "sigmoid", "linear", None])),
        "return_sequences": draw(st.booleans()),
        "return_state": draw(st.booleans()),
        "go_backwards": draw(st.booleans()),
        "zero_output_for_mask": draw(st.booleans()),
        "with_initial_state": draw(st.booleans()),
        "mask": draw(st.none() | arrays(np.bool_, (batch, steps))),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }
    return case


SMALLEST = {
    "batch": 1,
    "steps": 1,
    "input_dim": 1,
    "units": 1,
    "dtype": "float64",
    "use_bias": True,
    "activation": "tanh",
    "return_sequences": True,
    "return_state": True,
    "go_backwards": False,
    "zero_output_for_mask": False,
    "with_initial_state": True,
    "mask": None,
    "seed": 0,
}


def draw_data(case):
    rng = np.random.default_rng(case["seed"])
    params = random_params(
        case["input_dim"], case["units"], seed=rng, use_bias=case["use_bias"], dtype=case["dtype"]
    )
    x = rng.normal(size=(case["batch"], case["steps"], case["input_dim"]))
    h0 = rng.uniform(-1, 1, size=(case["batch"], case["units"]))
    return params, x.astype(case["dtype"]), h0


@given(sequence_cases())
@example(SMALLEST)
@example({**SMALLEST, "batch": 1, "steps": 4, "units": 1, "mask": np.array([[0, 1, 0, 1]] * 1)})
@example({**SMALLEST, "batch": 3, "units": 1, "go_backwards": True, "dtype": "float32"})
def test_simple_rnn_matches_keras_for_any_shape(case):
    dtype = case["dtype"]
    params, x, h0 = draw_data(case)
    options = {
        name: case[name]
        for name in (
            "activation",
            "return_sequences",
            "return_state",
            "go_backwards",
            "zero_output_for_mask",
        )
    }
    if case["mask"] is not None:
        options["mask"] = np.asarray(case["mask"], dtype=bool)
    if case["with_initial_state"]:
        options["initial_state"] = h0.astype(dtype)
    theirs = keras_outputs(params, x, **options)
    assert_close_to_keras(simple_rnn(x, params, **options), theirs, dtype=dtype)


@given(
    batch=st.integers(1, 5),
    input_dim=st.integers(1, 6),
    units=st.integers(1, 6),
    dtype=st.sampled_from(list(ATOL)),
    seed=st.integers(0, 2**32 - 1),
)
@example(batch=1, input_dim=1, units=1, dtype="float32", seed=0)
def test_simple_rnn_cell_matches_keras_for_any_shape(batch, input_dim, units, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, input_dim)).astype(dtype)
    state = rng.uniform(-1, 1, size=(batch, units)).astype(dtype)
    params = SimpleRNNParams.init(input_dim, units, seed=seed, dtype=dtype)
    params = SimpleRNNParams(params.kernel, params.recurrent_kernel, rng.normal(size=units))
    params = params.astype(dtype)
    cell = keras.layers.SimpleRNNCell(units, dtype=dtype)
    cell.build((None, input_dim))
    params.to_keras(cell)
    _, [theirs] = cell(x, [state])
    ours = simple_rnn_cell(x, state, params)
    assert ours.shape == (batch, units)
    assert_close_to_keras(ours, theirs, dtype=dtype)


# -- the gated cells -------------------------------------------------------------------------
VARIANTS = [("gru", True), ("gru", False), ("lstm", None)]


@st.composite
def gated_cases(draw):
    case = draw(sequence_cases())
    case["variant"] = draw(st.sampled_from(VARIANTS))
    case["recurrent_activation"] = draw(
        st.sampled_from(["sigmoid", "hard_sigmoid", "tanh", "relu", "linear", None])
    )
    case["activation"] = draw(st.sampled_from(["tanh", "relu", "sigmoid", None]))
    return case


GATED_SMALLEST = {**SMALLEST, "variant": ("lstm", None), "recurrent_activation": "sigmoid"}


@given(gated_cases())
@example(GATED_SMALLEST)
@example({**GATED_SMALLEST, "variant": ("gru", False), "units": 1, "batch": 3})
@example({**GATED_SMALLEST, "steps": 4, "mask": np.array([[0, 1, 0, 1]]), "dtype": "float32"})
def test_gated_layers_match_keras_for_any_shape(case):
    (cell, reset_after), dtype = case["variant"], case["dtype"]
    rng = np.random.default_rng(case["seed"])
    params = random_params(
        case["input_dim"], case["units"], seed=rng, use_bias=case["use_bias"], dtype=dtype,
        cell=cell, reset_after=reset_after,
    )  # fmt: skip
    x = rng.normal(size=(case["batch"], case["steps"], case["input_dim"])).astype(dtype)
    h0, c0 = rng.uniform(-1, 1, size=(2, case["batch"], case["units"])).astype(dtype)
    names = ["activation", "recurrent_activation", "return_sequences", "return_state",
             "go_backwards", "zero_output_for_mask"]  # fmt: skip
    options = {name: case[name] for name in names}
    if case["mask"] is not None:
        options["mask"] = np.asarray(case["mask"], dtype=bool)
    if case["with_initial_state"]:
        options["initial_state"] = (h0, c0) if cell == "lstm" else h0
    theirs = keras_outputs(params, x, **options)
    ours = (lstm if cell == "lstm" else gru)(x, params, **options)
    # unbounded gates and candidate can grow the state: compare relative to its size
    scale = max(1.0, *(float(np.abs(t).max()) for t in (theirs if options["return_state"]
                                                        else (theirs,))))  # fmt: skip
    if options["return_state"]:
        assert_close_to_keras(tuple(o / scale for o in ours), tuple(t / scale for t in theirs),
                              dtype=dtype)  # fmt: skip
    else:
        assert_close_to_keras(ours / scale, theirs / scale, dtype=dtype)


@given(
    batch=st.integers(1, 5),
    input_dim=st.integers(1, 6),
    units=st.integers(1, 6),
    dtype=st.sampled_from(list(ATOL)),
    variant=st.sampled_from(VARIANTS),
    seed=st.integers(0, 2**32 - 1),
)
@example(batch=2, input_dim=5, units=1, dtype="float32", variant=("lstm", None), seed=0)
def test_gated_cells_match_keras_for_any_shape(batch, input_dim, units, dtype, variant, seed):
    (cell, reset_after), rng = variant, np.random.default_rng(seed)
    x = rng.normal(size=(batch, input_dim)).astype(dtype)
    h, c = rng.uniform(-1, 1, size=(2, batch, units)).astype(dtype)
    if cell == "lstm":
        params = LSTMParams.init(input_dim, units, seed=seed, dtype=dtype)
        keras_cell = keras.layers.LSTMCell(units, dtype=dtype)
    else:
        params = GRUParams.init(input_dim, units, seed=seed, dtype=dtype, reset_after=reset_after)
        keras_cell = keras.layers.GRUCell(units, reset_after=reset_after, dtype=dtype)
    bias = rng.normal(size=params.bias.shape)  # not the initial zeros: the bias must count
    params = type(params)(params.kernel, params.recurrent_kernel, bias,
                          **({} if cell == "lstm" else {"reset_after": reset_after}))  # fmt: skip
    params = params.astype(dtype)
    keras_cell.build((None, input_dim))
    params.to_keras(keras_cell)
    if cell == "lstm":
        _, theirs = keras_cell(x, [h, c])
        ours = lstm_cell(x, (h, c), params)
        assert_close_to_keras(ours, tuple(theirs), dtype=dtype)
    else:
        _, [theirs] = keras_cell(x, [h])
        assert_close_to_keras(gru_cell(x, h, params), theirs, dtype=dtype)
