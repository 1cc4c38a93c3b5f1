"""Property-based tests with hypothesis: random shapes and options against Keras.

Shapes include batch and units of 1 (pinned with @example as well). The hypothesis profile
in conftest.py is derandomized, so every run and every machine sees the same examples.
"""

import keras
import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rnn_playground import SimpleRNNParams, simple_rnn, simple_rnn_cell
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
