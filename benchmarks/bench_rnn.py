"""Side-by-side benchmark of rnn_playground against keras.layers.SimpleRNN (float32, CPU).

Run with ``make bench`` (or ``python benchmarks/bench_rnn.py``). In one process, for each size
(batch, time, features, units), it times

- forward: ``rnn_playground.simple_rnn(x, params, initial_state=a0, return_sequences=True)``
  against ``keras.layers.SimpleRNN(units, return_sequences=True)(x, initial_state=a0)``, called
  eagerly and inside ``tf.function``, with the same weights (``SimpleRNNParams.to_keras``);
- backward, when ``rnn_playground.backward.simple_rnn_backward`` exists: the gradients of
  sum(output_grad * output) with respect to the inputs, the initial state and the three
  weights, against ``tf.GradientTape`` on the same layer, eager and inside ``tf.function``.
  Both sides run the forward pass too, so these rows time forward + backward.

Method: every variant is called a few times first (warm-up, ``tf.function`` tracing), then
the variants of one size are timed in turn, round after round (so a burst of load from
another process hits them all alike), with ``time.perf_counter``. A sample is ``number``
calls, enough to last a few milliseconds; the number of rounds adapts to the size so the
whole run takes a few minutes. Medians and best times are per call. Keras gets its inputs
as ready ``tf.Tensor`` objects and its outputs are not converted to NumPy inside the timing.

The fraction of peak is the pass's FLOPs divided by the best time, divided by the best
float32 GEMM rate (``A @ B`` on square matrices) measured at the start of the same run.
Forward FLOPs are 2·B·T·(D·H + H·H); forward + backward FLOPs are taken as 3 times that
(each product of the forward pass has two products in the backward pass).

Correctness is checked in the same run, before timing: outputs against both Keras variants
(max abs diff, float32 tolerance 1e-4) and gradients against both tape variants (max abs
diff relative to the largest gradient entry, tolerance 1e-4). The script exits with
status 1 if any check fails. The speed targets are reported, never asserted.

The table is printed and written, as Markdown and JSON, to ``benchmarks/results/``.

Two diagnostics: every row also times ours with OpenBLAS limited to one thread (through
OpenBLAS' own ``openblas_set_num_threads``), and ``--single-core`` runs everything, Keras
included, on one thread and times it with the process' CPU clock (``time.process_time``),
which work from other processes on a shared machine barely changes.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import glob
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

import rnn_playground
from rnn_playground import SimpleRNNParams, simple_rnn

try:
    from rnn_playground.backward import simple_rnn_backward
except ImportError:  # the backward pass has not landed yet: forward rows only
    simple_rnn_backward = None

SIZES = [(2, 3, 4, 5), (32, 100, 32, 128), (64, 200, 128, 256), (256, 50, 512, 512)]
DTYPE = "float32"
TOLERANCE = 1e-4
GEMM_SIZES = (1024, 2048)
RESULTS = Path(__file__).resolve().parent / "results"
# Wall-clock time by default; --single-core switches to the process' CPU time.
CLOCK = {"clock": time.perf_counter}


def clock():
    return CLOCK["clock"]()


# -- timing ------------------------------------------------------------------------------
def calibrate(function, min_sample=0.005):
    """Calls per sample so that one sample lasts at least ``min_sample`` seconds."""
    number = 1
    while True:
        start = clock()
        for _ in range(number):
            function()
        elapsed = clock() - start
        if elapsed >= min_sample or number >= 10_000:
            return number, elapsed / number
        number *= max(2, min(10, math.ceil(min_sample / max(elapsed, 1e-9))))


def time_side_by_side(functions, budget, min_rounds=3, max_rounds=200):
    """Median and best seconds per call of each function, timed in turn, round after round.

    About ``budget`` seconds of timing; never fewer than ``min_rounds`` rounds, and no new
    round once 3 × ``budget`` has passed (a busy machine can make one call much slower
    than the calibration said).
    """
    for function in functions.values():  # warm-up: tracing, first-call allocations
        for _ in range(3):
            function()
    plan = {name: calibrate(function) for name, function in functions.items()}
    per_round = sum(number * seconds for number, seconds in plan.values())
    rounds = int(min(max_rounds, max(min_rounds, budget / per_round)))
    samples = {name: [] for name in functions}
    deadline = time.perf_counter() + 3 * budget
    for done in range(rounds):
        if done >= min_rounds and time.perf_counter() > deadline:
            break
        for name, function in functions.items():
            number = plan[name][0]
            start = clock()
            for _ in range(number):
                function()
            samples[name].append((clock() - start) / number)
    return {
        name: {
            "median": statistics.median(values),
            "best": min(values),
            "rounds": len(values),
            "number": plan[name][0],
        }
        for name, values in samples.items()
    }


def gemm_peak(dtype=DTYPE, repeats=5):
    """Best float32 GEMM rate (FLOP/s) of NumPy's BLAS on large square matrices."""
    rng = np.random.default_rng(0)
    best = 0.0
    for n in GEMM_SIZES:
        a = rng.standard_normal((n, n)).astype(dtype)
        b = rng.standard_normal((n, n)).astype(dtype)
        c = np.empty((n, n), dtype=dtype)
        np.matmul(a, b, out=c)
        for _ in range(repeats):
            start = clock()
            np.matmul(a, b, out=c)
            best = max(best, 2 * n**3 / (clock() - start))
    return best


