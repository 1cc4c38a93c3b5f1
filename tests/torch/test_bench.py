"""The correctness gate of ``make bench`` (benchmarks/bench_rnn.py), without its timing.

The benchmark checks ours against Keras eager, Keras in ``tf.function`` and PyTorch before it
times them, and exits non-zero when a difference exceeds its tolerance. Here, at the toy size:
the three references agree with ours (so PyTorch's gradients are mapped back to Keras' layout
correctly, the SimpleRNN's and the LSTM's one bias included), and ours perturbed by one part in
10³ fails the gate against every one of them.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
import torch

_path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_rnn.py"
_spec = importlib.util.spec_from_file_location("bench_rnn", _path)
bench_rnn = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_rnn)

SIZE = bench_rnn.SIZES[0]


@pytest.mark.parametrize("kind", bench_rnn.PASSES)
@pytest.mark.parametrize("cell", list(bench_rnn.CELLS))
def test_gate_passes_ours_and_fails_ours_perturbed(cell, kind):
    case = bench_rnn.make_case(cell, SIZE, np.random.default_rng(0), tf, torch)
    function = tf.function(case.keras[kind])
    diffs, _ = bench_rnn.check_case(cell, kind, case, function)
    assert set(diffs) == {"eager", "function", "torch"}
    assert max(diffs.values()) <= bench_rnn.TOLERANCE, diffs
    perturbed, _ = bench_rnn.check_case(cell, kind, case, function, perturb=1e-3)
    assert min(perturbed.values()) > bench_rnn.TOLERANCE, perturbed
