"""Side-by-side benchmark of rnn_playground against Keras' recurrent layers (float32, CPU).

``make bench``: for each size (batch, time, features, units), ``simple_rnn`` against
``keras.layers.SimpleRNN`` and ``simple_rnn_backward`` against ``tf.GradientTape`` on it, then
``gru`` and ``lstm`` against ``keras.layers.GRU`` and ``LSTM`` and ``gru_backward`` and
``lstm_backward`` against ``tf.GradientTape`` on them, each eager and in
``tf.function``, timed side by side by ``rnn_playground.testing.time_side_by_side`` after a
correctness check (exit status 1 if it fails). Method and results: ``benchmarks/README.md``; the
table is printed and written, as Markdown and JSON, to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from threadpoolctl import ThreadpoolController

import rnn_playground
from rnn_playground import (
    GRUParams,
    LSTMParams,
    SimpleRNNParams,
    gru,
    gru_backward,
    lstm,
    lstm_backward,
    simple_rnn,
    simple_rnn_backward,
)
from rnn_playground.testing import (
    keras_gradient_function,
    keras_layer,
    relative_error,
    time_side_by_side,
)

SIZES = [(2, 3, 4, 5), (32, 100, 32, 128), (64, 200, 128, 256), (256, 50, 512, 512)]
CELLS = ["SimpleRNN", "GRU", "LSTM"]
DTYPE = "float32"
TOLERANCE = 1e-4
RESULTS = Path(__file__).resolve().parent / "results"
BLAS = ThreadpoolController().select(user_api="blas")
ENVIRONMENT_VARIABLES = [
    *("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"),
    *("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"),
]


def gemm_peak(clock, repeats=5):
    """Best float32 GEMM rate (FLOP/s) of NumPy's BLAS on square 1024 and 2048 matrices."""
    rng, best = np.random.default_rng(0), 0.0
    for n in (1024, 2048):
        a, b = (rng.standard_normal((n, n)).astype(DTYPE) for _ in range(2))
        c = a @ b
        for _ in range(repeats):
            start = clock()
            np.matmul(a, b, out=c)
            best = max(best, 2 * n**3 / (clock() - start))
    return best