# -- what the machine and the libraries are --------------------------------------------
def _openblas():
    """NumPy's own copy of OpenBLAS (the wheel's ``numpy.libs``), or None."""
    libs = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in glob.glob(os.path.join(libs, "*openblas*")):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


OPENBLAS = _openblas()


def _openblas_function(*names):
    for name in names:
        function = getattr(OPENBLAS, name, None)
        if function is not None:
            return function
    return None


_SET_THREADS = _openblas_function(
    "scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads"
)
_GET_THREADS = _openblas_function(
    "scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"
)


def one_blas_thread(function):
    """``function`` run with OpenBLAS limited to one thread (a diagnostic, not the default)."""
    if _SET_THREADS is None or _GET_THREADS is None:
        return None
    _GET_THREADS.restype = ctypes.c_int
    _SET_THREADS.argtypes = [ctypes.c_int]

    def call():
        threads = _GET_THREADS()
        _SET_THREADS(1)
        try:
            return function()
        finally:
            _SET_THREADS(threads)

    return call


def openblas_info():
    """OpenBLAS' configuration, core type and thread count, read from NumPy's own copy."""
    info = {}
    for key, names, restype in [
        ("config", ("scipy_openblas_get_config64_", "openblas_get_config"), ctypes.c_char_p),
        ("corename", ("scipy_openblas_get_corename64_", "openblas_get_corename"), ctypes.c_char_p),
        (
            "threads",
            ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads"),
            ctypes.c_int,
        ),
    ]:
        function = _openblas_function(*names)
        if function is not None:
            function.restype = restype
            value = function()
            info[key] = value.decode() if isinstance(value, bytes) else value
    return info


