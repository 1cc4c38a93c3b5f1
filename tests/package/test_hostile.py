"""The reproducers of issue 21 ("hostile input, calm answers"), one test or case each: the
``check`` command's usage errors and impossible sizes (exit 2, one line, no traceback),
dtypes Keras cannot represent (refused, never silently float32), masked steps with NaN or inf
padding (exactly zero input gradient, weight gradients as with finite padding; TensorFlow's
are NaN), errors that name their argument, and the smaller edges (immutability through
``.base``, ``astype(None)``, subclasses, one-element state lists, float16 overflow in
``to_keras``, an empty batch, the import direction of ``_checks`` and ``activations``)."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import rnn_playground
from rnn_playground import (
    GRUParams,
    LSTMParams,
    SimpleRNNParams,
    gru,
    gru_backward,
    gru_cell,
    lstm_backward,
    simple_rnn,
    simple_rnn_backward,
    simple_rnn_cell,
)
from rnn_playground.__main__ import main
from rnn_playground.testing import keras_gradients
from rnn_playground.torch_layout import from_state_dict, to_state_dict
from rnn_playground.training import adam_update, adding_problem, readout_mse

SRC = Path(rnn_playground.__file__).parent


def one_line_error(capsys):
    """What the command wrote on stderr, asserted to be exactly one line and no traceback."""
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


# -- 1. the check command ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--seed", "-1"], "argument --seed: must be an integer in [0, 4294967295], got -1"),
        (["--seed", "4294967296"],
         "argument --seed: must be an integer in [0, 4294967295], got 4294967296"),
        (["--batch", "99999999999999999999999"],
         "argument --batch: must be an integer in [1, 2147483647], got 99999999999999999999999"),
        (["--units", "0"], "argument --units: must be an integer in [1, 2147483647], got 0"),
        (["--steps", "x"], "argument --steps: must be an integer in [1, 2147483647], got 'x'"),
        (["--dtype", "float16"],
         "argument --dtype: invalid choice: 'float16' (choose from 'float32', 'float64')"),
    ],
    ids=["seed-negative", "seed-2**32", "batch-huge", "units-0", "steps-word", "dtype"],
)  # fmt: skip
def test_check_usage_errors_exit_2_with_one_line(args, expected, capsys):
    assert main(["check", *args]) == 2
    line = one_line_error(capsys)
    assert line == f"python -m rnn_playground check: error: {expected}"


@pytest.mark.parametrize(
    ("args", "flags"),
    [
        (["--batch", "1000000000"], "--batch 1000000000"),
        (["--units", "100000"], "--units 100000"),
        (["--steps", "2000000", "--batch", "50000"], "--batch 50000 --steps 2000000"),
    ],
    ids=["batch-1e9", "units-1e5", "steps-and-batch"],
)
def test_check_refuses_sizes_that_cannot_fit_before_allocating(args, flags, capsys):
    """Refused at once (no TensorFlow run: the test would take minutes or run out of memory
    otherwise), with the estimate in GiB and the memory there is."""
    assert main(["check", *args]) == 2
    line = one_line_error(capsys)
    assert line.startswith("python -m rnn_playground check: error: ")
    assert flags in line
    assert re.search(r"about [\d.,]+ GiB", line), line
    assert "available" in line


def test_check_failure_inside_is_one_line_exit_2(monkeypatch, capsys):
    """An error while the check runs (TensorFlow out of memory, say) is one line, exit 2:
    never 1, which means "a difference exceeds its tolerance"."""

    def broken(*args, **kwargs):
        raise MemoryError("Unable to allocate 40.0 GiB")

    monkeypatch.setattr(rnn_playground, "simple_rnn", broken)
    assert main(["check", "--batch", "1", "--steps", "1", "--inputs", "1", "--units", "1"]) == 2
    line = one_line_error(capsys)
    assert "could not run the check: MemoryError: Unable to allocate 40.0 GiB" in line


def test_check_usage_error_in_a_subprocess():
    result = subprocess.run(
        [sys.executable, "-m", "rnn_playground", "check", "--seed", "-1"],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "python -m rnn_playground check: error: argument --seed: must be an integer in "
        "[0, 4294967295], got -1"
    ]
    assert result.stdout == ""


# -- 2. dtypes that Keras cannot represent ----------------------------------------------------
LONG = np.longdouble
_third = np.ones((2, 3), LONG) / 3


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: SimpleRNNParams(_third, np.eye(3)), "kernel"),
        (lambda: SimpleRNNParams(np.ones((2, 3)), np.eye(3, dtype=LONG)), "recurrent_kernel"),
        (lambda: SimpleRNNParams(np.ones((2, 3)), np.eye(3), np.zeros(3, LONG)), "bias"),
        (lambda: GRUParams(np.ones((2, 9), LONG), np.ones((3, 9))), "kernel"),
        (lambda: LSTMParams(np.ones((2, 12)), np.ones((3, 12), LONG)), "recurrent_kernel"),
        (lambda: from_state_dict({"weight_ih_l0": np.ones((3, 2), LONG),
                                  "weight_hh_l0": np.eye(3)}), "weight_ih_l0"),
        (lambda: readout_mse(np.ones((2, 3), LONG), np.ones((3, 1)), np.zeros(1),
                             np.zeros((2, 1))), "state"),
        (lambda: readout_mse(np.ones((2, 3)), np.ones((3, 1)), np.zeros(1),
                             np.zeros((2, 1), LONG)), "targets"),
        (lambda: simple_rnn(np.ones((1, 2, 2), LONG), SimpleRNNParams.init(2, 3)), "inputs"),
        (lambda: adam_update([np.ones(2, LONG)], [np.ones(2, LONG)], [np.zeros(2, LONG)],
                             [np.zeros(2, LONG)], 1), "weights[0]"),
        (lambda: SimpleRNNParams.init(2, 3).astype(LONG), "dtype"),
    ],
    ids=["simple-kernel", "simple-recurrent", "simple-bias", "gru", "lstm", "state_dict",
         "readout-state", "readout-targets", "inputs", "adam", "astype"],
)  # fmt: skip
def test_longdouble_is_refused_never_silently_float32(call, name):
    with pytest.raises(TypeError, match=re.escape(name)) as error:
        call()
    assert re.search("longdouble|float128|float96", str(error.value)), error.value


def test_float_dtypes_keras_has_are_kept():
    for dtype in ("float16", "float32", "float64"):
        kernel = np.ones((2, 3), dtype) / 3
        assert SimpleRNNParams(kernel, np.eye(3, dtype=dtype)).dtype == dtype


# -- 3. masked steps with NaN or inf padding --------------------------------------------------
BACKWARD = {
    "simplernn": (SimpleRNNParams, simple_rnn_backward),
    "gru": (GRUParams, gru_backward),
    "lstm": (LSTMParams, lstm_backward),
}


@pytest.mark.parametrize("padding", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("cell", list(BACKWARD))
def test_masked_padding_reaches_nothing(cell, padding):
    """With NaN or ±inf at the masked steps, the input gradient is exactly zero there and
    every gradient equals TensorFlow's for the same inputs padded with zeros; TensorFlow's
    own gradients with that padding are NaN (in the inputs and in every weight)."""
    params_class, backward = BACKWARD[cell]
    rng = np.random.default_rng(7)
    batch, steps, features, units = 3, 5, 2, 3
    params = params_class.init(features, units, seed=3, dtype="float64")
    x = rng.normal(size=(batch, steps, features))
    mask = np.ones((batch, steps), bool)
    mask[0, 3:] = False  # padded at the end
    mask[1, :2] = False  # padded at the start
    mask[2, 2] = False  # a gap
    padded = np.where(mask[..., None], x, padding)
    zero_padded = np.where(mask[..., None], x, 0.0)
    output_grad = rng.normal(size=(batch, steps, units))
    options = {"mask": mask, "return_sequences": True}

    ours = backward(padded, params, output_grad, **options)
    reference = keras_gradients(params, zero_padded, output_grad, **options)
    assert np.all(ours.inputs[~mask] == 0)
    for field in ("inputs", "kernel", "recurrent_kernel", "bias"):
        assert np.allclose(getattr(ours, field), getattr(reference, field), rtol=0, atol=1e-10)
    for ours_state, reference_state in zip(
        np.atleast_3d(ours.initial_state), np.atleast_3d(reference.initial_state), strict=True
    ):
        assert np.allclose(ours_state, reference_state, rtol=0, atol=1e-10)
    # the forward pass is finite too, as Keras'
    forward = getattr(rnn_playground, {"simplernn": "simple_rnn"}.get(cell, cell))
    assert np.isfinite(forward(padded, params, mask=mask)).all()

    # TensorFlow with the same padding: NaN in the inputs' and every weight's gradient
    tensorflow = keras_gradients(params, padded, output_grad, **options)
    for field in ("inputs", "kernel", "recurrent_kernel", "bias"):
        assert np.isnan(getattr(tensorflow, field)).any(), field


# -- 4. errors that name their argument -------------------------------------------------------
P = SimpleRNNParams.init(2, 3, seed=0)
G = GRUParams.init(2, 3, seed=0)
X = np.ones((2, 4, 2))


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: simple_rnn(X, P, mask=[[1, 1, 1, 1], [1, 1]]), TypeError, "mask"),
        (lambda: simple_rnn(X, P, mask=[[True] * 4, [True, [False]] + [True] * 2]),
         TypeError, "mask"),
        (lambda: SimpleRNNParams.init(4, 4, seed=-1), ValueError, "seed"),
        (lambda: GRUParams.init(4, 4, seed="abc"), TypeError, "seed"),
        (lambda: LSTMParams.init(4, 4, seed=1.5), TypeError, "seed"),
        (lambda: SimpleRNNParams.init(4, 2**63), ValueError, "units"),
        (lambda: LSTMParams.init(2**40, 4), ValueError, "input_dim"),
        (lambda: adam_update([np.ones(2)], [np.ones(2)], [np.zeros(2)], [np.zeros(2)], 10**400),
         ValueError, "k"),
        (lambda: adding_problem(4, 3, rng=-1), ValueError, "rng"),
        (lambda: adding_problem(4, 3, rng="seed"), TypeError, "rng"),
        (lambda: adding_problem(2**40, 3), ValueError, "n"),
        (lambda: simple_rnn(X, P, activation=lambda z: "tanh"), TypeError, "activation"),
        (lambda: simple_rnn(X, P, activation=lambda z: z * 1j), TypeError, "activation"),
        (lambda: simple_rnn(X, P, activation=lambda z: z.astype(object)), TypeError,
         "activation"),
        (lambda: gru(X, G, recurrent_activation=lambda z: z + 0j), TypeError,
         "recurrent_activation"),
    ],
    ids=["mask-ragged", "mask-deep-ragged", "seed-negative", "seed-str", "seed-float",
         "units-2**63", "input_dim-2**40", "adam-k-10**400", "rng-negative", "rng-str",
         "adding-n-huge", "activation-str", "activation-complex", "activation-object",
         "recurrent_activation-complex"],
)  # fmt: skip
def test_errors_name_their_argument(call, error, name):
    with pytest.raises(error) as info:
        call()
    assert re.search(rf"(?<![\w]){re.escape(name)}\b", str(info.value)), info.value


def test_callable_activation_that_returns_complex_does_not_warn():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="activation"):
            simple_rnn(X, P, activation=lambda z: z * (1 + 0j))


# -- 5. the smaller edges ---------------------------------------------------------------------
@pytest.mark.parametrize("params", [P, G, LSTMParams.init(2, 3, seed=0)], ids=type)
def test_params_cannot_be_changed_through_base(params):
    for weight in (params.kernel, params.recurrent_kernel, params.bias):
        before, array = weight.copy(), weight
        while isinstance(array, np.ndarray):  # the array, its .base, the base's .base, ...
            with pytest.raises(ValueError, match="WRITEABLE"):
                array.flags.writeable = True
            with pytest.raises(ValueError, match="read-only"):
                array[...] = 0
            array = array.base
        assert np.array_equal(weight, before)


def test_astype_none_is_refused():
    with pytest.raises(TypeError, match="dtype must be float16, float32 or float64, got None"):
        P.astype(None)
    with pytest.raises(TypeError, match="dtype"):
        SimpleRNNParams.init(2, 3, dtype=None)


def test_to_state_dict_accepts_a_subclass_as_simple_rnn_does():
    class Mine(GRUParams):
        __slots__ = ()

    mine = Mine(G.kernel, G.recurrent_kernel, G.bias)
    assert gru(X, mine).shape == (2, 3)
    ours, theirs = to_state_dict(mine), to_state_dict(G)
    assert ours.keys() == theirs.keys()
    assert all(np.array_equal(ours[key], theirs[key]) for key in ours)


def test_cells_accept_a_one_element_state_list_as_the_layers_do():
    rng = np.random.default_rng(1)
    x, h = rng.normal(size=(2, 2)), rng.normal(size=(2, 3))
    assert np.array_equal(simple_rnn_cell(x, [h], P), simple_rnn_cell(x, h, P))
    assert np.array_equal(simple_rnn_cell(x, (h,), P), simple_rnn_cell(x, h, P))
    assert np.array_equal(gru_cell(x, [h], G), gru_cell(x, h, G))
    # what the layer accepts: initial_state=[h]
    assert np.array_equal(simple_rnn(x[:, None], P, initial_state=[h]), simple_rnn_cell(x, h, P))


def test_to_keras_refuses_what_overflows_the_layers_dtype():
    layer = keras.layers.SimpleRNN(3, dtype="float16")
    layer.build((None, None, 2))
    before = [w.numpy().copy() for w in layer.weights]
    big = SimpleRNNParams(np.full((2, 3), 1e5), np.eye(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"kernel.*float16.*65504") as info:
        big.to_keras(layer)
    assert "inf" in str(info.value)
    assert all(np.array_equal(w.numpy(), b) for w, b in zip(layer.weights, before, strict=True))
    # inf that is already inf is written as it is
    SimpleRNNParams(np.full((2, 3), np.inf), np.eye(3), np.zeros(3)).to_keras(layer)
    assert np.isinf(layer.cell.kernel.numpy()).all()


def test_readout_mse_refuses_an_empty_batch():
    with pytest.raises(ValueError, match="state must have batch >= 1"):
        readout_mse(np.ones((0, 3)), np.ones((3, 1)), np.zeros(1), np.zeros((0, 1)))
    with pytest.raises(ValueError, match="kernel must have outputs >= 1"):
        readout_mse(np.ones((2, 3)), np.ones((3, 0)), np.zeros(0), np.zeros((2, 0)))


def test_checks_depend_on_activations_not_both_ways():
    imported = set()
    for node in ast.walk(ast.parse((SRC / "activations.py").read_text())):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert not any(name.startswith("rnn_playground") for name in imported), imported


# -- sizes beyond memory, as views that cost nothing ------------------------------------------
HUGE_INPUTS = [
    np.broadcast_to(np.float64(0), shape) for shape in [(2**20, 2**20, 2), (2, 2**40, 2)]
]


@pytest.mark.parametrize("inputs", HUGE_INPUTS, ids=["batch-and-time", "time"])
@pytest.mark.parametrize(
    ("function", "params_class"),
    [(simple_rnn, SimpleRNNParams), (gru, GRUParams), (lstm_backward, LSTMParams)],
    ids=["simple_rnn", "gru", "lstm_backward"],
)
def test_inputs_beyond_memory_are_refused_before_copying(function, params_class, inputs):
    """A broadcast view of 2**41 steps costs nothing to make; the function refuses it with the
    estimate instead of a MemoryError from the first copy."""
    params = params_class.init(2, 3, dtype="float64")
    arguments = (np.zeros((2, 3)),) if function is lstm_backward else ()
    with pytest.raises(ValueError, match=r"inputs of shape .* would need about .* GiB"):
        function(inputs, params, *arguments)
