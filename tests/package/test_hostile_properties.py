"""Arbitrary values at every public function and at the ``check`` command: only a TypeError or
a ValueError comes out, and its message names the argument (the README's promise); the command
exits 2 with one line on stderr, never a traceback.

Every public callable is listed (``test_every_public_callable_is_thrown_at`` keeps the list
complete): the names of ``rnn_playground.__all__``, ``training.__all__``,
``torch_layout.__all__`` and ``parallel.__all__``, and the params classes' methods. Each gets a
valid call, and then
hypothesis replaces one argument by a hostile value: None, booleans, huge and negative
integers, NaN and inf, complex numbers, strings, bytes, objects, dicts, ragged nests, arrays of
every shape and dtype (longdouble, object, strings, datetimes), views far larger than memory,
the valid argument with NaN in it or one axis changed, callables that return garbage. A value
that turns out valid is fine (the call returns); anything else must be a TypeError or
ValueError naming the argument, or, for a shape that two arguments must share, one of those.
"""

import contextlib
import inspect
import io
import os
import re
import subprocess
import sys
from collections.abc import Mapping

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rnn_playground
from rnn_playground import GRUParams, LSTMParams, SimpleRNNParams, parallel, torch_layout, training
from rnn_playground.__main__ import main

# HOSTILE_EXAMPLES=500 make test-package ... searches harder than the 25 examples of every run
EXAMPLES = settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "25")), deadline=None)
B, T, D, H = 2, 3, 2, 3
_rng = np.random.default_rng(0)
X = _rng.normal(size=(B, T, D))
P = {
    cls: cls.init(D, H, seed=0, dtype="float64") for cls in (SimpleRNNParams, GRUParams, LSTMParams)
}
MODULES = (rnn_playground, training, torch_layout, parallel)
RESULT_TYPES = {
    "SimpleRNNGrads",
    "GRUGrads",
    "LSTMGrads",
    "ReadoutMSE",
    "MinGRUGrads",
    "MinLSTMGrads",
    "NewtonResult",
    "PackedNetworks",
}  # what is returned
METHODS = ("", ".init", ".astype", ".from_keras", ".to_keras")


def _keras_layer(cls):
    layer = {SimpleRNNParams: keras.layers.SimpleRNN, GRUParams: keras.layers.GRU,
             LSTMParams: keras.layers.LSTM}[cls](H, dtype="float64")  # fmt: skip
    layer.build((None, None, D))
    return layer


def _sequence_cases():
    """The forward and backward functions: name -> (function, valid arguments)."""
    cases = {}
    for cls, layer, cell, backward, states in [
        (SimpleRNNParams, "simple_rnn", "simple_rnn_cell", "simple_rnn_backward", 1),
        (GRUParams, "gru", "gru_cell", "gru_backward", 1),
        (LSTMParams, "lstm", "lstm_cell", "lstm_backward", 2),
    ]:
        p = P[cls]
        h = np.ones((B, H)) / 2
        state = h if states == 1 else (h, h)
        gated = {} if cls is SimpleRNNParams else {"recurrent_activation": "sigmoid"}
        options = {"initial_state": state, "mask": np.ones((B, T), bool), "activation": "tanh",
                   "go_backwards": False, "zero_output_for_mask": False, **gated}  # fmt: skip
        cases[layer] = (getattr(rnn_playground, layer),
                        {"inputs": X, "params": p, "return_sequences": True,
                         "return_state": False, **options})  # fmt: skip
        cases[cell] = (getattr(rnn_playground, cell),
                       {"inputs": X[:, 0], "state": state, "params": p, "activation": "tanh",
                        **gated})  # fmt: skip
        cases[backward] = (getattr(rnn_playground, backward),
                           {"inputs": X, "params": p, "output_grad": np.ones((B, T, H)),
                            "return_sequences": True, "state_grad": state, **options})  # fmt: skip
    return cases


def _params_cases():
    """The params classes and their methods: name -> (function, valid arguments)."""
    cases = {}
    for cls, p in P.items():
        name = cls.__name__
        arrays = {"kernel": p.kernel, "recurrent_kernel": p.recurrent_kernel, "bias": p.bias}
        options = {"reset_after": True} if cls is GRUParams else {}
        init = {"input_dim": D, "units": H, "seed": 0, "dtype": "float32", "use_bias": True}
        init |= {GRUParams: {"reset_after": True},
                 LSTMParams: {"unit_forget_bias": True}}.get(cls, {})  # fmt: skip
        cases[name] = (cls, {**arrays, **options})
        cases[f"{name}.init"] = (cls.init, init)
        cases[f"{name}.astype"] = (p.astype, {"dtype": "float32"})
        cases[f"{name}.from_keras"] = (cls.from_keras, {"obj": _keras_layer(cls)})
        cases[f"{name}.to_keras"] = (p.to_keras, {"obj": _keras_layer(cls)})
    return cases