def environment(tf, keras):
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return {
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas": f"{blas.get('name')} {blas.get('version')}",
        "openblas": openblas_info(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "rnn_playground": rnn_playground.__version__,
        "clock": CLOCK["clock"].__name__,
        # 0 means "let TensorFlow choose", which is one thread per core
        "tf_intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "tf_inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "env": {
            name: os.environ.get(name, "(unset)")
            for name in (
                "OPENBLAS_CORETYPE",
                "OPENBLAS_L2_SIZE",
                "OPENBLAS_NUM_THREADS",
                "OMP_NUM_THREADS",
                "TF_NUM_INTRAOP_THREADS",
                "TF_NUM_INTEROP_THREADS",
            )
        },
    }


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# -- one size -----------------------------------------------------------------------------
def forward_flops(batch, steps, features, units):
    """2·B·T·(D·H + H·H): the two matrix products of every step."""
    return 2 * batch * steps * (features * units + units * units)


def bench_size(size, tf, keras, budget, rng):
    batch, steps, features, units = size
    x = rng.standard_normal((batch, steps, features)).astype(DTYPE)
    a0 = rng.standard_normal((batch, units)).astype(DTYPE)
    output_grad = rng.standard_normal((batch, steps, units)).astype(DTYPE)
    params = SimpleRNNParams.init(features, units, seed=0, dtype=DTYPE)
    params = SimpleRNNParams(  # a non-zero bias, so that adding it is checked too
        params.kernel, params.recurrent_kernel, rng.uniform(-0.1, 0.1, units).astype(DTYPE)
    )

    layer = keras.layers.SimpleRNN(units, return_sequences=True, dtype=DTYPE)
    x_tf, a0_tf, output_grad_tf = (tf.constant(v) for v in (x, a0, output_grad))
    layer(x_tf, initial_state=a0_tf)  # builds the weights
    params.to_keras(layer)
    cell = layer.cell

    def keras_eager():
        return layer(x_tf, initial_state=a0_tf)

    keras_function = tf.function(keras_eager)

    def ours():
        return simple_rnn(x, params, initial_state=a0, return_sequences=True)

    rows = []
    outputs = {"ours": ours(), "eager": keras_eager().numpy(), "function": keras_function()}
    outputs["function"] = outputs["function"].numpy()
    diff = max(np.abs(outputs["ours"] - outputs[k]).max() for k in ("eager", "function"))
    times = time_side_by_side(_variants(ours, keras_eager, keras_function), budget)
    rows.append(_row("forward", size, times, forward_flops(*size), diff, "max abs"))

    if simple_rnn_backward is not None:
        weights = [cell.kernel, cell.recurrent_kernel, cell.bias]

        def tape_eager():
            with tf.GradientTape() as tape:
                tape.watch([x_tf, a0_tf])
                loss = tf.reduce_sum(output_grad_tf * layer(x_tf, initial_state=a0_tf))
            return tape.gradient(loss, [x_tf, a0_tf, *weights])

        tape_function = tf.function(tape_eager)

        def ours_backward():
            return simple_rnn_backward(
                x, params, output_grad, initial_state=a0, return_sequences=True
            )

        grads = ours_backward()
        mine = [grads.inputs, grads.initial_state, grads.kernel, grads.recurrent_kernel]
        mine.append(grads.bias)
        diff = 0.0
        for reference in (tape_eager(), tape_function()):
            for ours_grad, tf_grad in zip(mine, reference, strict=True):
                tf_grad = tf_grad.numpy()
                scale = max(np.abs(tf_grad).max(), np.finfo(DTYPE).tiny)
                diff = max(diff, float(np.abs(ours_grad - tf_grad).max() / scale))
        times = time_side_by_side(_variants(ours_backward, tape_eager, tape_function), budget)
        rows.append(_row("forward+backward", size, times, 3 * forward_flops(*size), diff, "rel"))
    return rows


def _variants(ours, eager, function):
    variants = {"ours": ours, "eager": eager, "function": function}
    ours_one_thread = None if CLOCK["clock"] is time.process_time else one_blas_thread(ours)
    if ours_one_thread is not None:
        variants["ours_1_thread"] = ours_one_thread
    return variants


def _row(kind, size, times, flops, diff, diff_kind):
    ours, eager, function = times["ours"], times["eager"], times["function"]
    one_thread = times.get("ours_1_thread")
    return {
        "pass": kind,
        "size": list(size),
        "flops": flops,
        "times": times,
        "speedup_vs_eager": eager["median"] / ours["median"],
        "speedup_vs_function": function["median"] / ours["median"],
        "speedup_1_thread_vs_function": (
            None if one_thread is None else function["median"] / one_thread["median"]
        ),
        "max_diff": float(diff),
        "diff_kind": diff_kind,
        "ok": bool(diff <= TOLERANCE),
    }


# -- report -------------------------------------------------------------------------------
def markdown(env, peak, rows, load):
    def ms(t):
        return "–" if t is None else f"{t['median'] * 1e3:.3g} ({t['best'] * 1e3:.3g})"

    def ratio(value):
        return "–" if value is None else f"{value:.2f}"

    def fraction(row, name):
        return f"{row['flops'] / row['times'][name]['best'] / peak:.1%}"

    lines = [
        "| pass | B, T, D, H | ours ms | Keras eager ms | Keras tf.function ms "
        "| × vs eager | × vs tf.function | ours, 1 BLAS thread ms | its × vs tf.function "
        "| ours % peak | tf.function % peak | max diff | ok |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        t = row["times"]
        lines.append(
            f"| {row['pass']} | {', '.join(map(str, row['size']))} | {ms(t['ours'])} "
            f"| {ms(t['eager'])} | {ms(t['function'])} | {row['speedup_vs_eager']:.2f} "
            f"| {row['speedup_vs_function']:.2f} | {ms(t.get('ours_1_thread'))} "
            f"| {ratio(row['speedup_1_thread_vs_function'])} | {fraction(row, 'ours')} "
            f"| {fraction(row, 'function')} | {row['max_diff']:.1e} ({row['diff_kind']}) "
            f"| {'yes' if row['ok'] else '**NO**'} |"
        )
    lines += ["", "Times: median (best) per call over the rounds; × = Keras median / ours median."]
    lines += ["", *summary(rows)]
    openblas = env["openblas"]
    lines += [
        "",
        f"Machine: {env['processor']}, {env['cpu_count']} logical CPUs, {env['machine']}; "
        f"load average {load[0]:.2f} at the start, {load[1]:.2f} at the end.",
        f"NumPy {env['numpy']} with {env['numpy_blas']} (core {openblas.get('corename', '?')}, "
        f"{openblas.get('threads', '?')} threads); TensorFlow {env['tensorflow']} "
        f"(intra-op threads {env['tf_intra_op_threads']}, inter-op "
        f"{env['tf_inter_op_threads']}; 0 = one per core), Keras {env['keras']}.",
        "Environment: " + ", ".join(f"{k}={v}" for k, v in env["env"].items()) + ".",
        f"Clock: time.{env['clock']}"
        + (
            " (CPU time, one thread each: --single-core)."
            if env["clock"] == "process_time"
            else "."
        ),
        f"Best float32 GEMM rate (peak): {peak / 1e9:.1f} GFLOP/s.",
    ]
    return "\n".join(lines) + "\n"


def summary(rows):
    lines = []
    forward = [r for r in rows if r["pass"] == "forward"]
    larger = [r["speedup_vs_function"] for r in forward if r["size"] != list(SIZES[0])]
    if larger:
        geomean = math.exp(statistics.fmean(math.log(s) for s in larger))
        worst = min(r["speedup_vs_function"] for r in forward)
        lines.append(
            f"- Forward, at least as fast as tf.function Keras at every size: "
            f"{'met' if worst >= 1 else 'NOT met'} (min × {worst:.2f})."
        )
        lines.append(
            f"- Forward, geometric mean × vs tf.function over the three larger sizes: "
            f"{geomean:.2f} (target 1.5: {'met' if geomean >= 1.5 else 'NOT met'})."
        )
    one_thread = [r for r in forward if r["speedup_1_thread_vs_function"] is not None]
    if one_thread:
        worst = min(r["speedup_1_thread_vs_function"] for r in one_thread)
        larger = [
            r["speedup_1_thread_vs_function"] for r in one_thread if r["size"] != list(SIZES[0])
        ]
        geomean = math.exp(statistics.fmean(math.log(s) for s in larger)) if larger else math.nan
        lines.append(
            f"- Forward with one BLAS thread (diagnostic): min × vs tf.function {worst:.2f}, "
            f"geometric mean over the three larger sizes {geomean:.2f}."
        )
    backward = [r for r in rows if r["pass"] == "forward+backward"]
    if backward:
        worst = min(r["speedup_vs_function"] for r in backward)
        lines.append(
            f"- Backward, at least as fast as tf.function GradientTape at every size: "
            f"{'met' if worst >= 1 else 'NOT met'} (min × {worst:.2f})."
        )
        one_thread = [r["speedup_1_thread_vs_function"] for r in backward]
        if None not in one_thread:
            lines.append(
                f"- Backward with one BLAS thread (diagnostic): min × vs tf.function "
                f"{min(one_thread):.2f}."
            )
    else:
        lines.append("- Backward: rnn_playground.backward.simple_rnn_backward not found; skipped.")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--budget",
        type=float,
        default=4.0,
        help="seconds of timing per size and pass, shared by its variants (default 4)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for the results")
    parser.add_argument(
        "--single-core",
        action="store_true",
        help="a diagnostic: one thread for OpenBLAS and for TensorFlow, timed with the process' "
        "CPU time (time.process_time), which other processes on the machine barely affect",
    )
    args = parser.parse_args(argv)

    import keras
    import tensorflow as tf

    if args.single_core:
        if _SET_THREADS is None:
            parser.error("--single-core needs NumPy's bundled OpenBLAS, which was not found")
        _SET_THREADS.argtypes = [ctypes.c_int]
        _SET_THREADS(1)
        tf.config.threading.set_intra_op_parallelism_threads(1)  # before TensorFlow runs an op
        tf.config.threading.set_inter_op_parallelism_threads(1)
        CLOCK["clock"] = time.process_time

    load_start = os.getloadavg()[0]
    env = environment(tf, keras)
    print(
        f"NumPy {env['numpy']} ({env['numpy_blas']}), TensorFlow {env['tensorflow']}, "
        f"Keras {env['keras']}; load average {load_start:.2f}",
        flush=True,
    )
    peak = gemm_peak()
    print(f"best float32 GEMM rate: {peak / 1e9:.1f} GFLOP/s", flush=True)

    rng = np.random.default_rng(20181203)
    rows = []
    for size in SIZES:
        print(f"size (B, T, D, H) = {size} ...", flush=True)
        rows += bench_size(size, tf, keras, args.budget, rng)
    peak = max(peak, gemm_peak())  # again at the end: the best of both is the peak
    load = (load_start, os.getloadavg()[0])

    table = markdown(env, peak, rows, load)
    print()
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    record = {"environment": env, "gemm_peak_flops": peak, "load_average": load, "rows": rows}
    for name in (f"bench-{stamp}", "latest"):
        (args.out / f"{name}.md").write_text(table)
        (args.out / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"written to {args.out / f'bench-{stamp}'}.md and .json")

    failed = [r for r in rows if not r["ok"]]
    for row in failed:
        print(
            f"CORRECTNESS FAILURE: {row['pass']} at {row['size']}: max diff "
            f"{row['max_diff']:.2e} ({row['diff_kind']}) > {TOLERANCE}",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
