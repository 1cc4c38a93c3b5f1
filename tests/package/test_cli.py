"""``python -m rnn_playground check``: exit status 0 when it agrees with Keras, 1 when not,
2 for a bad command line; ``--help`` works."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

import rnn_playground
from rnn_playground.__main__ import main

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


def table_rows(text):
    """{comparison: 'yes'/'NO'} from the printed table."""
    rows = {}
    for line in text.splitlines():
        for name in ROWS:
            if line.startswith(name):
                rows[name] = line.split()[-1]
    return rows


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
        for option in ("--batch", "--steps", "--inputs", "--units", "--seed", "--dtype"):
            assert option in result.stdout


def test_bad_argument_exits_2_in_a_subprocess():
    result = run_module("check", "--batch", "0")
    assert result.returncode == 2
    assert "argument --batch: must be a positive integer, got 0" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the following arguments are required: command"),
        (["train"], "invalid choice: 'train'"),
        (["check", "--batch", "0"], "argument --batch: must be a positive integer, got 0"),
        (["check", "--units", "-3"], "argument --units: must be a positive integer, got -3"),
        (["check", "--steps", "two"], "argument --steps: must be a positive integer, got 'two'"),
        (["check", "--batch", "abc"], "argument --batch: must be a positive integer, got 'abc'"),
        (["check", "--inputs", "2.5"], "argument --inputs: must be a positive integer, got '2.5'"),
        (["check", "--dtype", "float16"], "argument --dtype: invalid choice: 'float16'"),
        (["check", "--seed", "1.5"], "argument --seed: invalid int value: '1.5'"),
        (["check", "--colour"], "unrecognized arguments: --colour"),
    ],
    ids=["no-command", "unknown-command", "batch-0", "units-negative", "steps-word", "batch-word",
         "inputs-float", "dtype-float16", "seed-float", "unknown-option"],
)  # fmt: skip
def test_bad_arguments_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert message in error
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