P_INPUT_ONLY = {
    cls: cls.init(D, H, seed=0, dtype="float64")
    for cls in (parallel.MinGRUParams, parallel.MinLSTMParams)
}


def _parallel_cases():
    """rnn_playground.parallel: the scans, minGRU and minLSTM, Newton's method."""
    a, b, h = np.full((B, T, H), 0.5), np.ones((B, T, H)), np.ones((B, H))
    cases = {
        "linear_scan": (parallel.linear_scan, {"a": a, "b": b, "initial": h}),
        "log_linear_scan": (
            parallel.log_linear_scan,
            {"log_a": np.log(a), "log_b": b, "log_initial": h},
        ),
        "newton_gru": (
            parallel.newton_gru,
            {
                "inputs": X,
                "params": P[GRUParams],
                "initial_state": h,
                "activation": "tanh",
                "recurrent_activation": "sigmoid",
                "tol": 1e-12,
                "max_iter": 5,
            },
        ),
        "gru_step_jacobians": (
            parallel.gru_step_jacobians,
            {
                "inputs": X[:, 0],
                "state": h,
                "params": P[GRUParams],
                "activation": "tanh",
                "recurrent_activation": "sigmoid",
            },
        ),
    }
    for cls, p in P_INPUT_ONLY.items():
        name = cls.__name__
        cases[name] = (cls, {"kernel": p.kernel, "bias": p.bias})
        cases[f"{name}.init"] = (
            cls.init,
            {"input_dim": D, "units": H, "seed": 0, "dtype": "float32", "use_bias": True},
        )
        cell = "min_gru" if cls is parallel.MinGRUParams else "min_lstm"
        options = {"inputs": X, "params": p, "initial_state": h, "return_sequences": True}
        cases[cell] = (getattr(parallel, cell), {**options, "return_state": False})
        cases[f"{cell}_backward"] = (
            getattr(parallel, f"{cell}_backward"),
            {**options, "output_grad": b, "state_grad": h},
        )
    return cases


CASES = {
    **_sequence_cases(),
    **_params_cases(),
    "to_state_dict": (torch_layout.to_state_dict, {"params": P[GRUParams]}),
    "from_state_dict": (torch_layout.from_state_dict,
                        {"state_dict": torch_layout.to_state_dict(P[LSTMParams])}),
    "adding_problem": (training.adding_problem, {"n": 2, "steps": 3, "rng": 0}),
    "readout_mse": (training.readout_mse, {"state": np.ones((B, H)), "kernel": np.ones((H, 1)),
                                           "bias": np.zeros(1), "targets": np.ones((B, 1))}),
    "adam_update": (training.adam_update,
                    {"weights": [np.ones(2)], "grads": [np.ones(2)], "m": [np.zeros(2)],
                     "v": [np.zeros(2)], "k": 1, "learning_rate": 0.01, "beta_1": 0.9,
                     "beta_2": 0.999, "epsilon": 1e-7, "power_bases": None}),
    "keras_power_bases": (training.keras_power_bases, {"beta_1": 0.9, "beta_2": 0.999}),
    "pack_networks": (training.pack_networks, {"networks": [P[GRUParams], P[GRUParams]]}),
    "unpack_networks": (training.unpack_networks,
                        {"params": training.pack_networks([P[LSTMParams]] * 2).params,
                         "count": 2}),
    "packed_readout_mse": (training.packed_readout_mse,
                           {"state": np.ones((B, 2 * H)), "kernels": [np.ones((H, 1))] * 2,
                            "biases": [np.zeros(1)] * 2, "targets": [np.ones((B, 1))] * 2}),
    **_parallel_cases(),
}  # fmt: skip

# Arguments whose shapes must agree: a wrong one may be reported as the other's mismatch.
COUPLED = [
    {"inputs", "params", "initial_state", "state", "mask", "output_grad", "state_grad"},
    {"kernel", "recurrent_kernel", "bias", "reset_after"},
    {"state", "kernel", "bias", "targets"},
    {"weights", "grads", "m", "v"},
    {"beta_1", "beta_2", "power_bases"},
    {"a", "b", "initial"},
    {"log_a", "log_b", "log_initial"},
    {"kernel", "bias"},
    {"state", "kernels", "biases", "targets"},
    {"params", "count"},
]


