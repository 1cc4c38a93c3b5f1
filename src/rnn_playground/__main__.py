"""``python -m rnn_playground check``: the seed notebook's comparisons, in the terminal.

Runs one cell (``--cell simplernn``, the default, ``gru`` or ``lstm``) four ways on the same
inputs, initial state and weights: the Keras cell in a Python loop (the reference, as in the
2018 notebook), ``keras.layers.RNN(cell)``, ``tf.compat.v1.nn.dynamic_rnn`` and the package
(``rnn_playground.simple_rnn``, ``gru`` or ``lstm``). Prints the largest absolute differences
and exits with status 1 when any exceeds its tolerance, and 2 when the check cannot run: a bad
command line (one line on stderr naming the flag and its range), sizes whose arrays cannot fit
in this machine's memory (refused before anything is allocated, with the estimate), Keras and
TensorFlow not installed, or an error while it runs (one line, never a traceback).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from rnn_playground._checks import available_memory, gibibytes, import_keras
from rnn_playground.testing import ATOL, max_abs_diff

PROG = "python -m rnn_playground"
# cell name -> (Keras cell, what the package calls the layer function, the title)
CELLS = {
    "simplernn": ("SimpleRNNCell", "simple_rnn", "SimpleRNN"),
    "gru": ("GRUCell", "gru", "GRU"),
    "lstm": ("LSTMCell", "lstm", "LSTM"),
}


# the sizes: flag name -> (default, what it is)
SIZES = {
    "batch": (2, "batch size"),
    "steps": (3, "time steps"),
    "inputs": (4, "input features"),
    "units": (5, "units"),
}
SIZE_MAX = 2**31 - 1  # TensorFlow's shapes are int32 in places; far more than memory allows
SEED_MAX = 2**32 - 1  # keras.utils.set_random_seed seeds NumPy's legacy generator: [0, 2**32)


def integer_in(low, high):
    """argparse type: an integer in [low, high], with a message that gives the range and names
    no Python function."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            got = repr(text) if value is None else value
            raise argparse.ArgumentTypeError(f"must be an integer in [{low}, {high}], got {got}")
        return value

    parse.__name__ = "integer"  # what argparse would print for an error it words itself
    return parse


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr, "prog: error: message", exit 2
    (argparse's own print the usage first)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=PROG,
        description="Check rnn_playground against Keras and TensorFlow on this machine.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    check = commands.add_parser(
        "check",
        help="run the seed notebook's comparisons and print the largest differences",
        description=(
            "Run a SimpleRNN, a GRU or an LSTM as a Keras cell in a Python loop, as "
            "keras.layers.RNN(cell), as tf.compat.v1.nn.dynamic_rnn and as rnn_playground "
            "(simple_rnn, gru or lstm); print the largest absolute differences; exit 1 if any "
            "exceeds its tolerance, 2 if the check cannot run (one line on stderr)."
        ),
    )
    check.add_argument(
        "--cell",
        choices=list(CELLS),
        default="simplernn",
        help="the cell: simplernn (default), gru or lstm",
    )
    check.add_argument(
        "--reset-after",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="GRU only: Keras' reset_after (default: on, as in Keras)",
    )
    for name, (default, what) in SIZES.items():
        check.add_argument(
            f"--{name}",
            type=integer_in(1, SIZE_MAX),
            default=default,
            help=f"{what} (default {default})",
        )
    check.add_argument(
        "--seed",
        type=integer_in(0, SEED_MAX),
        default=0,
        help=f"random seed in [0, {SEED_MAX}] (default 0)",
    )
    check.add_argument(
        "--dtype", choices=sorted(ATOL), default="float32", help="float type (default float32)"
    )
    return parser