def environment(tf, keras, clock):
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    cpuinfo = Path("/proc/cpuinfo")
    cpu = (
        [line for line in cpuinfo.read_text().splitlines() if "model name" in line]
        if (cpuinfo.exists())
        else []
    )
    return {
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "machine": platform.machine(),
        "processor": cpu[0].split(":", 1)[1].strip() if cpu else platform.processor(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas": f"{blas.get('name')} {blas.get('version')}",
        "blas_threadpools": BLAS.info(),  # threadpoolctl: library, version, core, threads
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "rnn_playground": rnn_playground.__version__,
        "clock": clock.__name__,
        # 0 means "let TensorFlow choose", which is one thread per core
        "tf_intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "tf_inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "env": {name: os.environ.get(name, "(unset)") for name in ENVIRONMENT_VARIABLES},
    }


def bench_size(size, tf, budget, rng, clock, one_thread):
    batch, steps, features, units = size
    forward_flops = 2 * batch * steps * (features * units + units * units)  # 2 products a step
    x = rng.standard_normal((batch, steps, features)).astype(DTYPE)
    a0 = rng.standard_normal((batch, units)).astype(DTYPE)
    output_grad = rng.standard_normal((batch, steps, units)).astype(DTYPE)
    params = SimpleRNNParams.init(features, units, seed=0, dtype=DTYPE)
    params = SimpleRNNParams(  # a non-zero bias, so that adding it is checked too
        params.kernel, params.recurrent_kernel, rng.uniform(-0.1, 0.1, units).astype(DTYPE)
    )
    layer = keras_layer(params, return_sequences=True)
    x_tf, a0_tf, output_grad_tf = (tf.constant(v) for v in (x, a0, output_grad))
    tape = keras_gradient_function(layer)

    def forward():
        return simple_rnn(x, params, initial_state=a0, return_sequences=True)

    def backward():
        return simple_rnn_backward(x, params, output_grad, initial_state=a0, return_sequences=True)

    def keras_forward():
        return layer(x_tf, initial_state=a0_tf)

    def keras_backward():
        return tape(x_tf, a0_tf, output_grad_tf)

    rows = _side_by_side(
        "SimpleRNN",
        size,
        [
            ("forward", forward, keras_forward, forward_flops, "max abs"),
            ("forward+backward", backward, keras_backward, 3 * forward_flops, "rel"),
        ],
        budget,
        clock,
        one_thread,
    )
    for cell in ("GRU", "LSTM"):
        rows += bench_gated(cell, size, tf, budget, rng, clock, one_thread)
    return rows


def bench_gated(cell, size, tf, budget, rng, clock, one_thread):
    """``gru`` or ``lstm`` (forward, every output) against the Keras layer, and
    ``gru_backward`` or ``lstm_backward`` against ``tf.GradientTape`` on it, side by side."""
    batch, steps, features, units = size
    blocks = 3 if cell == "GRU" else 4
    flops = 2 * batch * steps * blocks * (features * units + units * units)  # 2 products a step
    x = rng.standard_normal((batch, steps, features)).astype(DTYPE)
    state_count = 1 if cell == "GRU" else 2  # h, or the LSTM's (h, c)
    states = [rng.standard_normal((batch, units)).astype(DTYPE) for _ in range(state_count)]
    output_grad = rng.standard_normal((batch, steps, units)).astype(DTYPE)
    params_class, forward, backward = (
        (GRUParams, gru, gru_backward) if cell == "GRU" else (LSTMParams, lstm, lstm_backward)
    )
    params = params_class.init(features, units, seed=0, dtype=DTYPE)
    params = params_class(  # a non-zero bias (both rows of the GRU's), so that adding it is checked
        params.kernel,
        params.recurrent_kernel,
        rng.uniform(-0.1, 0.1, params.bias.shape).astype(DTYPE),
    )
    layer = keras_layer(params, return_sequences=True)
    x_tf, output_grad_tf = tf.constant(x), tf.constant(output_grad)
    states_tf = [tf.constant(s) for s in states]
    initial_state = states[0] if cell == "GRU" else tuple(states)
    initial_state_tf = states_tf[0] if cell == "GRU" else tuple(states_tf)
    tape = keras_gradient_function(layer)

    def ours_forward():
        return forward(x, params, initial_state=initial_state, return_sequences=True)

    def ours_backward():
        return backward(x, params, output_grad, initial_state=initial_state, return_sequences=True)

    def keras_forward():
        return layer(x_tf, initial_state=states_tf)

    def keras_backward():
        return tape(x_tf, initial_state_tf, output_grad_tf)

    return _side_by_side(
        cell,
        size,
        [
            ("forward", ours_forward, keras_forward, flops, "max abs"),
            ("forward+backward", ours_backward, keras_backward, 3 * flops, "rel"),
        ],
        budget,
        clock,
        one_thread,
    )


def _side_by_side(cell, size, cases, budget, clock, one_thread):
    """Check, then time, each (kind, ours, keras_eager, flops, diff_kind) case: ours, Keras
    eager and Keras in ``tf.function``, side by side in one process; one table row each."""
    import tensorflow as tf

    rows = []
    for kind, ours, eager, flops, diff_kind in cases:
        function = tf.function(eager)
        mine = ours()
        diff = 0.0
        for reference in (eager(), function()):
            if kind == "forward":
                diff = max(diff, float(np.abs(mine - reference.numpy()).max()))
            else:  # relative to the largest gradient entry, field by field (the tape's order:
                # inputs, each initial state, kernel, recurrent_kernel, bias)
                initial = mine.initial_state
                initial = initial if isinstance(initial, tuple) else (initial,)
                grads = [mine.inputs, *initial, mine.kernel, mine.recurrent_kernel, mine.bias]
                for ours_grad, tf_grad in zip(grads, reference, strict=True):
                    diff = max(diff, relative_error(ours_grad, tf_grad.numpy()))
        variants = {"ours": ours, "eager": eager, "function": function}
        contexts = {}
        if one_thread:  # the diagnostic: ours with OpenBLAS on one thread
            variants["ours_1_thread"] = ours
            contexts["ours_1_thread"] = lambda: BLAS.limit(limits=1)
        times = time_side_by_side(variants, seconds=budget, clock=clock, contexts=contexts)
        rows.append(_row(cell, kind, size, times, flops, diff, diff_kind))
    return rows


def _row(cell, kind, size, times, flops, diff, diff_kind):
    times = {name: timing._asdict() for name, timing in times.items()}
    ours, one_thread = times["ours"]["median"], times.get("ours_1_thread")
    return {
        "cell": cell,
        "pass": kind,
        "size": size,
        "flops": flops,
        "times": times,
        "speedup_vs_eager": times["eager"]["median"] / ours,
        "speedup_vs_function": times["function"]["median"] / ours,
        "speedup_1_thread_vs_function": (
            None if one_thread is None else times["function"]["median"] / one_thread["median"]
        ),
        "max_diff": float(diff),
        "diff_kind": diff_kind,
        "ok": bool(diff <= TOLERANCE),
    }


def markdown(env, peak, rows, load):
    def ms(t):
        return "–" if t is None else f"{t['median'] * 1e3:.3g} ({t['best'] * 1e3:.3g})"

    def fraction(row, name):
        return f"{row['flops'] / row['times'][name]['best'] / peak:.1%}"

    lines = [
        "| cell | pass | B, T, D, H | ours ms | Keras eager ms | Keras tf.function ms "
        "| × vs eager | × vs tf.function | ours, 1 BLAS thread ms | its × vs tf.function "
        "| ours % peak | tf.function % peak | max diff | ok |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in sorted(rows, key=lambda r: CELLS.index(r["cell"])):  # SimpleRNN, GRU, LSTM
        t, one_thread = row["times"], row["speedup_1_thread_vs_function"]
        lines.append(
            f"| {row['cell']} | {row['pass']} | {', '.join(map(str, row['size']))} "
            f"| {ms(t['ours'])} "
            f"| {ms(t['eager'])} | {ms(t['function'])} | {row['speedup_vs_eager']:.2f} "
            f"| {row['speedup_vs_function']:.2f} | {ms(t.get('ours_1_thread'))} "
            f"| {'–' if one_thread is None else f'{one_thread:.2f}'} | {fraction(row, 'ours')} "
            f"| {fraction(row, 'function')} | {row['max_diff']:.1e} ({row['diff_kind']}) "
            f"| {'yes' if row['ok'] else '**NO**'} |"
        )
    lines += ["", "Times: median (best) per call over the rounds; × = Keras median / ours median."]
    lines += ["", *summary(rows)]
    blas = env["blas_threadpools"][0] if env["blas_threadpools"] else {}
    clock = " (CPU time, one thread each: --single-core)" if env["clock"] == "process_time" else ""
    lines += [
        "",
        f"Machine: {env['processor']}, {env['cpu_count']} logical CPUs, {env['machine']}; "
        f"load average {load[0]:.2f} at the start, {load[1]:.2f} at the end.",
        f"NumPy {env['numpy']} with {env['numpy_blas']} (core {blas.get('architecture', '?')}, "
        f"{blas.get('num_threads', '?')} threads); TensorFlow {env['tensorflow']} "
        f"(intra-op threads {env['tf_intra_op_threads']}, inter-op "
        f"{env['tf_inter_op_threads']}; 0 = one per core), Keras {env['keras']}.",
        "Environment: " + ", ".join(f"{k}={v}" for k, v in env["env"].items()) + ".",
        f"Clock: time.{env['clock']}{clock}.",
        f"Best float32 GEMM rate (peak): {peak / 1e9:.1f} GFLOP/s.",
    ]
    return "\n".join(lines) + "\n"


def summary(rows):
    def ratios(cell, kind, key, *, larger=False):
        return [
            r[key]
            for r in rows
            if r["cell"] == cell and r["pass"] == kind and not (larger and r["size"] == SIZES[0])
        ]

    def geomean(values):
        return math.exp(statistics.fmean(math.log(v) for v in values)) if values else math.nan

    def met(condition):
        return "met" if condition else "NOT met"

    lines = []
    for cell in CELLS:
        forward = ratios(cell, "forward", "speedup_vs_function")
        mean = geomean(ratios(cell, "forward", "speedup_vs_function", larger=True))
        lines += [
            f"- {cell} forward, at least as fast as tf.function Keras at every size: "
            f"{met(min(forward) >= 1)} (min × {min(forward):.2f}); geometric mean × over the "
            f"three larger sizes {mean:.2f}"
            + (f" (target 1.5: {met(mean >= 1.5)})." if cell == "SimpleRNN" else "."),
        ]
        forward_1 = ratios(cell, "forward", "speedup_1_thread_vs_function")
        if None not in forward_1:
            mean = geomean(ratios(cell, "forward", "speedup_1_thread_vs_function", larger=True))
            lines.append(
                f"- {cell} forward with one BLAS thread (diagnostic): min × vs tf.function "
                f"{min(forward_1):.2f}, geometric mean over the three larger sizes {mean:.2f}."
            )
    for cell in CELLS:
        backward = ratios(cell, "forward+backward", "speedup_vs_function")
        lines.append(
            f"- {cell} backward, at least as fast as tf.function GradientTape at every size: "
            f"{met(min(backward) >= 1)} (min × {min(backward):.2f})."
        )
        backward_1 = ratios(cell, "forward+backward", "speedup_1_thread_vs_function")
        if None not in backward_1:
            lines.append(
                f"- {cell} backward with one BLAS thread (diagnostic): min × vs tf.function "
                f"{min(backward_1):.2f}."
            )
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=4.0,
                        help="seconds of timing per size and pass, shared by its variants "
                        "(default 4)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for the results")
    parser.add_argument("--single-core", action="store_true",
                        help="a diagnostic: one thread for OpenBLAS and for TensorFlow, timed "
                        "with the process' CPU time (time.process_time), which other processes "
                        "on the machine barely affect")  # fmt: skip
    args = parser.parse_args(argv)

    import keras
    import tensorflow as tf

    clock = time.process_time if args.single_core else time.perf_counter
    if args.single_core:
        BLAS.limit(limits=1)  # for the rest of the run
        tf.config.threading.set_intra_op_parallelism_threads(1)  # before TensorFlow runs an op
        tf.config.threading.set_inter_op_parallelism_threads(1)
    load_start = os.getloadavg()[0]
    env = environment(tf, keras, clock)
    versions = f"NumPy {env['numpy']} ({env['numpy_blas']}), TensorFlow {env['tensorflow']}"
    print(f"{versions}, Keras {env['keras']}; load average {load_start:.2f}", flush=True)
    peak = gemm_peak(clock)
    print(f"best float32 GEMM rate: {peak / 1e9:.1f} GFLOP/s", flush=True)
    rng, rows = np.random.default_rng(20181203), []
    for size in SIZES:
        print(f"size (B, T, D, H) = {size} ...", flush=True)
        rows += bench_size(size, tf, args.budget, rng, clock, one_thread=not args.single_core)
    peak = max(peak, gemm_peak(clock))  # again at the end: the best of both is the peak
    load = (load_start, os.getloadavg()[0])

    table = markdown(env, peak, rows, load)
    print(f"\n{table}")
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    record = {"environment": env, "gemm_peak_flops": peak, "load_average": load, "rows": rows}
    for name in (f"bench-{stamp}", "latest"):
        (args.out / f"{name}.md").write_text(table)
        (args.out / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"written to {args.out / f'bench-{stamp}'}.md and .json")
    for row in (failed := [r for r in rows if not r["ok"]]):
        message = f"{row['cell']} {row['pass']} at {row['size']}: max diff {row['max_diff']:.2e}"
        print(f"CORRECTNESS FAILURE: {message} ({row['diff_kind']}) > {TOLERANCE}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