# An argument that is a mapping: an error may name the entry that is wrong.
ENTRIES = {"state_dict": ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")}


def public_callables():
    """Every public function, class and params method, by name."""
    names = set()
    for module in MODULES:
        for name in module.__all__:
            if name in RESULT_TYPES:  # named tuples of results: nothing to check
                continue
            obj = getattr(module, name)
            params = isinstance(obj, type) and issubclass(obj, tuple(P))
            input_only = isinstance(obj, type) and issubclass(obj, tuple(P_INPUT_ONLY))
            methods = METHODS if params else (("", ".init") if input_only else ("",))
            names.update(name + method for method in methods)
    return names


def test_every_public_callable_is_thrown_at():
    assert public_callables() == set(CASES)
    for name in RESULT_TYPES:  # and the result types are what they claim: named tuples
        result_type = next(getattr(m, name) for m in MODULES if hasattr(m, name))
        assert issubclass(result_type, tuple)
        assert hasattr(result_type, "_fields")


# -- hostile values -------------------------------------------------------------------------
DTYPES = ["float16", "float32", "float64", np.longdouble, "int8", "int64", "uint8", "bool",
          "complex128", "object", "U3", "S2", "datetime64[s]", "timedelta64[ms]"]  # fmt: skip
HUGE = [2**31, 2**40, 2**63, 2**64, 10**30, 10**400]


def _garbage(z):  # a callable activation that returns something else each time
    return {"str": "tanh", "none": None, "complex": z * 1j, "shape": z[..., :1],
            "object": np.asarray(z, dtype=object), "list": [[1, 2], [3]]}  # fmt: skip


def _callables():
    return st.sampled_from(["str", "none", "complex", "shape", "object", "list"]).map(
        lambda kind: lambda z: _garbage(z)[kind]
    )


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10),
    st.sampled_from(HUGE + [-h for h in HUGE]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(max_magnitude=1e10),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=6),
    st.binary(max_size=4),
    st.just(object()),
    st.sampled_from([np.float64("nan"), np.int64(-1), np.float32(np.inf), np.longdouble(1) / 3]),
)
nests = st.recursive(
    st.one_of(st.integers(-3, 3), st.floats(allow_nan=True), st.none(), st.text(max_size=2)),
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children),
    max_leaves=12,
)
arrays = st.sampled_from(DTYPES).flatmap(
    lambda dtype: hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0,
                                                     max_side=4))
)  # fmt: skip
huge_views = st.sampled_from([(2**20, 2**20), (2**20, 2**20, D), (2**16, 2**16, 2**16),
                              (B, 2**40, D), (2**40, H), (2**40, 1)]).map(
    lambda shape: np.broadcast_to(np.float64(0), shape)
)  # fmt: skip
dicts = st.dictionaries(
    st.sampled_from(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "x"]) | scalars,
    scalars | arrays,
    max_size=4,
)
hostile = st.one_of(scalars, nests, arrays, huge_views, dicts, _callables(),
                    st.lists(arrays, max_size=3))  # fmt: skip


@st.composite
def near_misses(draw, valid):
    """The valid argument made wrong in one way: NaN in it, one axis changed, a dtype
    changed, transposed, wrapped in a list, or one of its elements replaced."""
    if isinstance(valid, tuple | list) and valid:
        items = list(valid)
        items[draw(st.integers(0, len(items) - 1))] = draw(hostile)
        return type(valid)(items)
    if isinstance(valid, Mapping) and valid:
        key = draw(st.sampled_from(sorted(valid)))
        return {**valid, key: draw(hostile | near_misses(valid[key]))}
    if not isinstance(valid, np.ndarray) or valid.ndim == 0:
        return draw(hostile)
    how = draw(st.sampled_from(["nan", "axis", "dtype", "transpose", "list"]))
    if how == "nan":
        return np.where(np.arange(valid.size).reshape(valid.shape) == 0, np.nan, valid)
    if how == "axis":
        shape = list(valid.shape)
        shape[draw(st.integers(0, len(shape) - 1))] = draw(st.integers(0, 5))
        return np.ones(shape, valid.dtype)
    if how == "dtype":
        return valid.astype(draw(st.sampled_from(DTYPES)))
    if how == "transpose":
        return valid.T
    return [valid]