def run_check(
    batch, steps, inputs, units, seed, dtype, stream=None, *, cell="simplernn", reset_after=None
) -> bool:
    """Print the comparison table; return True when every difference is within tolerance.

    ``cell`` is "simplernn", "gru" or "lstm"; ``reset_after`` the GRU's (None: Keras' True).
    The gated cells get a bias drawn from U(-0.5, 0.5) instead of Keras' initial zeros (and
    ones), so that the bias and where it enters are checked too.
    """
    stream = sys.stdout if stream is None else stream  # looked up now, so redirection works
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import tensorflow as tf

    import rnn_playground
    from rnn_playground.testing import CELLS as PARAMS

    keras_cell_name, function_name, title = CELLS[cell]
    state_count = PARAMS[cell].state_count
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(batch, steps, inputs)).astype(dtype)  # the seed's tf.random.uniform
    initial = [rng.uniform(size=(batch, units)).astype(dtype) for _ in range(state_count)]
    keras.utils.set_random_seed(seed)
    options = {} if cell != "gru" else {"reset_after": True if reset_after is None else reset_after}
    keras_cell = getattr(keras.layers, keras_cell_name)(units, dtype=dtype, **options)
    keras_cell.build((None, inputs))
    if cell != "simplernn":  # a bias that counts
        keras_cell.bias.assign(rng.uniform(-0.5, 0.5, keras_cell.bias.shape).astype(dtype))

    # 1. The 2018 notebook's loop over the cell: time-major stack, then batch-major.
    state, stack = [tf.constant(s) for s in initial], []
    for t in range(steps):
        output, state = keras_cell(x[:, t, :], state)
        stack.append(output)
    loop_outputs = tf.transpose(tf.stack(stack), [1, 0, 2]).numpy()
    loop_states = [s.numpy() for s in state]

    # 2. keras.layers.RNN(cell), the modern form of dynamic_rnn.
    rnn = keras.layers.RNN(keras_cell, return_sequences=True, return_state=True, dtype=dtype)
    rnn_outputs, *rnn_states = (v.numpy() for v in rnn(x, initial_state=list(initial)))

    # 3. tf.compat.v1.nn.dynamic_rnn, the seed's API; it now needs the initial state.
    dynamic_initial = tf.constant(initial[0]) if state_count == 1 else list(initial)
    dyn_outputs, dyn_state = tf.compat.v1.nn.dynamic_rnn(
        keras_cell, x, initial_state=dynamic_initial
    )
    dyn_outputs, dyn_states = dyn_outputs.numpy(), [s.numpy() for s in tf.nest.flatten(dyn_state)]

    # 4. rnn_playground, with the cell's own weights.
    params = PARAMS[cell].params.from_keras(keras_cell)
    np_outputs, *np_states = getattr(rnn_playground, function_name)(
        x,
        params,
        initial_state=initial[0] if state_count == 1 else tuple(initial),
        return_sequences=True,
        return_state=True,
    )

    tolerance = ATOL[dtype]
    rows = [
        ("keras.layers.RNN(cell) vs cell loop", rnn_outputs, rnn_states, tolerance),
        ("tf.compat.v1.nn.dynamic_rnn vs cell loop", dyn_outputs, dyn_states, tolerance),
        ("last output vs final state (cell loop)", loop_outputs[:, -1], loop_states[:1], 0.0),
        (f"rnn_playground.{function_name} vs cell loop", np_outputs, np_states, tolerance),
    ]
    variant = f" (reset_after={options['reset_after']})" if cell == "gru" else ""
    bias = "; bias ~ U(-0.5, 0.5)" if cell != "simplernn" else ""
    print(
        f"{title} check{variant}: batch={batch} steps={steps} inputs={inputs} units={units} "
        f"seed={seed} dtype={dtype}{bias}; TensorFlow {tf.__version__}, Keras {keras.__version__}",
        file=stream,
    )
    states_label = "state max|d|" if state_count == 1 else "(h, c) max|d|"
    header = f"{'comparison':<42} {'outputs max|d|':>15} {states_label:>13} {'tolerance':>10}  ok"
    print(header, file=stream)
    print("-" * len(header), file=stream)
    all_ok = True
    for name, outputs, final_states, tol in rows:
        if name.startswith("last output"):
            d_out = d_state = max_abs_diff(outputs, final_states[0])
        else:
            d_out = max_abs_diff(outputs, loop_outputs)
            d_state = max(
                max_abs_diff(ours, theirs)
                for ours, theirs in zip(final_states, loop_states, strict=True)
            )
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


def memory_estimate(batch, steps, inputs, units, dtype, cell) -> int:
    """Bytes the check needs, about (Python ints: no overflow): the inputs and the sequences
    of states and gates of four runs, and a few copies of the weights."""
    gates = {"simplernn": 1, "gru": 3, "lstm": 4}[cell]
    itemsize = np.dtype(dtype).itemsize
    sequences = batch * steps * (inputs + units * gates)
    weights = (inputs + units + 2) * units * gates
    return itemsize * (16 * sequences + 8 * weights)


def main(argv=None) -> int:
    """The command line: 0 when every difference is within its tolerance, 1 when one is not,
    2 when the check cannot run (one line on stderr, never a traceback)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help (0) or a usage error (2), already printed
        return stop.code
    if args.command != "check":  # pragma: no cover - argparse enforces a command
        return 2
    error = f"{PROG} check: error:"
    if args.reset_after is not None and args.cell != "gru":
        print(f"{error} --reset-after/--no-reset-after is a GRU's option, not {args.cell}'s",
              file=sys.stderr)  # fmt: skip
        return 2
    needed = memory_estimate(args.batch, args.steps, args.inputs, args.units, args.dtype, args.cell)
    available = available_memory()
    if needed > available:
        sizes = " ".join(f"--{name} {getattr(args, name)}" for name in SIZES)
        print(
            f"{error} {sizes} would need about {gibibytes(needed)} GiB of "
            f"memory, more than the {gibibytes(available)} GiB available",
            file=sys.stderr,
        )
        return 2
    try:
        import_keras("this command")
    except ModuleNotFoundError as missing:
        print(f"{error} {missing}", file=sys.stderr)
        return 2
    try:
        ok = run_check(
            args.batch,
            args.steps,
            args.inputs,
            args.units,
            args.seed,
            args.dtype,
            cell=args.cell,
            reset_after=args.reset_after,
        )
    except Exception as failure:  # TensorFlow's ResourceExhaustedError, MemoryError, ...
        message = " ".join(str(failure).split())[:300]
        print(f"{error} could not run the check: {type(failure).__name__}: {message}",
              file=sys.stderr)  # fmt: skip
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
