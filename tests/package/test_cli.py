"""``python -m rnn_playground check``: exit status 0 when it agrees with Keras, 1 when not,
2 for a bad command line (one line on stderr); ``--help`` works; ``--cell gru`` (both
variants) and ``--cell lstm`` run the same comparisons."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

import rnn_playground
from rnn_playground.__main__ import main

SIZE_RANGE = "must be an integer in [1, 2147483647]"
ROWS = [
    "keras.layers.RNN(cell) vs cell loop",
    "tf.compat.v1.nn.dynamic_rnn vs cell loop",
    "last output vs final state (cell loop)",
    "rnn_playground.simple_rnn vs cell loop",
]


def run_module(*args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.run(
        [sys.executable, "-m", "rnn_playground", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def rows_for(function):
    """The table's rows when the package's function is ``function``."""
    return [*ROWS[:3], f"rnn_playground.{function} vs cell loop"]


def table_rows(text, rows=ROWS):
    """{comparison: 'yes'/'NO'} from the printed table."""
    found = {}
    for line in text.splitlines():
        for name in rows:
            if line.startswith(name):
                found[name] = line.split()[-1]
    return found


def test_check_command_exits_0_and_prints_the_table():
    result = run_module("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SimpleRNN check: batch=2 steps=3 inputs=4 units=5 seed=0 dtype=float32" in (
        result.stdout
    )
    assert "comparison" in result.stdout
    assert "max|d|" in result.stdout
    assert table_rows(result.stdout) == dict.fromkeys(ROWS, "yes")
    assert result.stdout.rstrip().endswith("all within tolerance")


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"]], ids=["main", "check"])
def test_help(args):
    result = run_module(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m rnn_playground")
    assert "check" in result.stdout
    if args[0] == "check":
        for option in ("--batch", "--steps", "--inputs", "--units", "--seed", "--dtype",
                       "--cell", "--reset-after", "--no-reset-after"):  # fmt: skip
            assert option in result.stdout


def test_bad_argument_exits_2_in_a_subprocess():
    result = run_module("check", "--batch", "0")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"python -m rnn_playground check: error: argument --batch: {SIZE_RANGE}, got 0"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the following arguments are required: command"),
        (["train"], "invalid choice: 'train'"),
        (["check", "--batch", "0"], f"argument --batch: {SIZE_RANGE}, got 0"),
        (["check", "--units", "-3"], f"argument --units: {SIZE_RANGE}, got -3"),
        (["check", "--steps", "two"], f"argument --steps: {SIZE_RANGE}, got 'two'"),
        (["check", "--batch", "abc"], f"argument --batch: {SIZE_RANGE}, got 'abc'"),
        (["check", "--inputs", "2.5"], f"argument --inputs: {SIZE_RANGE}, got '2.5'"),
        (["check", "--dtype", "float16"], "argument --dtype: invalid choice: 'float16'"),
        (["check", "--seed", "1.5"], "argument --seed: must be an integer in [0, 4294967295], "
         "got '1.5'"),
        (["check", "--colour"], "unrecognized arguments: --colour"),
        (["check", "--cell", "rnn"], "argument --cell: invalid choice: 'rnn'"),
        (["check", "--cell", "lstm", "--no-reset-after"],
         "--reset-after/--no-reset-after is a GRU's option, not lstm's"),
        (["check", "--reset-after"],
         "--reset-after/--no-reset-after is a GRU's option, not simplernn's"),
    ],
    ids=["no-command", "unknown-command", "batch-0", "units-negative", "steps-word", "batch-word",
         "inputs-float", "dtype-float16", "seed-float", "unknown-option", "cell-unknown",
         "reset_after-lstm", "reset_after-simplernn"],
)  # fmt: skip
def test_bad_arguments_exit_2(args, message, capsys):
    assert main(args) == 2
    error = capsys.readouterr().err
    assert message in error
    assert len(error.splitlines()) == 1, error
    assert re.search(r"\b_\w", error) is None, f"a private name reaches the user: {error}"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_check_in_process_exits_0(dtype, capfd):
    args = ["check", "--batch", "1", "--steps", "2", "--inputs", "1", "--units", "1"]
    assert main([*args, "--seed", "3", "--dtype", dtype]) == 0
    out = capfd.readouterr().out
    assert f"batch=1 steps=2 inputs=1 units=1 seed=3 dtype={dtype}" in out
    assert table_rows(out) == dict.fromkeys(ROWS, "yes")


def test_check_exits_1_when_simple_rnn_disagrees(monkeypatch, capfd):
    real_simple_rnn = rnn_playground.simple_rnn

    def perturbed(*args, **kwargs):
        outputs, state = real_simple_rnn(*args, **kwargs)
        return outputs + np.float32(1e-3), state

    monkeypatch.setattr(rnn_playground, "simple_rnn", perturbed)
    assert main(["check"]) == 1
    out = capfd.readouterr().out
    rows = table_rows(out)
    assert rows.pop("rnn_playground.simple_rnn vs cell loop") == "NO"
    assert rows == dict.fromkeys(ROWS[:3], "yes")
    assert "SOME DIFFERENCES EXCEED THEIR TOLERANCE" in out


GATED = [
    (["--cell", "gru"], "gru", "GRU check (reset_after=True)"),
    (["--cell", "gru", "--no-reset-after"], "gru", "GRU check (reset_after=False)"),
    (["--cell", "lstm"], "lstm", "LSTM check"),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("args", "function", "title"), GATED, ids=["gru", "gru-reset_before",
                                                                     "lstm"])  # fmt: skip
def test_check_gated_cells_in_process_exits_0(args, function, title, dtype, capfd):
    assert main(["check", *args, "--units", "3", "--seed", "1", "--dtype", dtype]) == 0
    out = capfd.readouterr().out
    assert out.startswith(f"{title}: batch=2 steps=3 inputs=4 units=3 seed=1 dtype={dtype}")
    assert "bias ~ U(-0.5, 0.5)" in out
    assert table_rows(out, rows_for(function)) == dict.fromkeys(rows_for(function), "yes")
    assert out.rstrip().endswith("all within tolerance")


def test_check_lstm_in_a_subprocess():
    result = run_module("check", "--cell", "lstm")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(h, c) max|d|" in result.stdout
    assert table_rows(result.stdout, rows_for("lstm")) == dict.fromkeys(rows_for("lstm"), "yes")


@pytest.mark.parametrize(("cell", "state_index"), [("gru", 1), ("lstm", 2)])
def test_check_exits_1_when_a_gated_cell_disagrees(cell, state_index, monkeypatch, capfd):
    """A perturbed final state (the LSTM's c) is seen even when the outputs agree."""
    real = getattr(rnn_playground, cell)

    def perturbed(*args, **kwargs):
        result = list(real(*args, **kwargs))
        result[state_index] = result[state_index] + np.float32(1e-3)
        return tuple(result)

    monkeypatch.setattr(rnn_playground, cell, perturbed)
    assert main(["check", "--cell", cell]) == 1
    rows = table_rows(capfd.readouterr().out, rows_for(cell))
    assert rows.pop(f"rnn_playground.{cell} vs cell loop") == "NO"
    assert rows == dict.fromkeys(ROWS[:3], "yes")
