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

ATOL = {"float32": 1e-5, "float64": 1e-10}


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
    shape = (case["input_dim"], case["units"])
    weights = [
        rng.uniform(-0.8, 0.8, size=shape),
        rng.normal(scale=0.5, size=(case["units"], case["units"])),
    ]
    if case["use_bias"]:
        weights.append(rng.normal(scale=0.5, size=case["units"]))
    x = rng.normal(size=(case["batch"], case["steps"], case["input_dim"]))
    h0 = rng.uniform(-1, 1, size=(case["batch"], case["units"]))
    return [w.astype(case["dtype"]) for w in weights], x.astype(case["dtype"]), h0


@given(sequence_cases())
@example(SMALLEST)
@example({**SMALLEST, "batch": 1, "steps": 4, "units": 1, "mask": np.array([[0, 1, 0, 1]] * 1)})
@example({**SMALLEST, "batch": 3, "units": 1, "go_backwards": True, "dtype": "float32"})
def test_simple_rnn_matches_keras_for_any_shape(case):
    dtype = case["dtype"]
    weights, x, h0 = draw_data(case)
    flags = {
        name: case[name]
        for name in ("return_sequences", "return_state", "go_backwards", "zero_output_for_mask")
    }
    layer = keras.layers.SimpleRNN(
        case["units"],
        activation=case["activation"],
        use_bias=case["use_bias"],
        dtype=dtype,
        **flags,
    )
    layer.build((None, case["steps"], case["input_dim"]))
    layer.set_weights(weights)
    call = {}
    if case["mask"] is not None:
        call["mask"] = np.asarray(case["mask"], dtype=bool)
    if case["with_initial_state"]:
        call["initial_state"] = h0.astype(dtype)
    theirs = layer(x, **call)
    theirs = tuple(theirs) if case["return_state"] else (theirs,)

    ours = simple_rnn(x, SimpleRNNParams(*weights), activation=case["activation"], **flags, **call)
    ours = ours if case["return_state"] else (ours,)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs, strict=True):
        t = np.asarray(t)
        assert o.shape == t.shape
        assert o.dtype == t.dtype == np.dtype(dtype)
        np.testing.assert_allclose(o, t, rtol=0, atol=ATOL[dtype])


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
    cell.set_weights([params.kernel, params.recurrent_kernel, params.bias])
    _, [theirs] = cell(x, [state])
    ours = simple_rnn_cell(x, state, params)
    assert ours.shape == (batch, units)
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_allclose(ours, np.asarray(theirs), rtol=0, atol=ATOL[dtype])