def _named(message, names):
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", message) for name in names)


def _acceptable_names(name, arguments):
    """The names an error about ``name`` may give: its own, or a coupled argument's (and for
    ``state_dict``, the key of the entry that is wrong)."""
    names = {name, *ENTRIES.get(name, ())}
    for group in COUPLED:
        if name in group:
            names |= group & set(arguments)
    return names


def _throw(case, data):
    function, valid = CASES[case]
    parameters = list(valid)
    assert set(parameters) <= set(inspect.signature(function).parameters), case
    name = data.draw(st.sampled_from(parameters), label="argument")
    value = data.draw(hostile | near_misses(valid[name]), label=name)
    arguments = {**valid, name: value}
    try:
        function(**arguments)
    except (TypeError, ValueError) as error:
        message = f"{case}({name}=...): {type(error).__name__}: {error}"
    else:
        return  # the value was valid after all
    assert _named(message.partition(": ")[2], _acceptable_names(name, arguments)), message


@pytest.mark.parametrize("case", sorted(CASES))
@EXAMPLES
@given(data=st.data())
def test_only_type_or_value_errors_naming_the_argument(case, data):
    _throw(case, data)


# -- the check command ----------------------------------------------------------------------
FLAGS = {"--batch": (1, 2**31 - 1), "--steps": (1, 2**31 - 1), "--inputs": (1, 2**31 - 1),
         "--units": (1, 2**31 - 1), "--seed": (0, 2**32 - 1)}  # fmt: skip
CHOICES = {"--cell": ("simplernn", "gru", "lstm"), "--dtype": ("float32", "float64")}
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)


def _invalid_integer(flag):
    low, high = FLAGS[flag]

    def invalid(token):
        try:
            return not low <= int(token) <= high
        except ValueError:
            return True

    numbers = st.integers(-(2**70), 2**70).map(str) | st.sampled_from(
        ["", "1.5", "1e3", "0x10", "nan", "inf", "١٢", " 3", "+-1", "--1"]
    )
    return (numbers | text).filter(invalid)


@st.composite
def bad_command_lines(draw):
    """A command line with at least one thing wrong: a value out of range or not a number,
    an unknown choice or option, a missing value, no command, or sizes too big for memory."""
    valid = []
    for flag in draw(st.lists(st.sampled_from(sorted(FLAGS)), max_size=3, unique=True)):
        valid += [flag, str(draw(st.integers(*FLAGS[flag]).filter(lambda n: n < 4) | st.just(1)))]
    kind = draw(st.sampled_from(["integer", "choice", "option", "missing", "command", "memory"]))
    if kind == "integer":
        flag = draw(st.sampled_from(sorted(FLAGS)))
        wrong = [flag, draw(_invalid_integer(flag))]
        wrong = [f"{flag}={wrong[1]}"] if wrong[1].startswith("-") else wrong
    elif kind == "choice":
        flag = draw(st.sampled_from(sorted(CHOICES)))
        wrong = [f"{flag}={draw(text.filter(lambda t: t not in CHOICES[flag]))}"]
    elif kind == "option":
        wrong = [draw(text.map(lambda t: "--x" + t).filter(lambda t: t != "--x"))]
    elif kind == "missing":
        wrong = [draw(st.sampled_from(sorted(FLAGS) + sorted(CHOICES)))]
    elif kind == "command":
        return [draw(text.filter(lambda t: t not in ("check", "-h", "--help"))), *valid]
    else:
        wrong = ["--batch", str(draw(st.integers(2**28, 2**31 - 1))), "--steps",
                 str(draw(st.integers(2**28, 2**31 - 1)))]  # fmt: skip
    return ["check", *valid, *wrong]


@settings(max_examples=60, deadline=None)
@given(argv=bad_command_lines())
def test_check_command_exits_2_with_one_line(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    assert status == 2, (argv, err.getvalue())
    assert out.getvalue() == ""
    lines = err.getvalue().splitlines()
    assert len(lines) == 1, (argv, err.getvalue())
    assert lines[0].startswith("python -m rnn_playground")
    assert ": error: " in lines[0]


def test_check_command_in_a_subprocess():
    """One real process, a hostile command line: the exit status and stderr the shell sees."""
    result = subprocess.run(
        [sys.executable, "-m", "rnn_playground", "check", "--units", "-7", "--seed", "nan"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "python -m rnn_playground check: error: argument --units: must be an integer in "
        "[1, 2147483647], got -7"
    ]
