"""``python -m rnn_playground check``: the seed notebook's comparisons, in the terminal.

Runs one SimpleRNN four ways on the same inputs, initial state and weights: the Keras
cell in a Python loop (the reference, as in the 2018 notebook), ``keras.layers.RNN(cell)``,
``tf.compat.v1.nn.dynamic_rnn`` and ``rnn_playground.simple_rnn``. Prints the largest
absolute differences and exits with status 1 when any exceeds its tolerance, 2 for a bad
command line or when Keras and TensorFlow are not installed.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from rnn_playground._checks import import_keras
from rnn_playground.testing import ATOL, max_abs_diff

PROG = "python -m rnn_playground"


def positive_integer(text):
    """argparse type: a positive integer, with a message that names no Python function."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Check rnn_playground against Keras and TensorFlow on this machine.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="run the seed notebook's comparisons and print the largest differences",
        description=(
            "Run a SimpleRNN as a Keras cell in a Python loop, as keras.layers.RNN(cell), as "
            "tf.compat.v1.nn.dynamic_rnn and as rnn_playground.simple_rnn; print the largest "
            "absolute differences; exit 1 if any exceeds its tolerance."
        ),
    )
    for option, default, what in [
        ("--batch", 2, "batch size"),
        ("--steps", 3, "time steps"),
        ("--inputs", 4, "input features"),
        ("--units", 5, "units"),
    ]:
        check.add_argument(
            option, type=positive_integer, default=default, help=f"{what} (default {default})"
        )
    check.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    check.add_argument(
        "--dtype", choices=sorted(ATOL), default="float32", help="float type (default float32)"
    )
    return parser


def run_check(batch, steps, inputs, units, seed, dtype, stream=None) -> bool:
    """Print the comparison table; return True when every difference is within tolerance."""
    stream = sys.stdout if stream is None else stream  # looked up now, so redirection works
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import tensorflow as tf

    from rnn_playground import SimpleRNNParams, simple_rnn

    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(batch, steps, inputs)).astype(dtype)  # the seed's tf.random.uniform
    a0 = rng.uniform(size=(batch, units)).astype(dtype)
    keras.utils.set_random_seed(seed)
    cell = keras.layers.SimpleRNNCell(units, dtype=dtype)

    # 1. The 2018 notebook's loop over the cell: time-major stack, then batch-major.
    state, stack = tf.constant(a0), []
    for t in range(steps):
        output, [state] = cell(x[:, t, :], [state])
        stack.append(output)
    loop_outputs = tf.transpose(tf.stack(stack), [1, 0, 2]).numpy()
    loop_state = state.numpy()

    # 2. keras.layers.RNN(cell), the modern form of dynamic_rnn.
    rnn = keras.layers.RNN(cell, return_sequences=True, return_state=True, dtype=dtype)
    rnn_outputs, rnn_state = (v.numpy() for v in rnn(x, initial_state=[a0]))

    # 3. tf.compat.v1.nn.dynamic_rnn, the seed's API; it now needs the initial state.
    dyn_outputs, dyn_state = (
        v.numpy() for v in tf.compat.v1.nn.dynamic_rnn(cell, x, initial_state=tf.constant(a0))
    )

    # 4. rnn_playground, with the cell's own weights.
    params = SimpleRNNParams.from_keras(cell)
    np_outputs, np_state = simple_rnn(
        x, params, initial_state=a0, return_sequences=True, return_state=True
    )

    tolerance = ATOL[dtype]
    rows = [
        ("keras.layers.RNN(cell) vs cell loop", rnn_outputs, rnn_state, tolerance),
        ("tf.compat.v1.nn.dynamic_rnn vs cell loop", dyn_outputs, dyn_state, tolerance),
        ("last output vs final state (cell loop)", loop_outputs[:, -1], loop_state, 0.0),
        ("rnn_playground.simple_rnn vs cell loop", np_outputs, np_state, tolerance),
    ]
    print(
        f"SimpleRNN check: batch={batch} steps={steps} inputs={inputs} units={units} "
        f"seed={seed} dtype={dtype}; TensorFlow {tf.__version__}, Keras {keras.__version__}",
        file=stream,
    )
    header = f"{'comparison':<42} {'outputs max|d|':>15} {'state max|d|':>13} {'tolerance':>10}  ok"
    print(header, file=stream)
    print("-" * len(header), file=stream)
    all_ok = True
    for name, outputs, final_state, tol in rows:
        if name.startswith("last output"):
            d_out = d_state = max_abs_diff(outputs, final_state)
        else:
            d_out = max_abs_diff(outputs, loop_outputs)
            d_state = max_abs_diff(final_state, loop_state)
        ok = d_out <= tol and d_state <= tol
        all_ok &= ok
        print(
            f"{name:<42} {d_out:>15.3e} {d_state:>13.3e} {tol:>10.0e}  {'yes' if ok else 'NO'}",
            file=stream,
        )
    print(
        "all within tolerance" if all_ok else "SOME DIFFERENCES EXCEED THEIR TOLERANCE", file=stream
    )
    return all_ok


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "check":
        try:
            import_keras("this command")
        except ModuleNotFoundError as error:
            print(f"{PROG} check: error: {error}", file=sys.stderr)
            return 2
        ok = run_check(args.batch, args.steps, args.inputs, args.units, args.seed, args.dtype)
        return 0 if ok else 1
    return 2  # pragma: no cover - argparse enforces a command


if __name__ == "__main__":
    sys.exit(main())
