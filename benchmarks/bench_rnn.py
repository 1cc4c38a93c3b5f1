"""Side-by-side benchmark of rnn_playground against Keras and PyTorch (float32, CPU).

``make bench``: every cell (SimpleRNN; GRU with ``reset_after=True``; LSTM), forward and
forward+backward, at four sizes (batch, time, features, units), against Keras eager, Keras in
``tf.function`` and PyTorch's ``nn.RNN``/``nn.GRU``/``nn.LSTM``, after a correctness check of all
of them against ours (exit status 1 if it fails). Two threadings, each in a process of its own
(TensorFlow's threads cannot change once it has started): one thread each, timed with the
process' CPU time, then the default threads, timed with the wall clock. Within a process the
sides are timed in turn, round after round. Method: ``benchmarks/README.md``; the tables are
printed and written, as Markdown and JSON, to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import NamedTuple

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
from rnn_playground.testing import keras_gradient_function, keras_layer, relative_error
from rnn_playground.torch_layout import from_state_dict, to_state_dict

SIZES = [(2, 3, 4, 5), (32, 100, 32, 128), (64, 200, 128, 256), (256, 50, 512, 512)]
QUICK_SIZES = SIZES[:2]
PASSES = ("forward", "forward+backward")
DTYPE = "float32"
TOLERANCE = 1e-4  # forward: max abs diff; gradients: max abs diff / largest entry, per field
RESULTS = Path(__file__).resolve().parent / "results"
BLAS = ThreadpoolController().select(user_api="blas")
THREADINGS = {  # name -> (clock, description)
    "one": (time.process_time, "one thread each, CPU time (time.process_time)"),
    "default": (time.perf_counter, "default threads, wall clock (time.perf_counter)"),
}
SIDES = ("eager", "function", "torch")  # compared with ours, in the tables' order
SIDE_NAMES = {"eager": "Keras eager", "function": "Keras tf.function", "torch": "PyTorch"}
MIN_ROUNDS, MAX_ROUNDS, SAMPLE = 3, 200, 0.005
EAGER_ROUNDS = 3  # Keras eager: up to seconds a call, 2 to 400 times ours
ENVIRONMENT_VARIABLES = [
    *("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"),
    *("MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"),
    "TF_ENABLE_ONEDNN_OPTS",
]


class Spec(NamedTuple):
    params: type
    forward: object
    backward: object
    blocks: int  # column blocks of units in the kernels
    states: int  # 1, or 2 for the LSTM's (h, c)
    torch_module: str  # in torch.nn


CELLS = {
    "SimpleRNN": Spec(SimpleRNNParams, simple_rnn, simple_rnn_backward, 1, 1, "RNN"),
    "GRU": Spec(GRUParams, gru, gru_backward, 3, 1, "GRU"),
    "LSTM": Spec(LSTMParams, lstm, lstm_backward, 4, 2, "LSTM"),
}


# -- timing -------------------------------------------------------------------------------
def time_rounds(functions, *, seconds, clock, first_calls=None, limits=None):
    """Seconds per call of each function, one sample per round, the functions in turn.

    Like ``rnn_playground.testing.time_side_by_side`` (which returns only the median and the
    best), but returns every round's sample, so that ratios can be taken round by round.
    ``first_calls`` gives the seconds of a first call already made (the correctness check):
    where it lasted at least 5 ms it was the warm-up, and a sample is one call; every other
    function gets one more call, timed, as its warm-up (tf.function's first call traces),
    which sets ``number``, the calls per sample: enough to last 5 ms. The rounds fill about
    ``seconds`` (at least 3, at most 200, and no new round once 3 × ``seconds`` have
    passed). ``limits`` caps the rounds of some functions (Keras eager, whose calls take up
    to seconds): they are timed in the first rounds only. The garbage collector stays on, as
    it is in a real call.
    """
    first_calls, limits = first_calls or {}, limits or {}
    plan = {}  # name -> (timer, calls per sample, seconds per call)
    for name, function in functions.items():
        timer = timeit.Timer(function, setup=gc.enable, timer=clock)  # timeit turns it off
        per_call = first_calls.get(name, 0.0)
        if per_call < SAMPLE:
            per_call = max(timer.timeit(1), 1e-7)
        plan[name] = timer, max(1, math.ceil(SAMPLE / per_call)), per_call
    per_round = sum(number * per_call for _, number, per_call in plan.values())
    rounds = int(min(MAX_ROUNDS, max(MIN_ROUNDS, seconds / per_round)))
    samples = {name: [] for name in functions}
    deadline = time.perf_counter() + 3 * seconds
    for done in range(rounds):
        if done >= MIN_ROUNDS and time.perf_counter() > deadline:
            break
        for name, (timer, number, _) in plan.items():
            if done < limits.get(name, rounds):
                samples[name].append(timer.timeit(number) / number)
    return {name: {"samples": values, "number": plan[name][1]} for name, values in samples.items()}


def summarize(times):
    """Median, best and quartiles of each variant's samples, in seconds per call."""
    out = {}
    for name, timing in times.items():
        q1, median, q3 = statistics.quantiles(timing["samples"], n=4, method="inclusive")
        out[name] = {
            "median": median,
            "best": min(timing["samples"]),
            "q1": q1,
            "q3": q3,
            "rounds": len(timing["samples"]),
            "number": timing["number"],
            "samples": timing["samples"],
        }
    return out


def ratio(times, other, mine="ours", resamples=2000):
    """other median / mine median over the rounds both were timed in (above 1: ``mine`` is
    faster), with a 95 % paired bootstrap interval: those rounds drawn with replacement (a
    round's two samples stay together), the ratio of the medians of each draw; its 2.5th and
    97.5th percentiles."""
    a, b = times[other]["samples"], times[mine]["samples"]
    pairs = np.array(list(zip(a, b, strict=False)))  # the rounds both took part in
    draws = np.random.default_rng(0).integers(0, len(pairs), (resamples, len(pairs)))
    ratios = np.median(pairs[draws, 0], axis=1) / np.median(pairs[draws, 1], axis=1)
    low, high = np.percentile(ratios, [2.5, 97.5])
    return {
        "ratio": float(np.median(pairs[:, 0]) / np.median(pairs[:, 1])),
        "low": float(low),
        "high": float(high),
        "paired_rounds": len(pairs),
    }


# -- the GEMM rate ------------------------------------------------------------------------
def gemm_rate(clock, repeats=5):
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


# -- one cell at one size -----------------------------------------------------------------
class Case(NamedTuple):
    """The functions of one cell at one size, and what they are checked with."""

    ours: dict  # pass -> callable
    keras: dict  # pass -> callable (eager; tf.function wraps it)
    torch: dict  # pass -> callable
    products: object  # the forward pass' matrix products alone
    flops: int  # of the forward pass


def make_case(cell, size, rng, tf, torch):
    """Ours, Keras and PyTorch on the same weights and inputs: a non-zero bias (both rows of
    the GRU's), random initial state(s) and an output gradient."""
    spec = CELLS[cell]
    batch, steps, features, units = size
    x = rng.standard_normal((batch, steps, features)).astype(DTYPE)
    states = [rng.standard_normal((batch, units)).astype(DTYPE) for _ in range(spec.states)]
    output_grad = rng.standard_normal((batch, steps, units)).astype(DTYPE)
    params = spec.params.init(features, units, seed=0, dtype=DTYPE)
    params = spec.params(
        params.kernel,
        params.recurrent_kernel,
        rng.uniform(-0.1, 0.1, params.bias.shape).astype(DTYPE),
    )
    initial_state = states[0] if spec.states == 1 else tuple(states)

    layer = keras_layer(params, return_sequences=True)
    x_tf, output_grad_tf = tf.constant(x), tf.constant(output_grad)
    states_tf = [tf.constant(s) for s in states]
    initial_tf = states_tf[0] if spec.states == 1 else tuple(states_tf)
    tape = keras_gradient_function(layer)

    options = {"nonlinearity": "tanh"} if cell == "SimpleRNN" else {}
    module = getattr(torch.nn, spec.torch_module)(features, units, batch_first=True, **options)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in to_state_dict(params).items()})
    x_pt = torch.tensor(x, requires_grad=True)
    states_pt = [torch.tensor(s[None], requires_grad=True) for s in states]  # (1, batch, units)
    hx = states_pt[0] if spec.states == 1 else tuple(states_pt)
    output_grad_pt = torch.from_numpy(output_grad)
    weights_pt = [module.weight_ih_l0, module.weight_hh_l0, module.bias_ih_l0, module.bias_hh_l0]

    def keras_forward():  # functions, not lambdas: tf.function's AutoGraph reads the source
        return layer(x_tf, initial_state=states_tf)

    def keras_backward():
        return tape(x_tf, initial_tf, output_grad_tf)

    def torch_forward():
        with torch.inference_mode():
            return module(x_pt, hx)[0]

    def torch_backward():  # the gradients of x, the initial state(s) and the four weights
        output, _ = module(x_pt, hx)
        loss = (output_grad_pt * output).sum()
        return torch.autograd.grad(loss, [x_pt, *states_pt, *weights_pt])

    # The products alone: the input product over all rows, then T recurrent products
    x_rows = x.reshape(batch * steps, features)
    kernel = np.ascontiguousarray(params.kernel)
    recurrent_kernel = np.ascontiguousarray(params.recurrent_kernel)
    state = states[0].copy()
    input_part = np.empty((batch * steps, spec.blocks * units), DTYPE)
    step_part = np.empty((batch, spec.blocks * units), DTYPE)

    def products():
        np.matmul(x_rows, kernel, out=input_part)
        for _ in range(steps):
            np.matmul(state, recurrent_kernel, out=step_part)

    return Case(
        ours={
            "forward": lambda: spec.forward(
                x, params, initial_state=initial_state, return_sequences=True
            ),
            "forward+backward": lambda: spec.backward(
                x, params, output_grad, initial_state=initial_state, return_sequences=True
            ),
        },
        keras={"forward": keras_forward, "forward+backward": keras_backward},
        torch={"forward": torch_forward, "forward+backward": torch_backward},
        products=products,
        flops=2 * batch * steps * spec.blocks * (features * units + units * units),
    )


def torch_grads_as_keras(cell, grads):
    """PyTorch's gradients (x, state(s) (1, batch, units), weight_ih, weight_hh, bias_ih,
    bias_hh) in the order and layout of ours: x, state(s), kernel, recurrent_kernel, bias."""
    grads = [g.numpy() for g in grads]
    count = CELLS[cell].states
    d_x, d_states = grads[0], [g[0] for g in grads[1 : 1 + count]]
    d_weight_ih, d_weight_hh, d_bias_ih, d_bias_hh = grads[1 + count :]
    if cell != "GRU":  # Keras' one bias is b_ih + b_hh: its gradient is either one's, not the sum
        d_bias_hh = np.zeros_like(d_bias_hh)
    as_keras = from_state_dict(
        {
            "weight_ih_l0": d_weight_ih,
            "weight_hh_l0": d_weight_hh,
            "bias_ih_l0": d_bias_ih,
            "bias_hh_l0": d_bias_hh,
        }
    )
    return [d_x, *d_states, as_keras.kernel, as_keras.recurrent_kernel, as_keras.bias]


def differences(cell, kind, mine, references, perturb=0.0):
    """The largest difference of ours from each reference: max abs diff for the forward
    output, max abs diff relative to the largest entry for the gradients (field by field:
    inputs, each initial state, kernel, recurrent_kernel, bias). ``perturb`` adds that
    relative error to ours first (the tests' check that a wrong result fails)."""
    if kind == "forward":
        mine = np.asarray(mine) * (1 + perturb)
        return {
            side: float(np.abs(mine - np.asarray(theirs)).max())
            for side, theirs in references.items()
        }
    initial = mine.initial_state if isinstance(mine.initial_state, tuple) else (mine.initial_state,)
    ours = [mine.inputs, *initial, mine.kernel, mine.recurrent_kernel, mine.bias]
    ours = [np.asarray(g) * (1 + perturb) for g in ours]
    out = {}
    for side, theirs in references.items():
        out[side] = max(relative_error(a, b) for a, b in zip(ours, theirs, strict=True))
    return out


def check_case(cell, kind, case, function, perturb=0.0, clock=time.perf_counter):
    """Ours against Keras eager, Keras ``function`` (``case.keras[kind]`` in ``tf.function``)
    and PyTorch: :func:`differences`, one call of each. Returns the differences and the
    seconds each call took (by ``clock``)."""
    calls = {"ours": case.ours[kind], "eager": case.keras[kind], "function": function}
    calls["torch"] = case.torch[kind]
    results, seconds = {}, {}
    for name, call in calls.items():
        start = clock()
        results[name] = call()
        seconds[name] = clock() - start
    if kind == "forward":
        references = {side: results[side].numpy() for side in SIDES}
    else:
        references = {side: [g.numpy() for g in results[side]] for side in ("eager", "function")}
        references["torch"] = torch_grads_as_keras(cell, results["torch"])
    return differences(cell, kind, results["ours"], references, perturb), seconds


def bench_case(cell, size, kind, case, *, tf, budget, clock, perturb=0.0):
    """Check ours against Keras eager, Keras tf.function and PyTorch, then time the four (and
    for the forward pass the products alone) side by side; one result row."""
    ours, eager, pt = case.ours[kind], case.keras[kind], case.torch[kind]
    function = tf.function(eager)
    diffs, first_calls = check_case(cell, kind, case, function, perturb, clock)
    first_calls.pop("function")  # its first call traced: it gets a warm-up call
    variants = {"ours": ours, "eager": eager, "function": function, "torch": pt}
    if kind == "forward":
        case.products()
        variants["products"] = case.products
    rounds = time_rounds(
        variants,
        seconds=budget,
        clock=clock,
        first_calls=first_calls,
        limits={"eager": EAGER_ROUNDS},
    )
    times = summarize(rounds)
    flops = case.flops if kind == "forward" else 3 * case.flops
    return {
        "cell": cell,
        "pass": kind,
        "size": list(size),
        "flops": flops,
        "times": times,
        "ratios": {side: ratio(times, side) for side in SIDES},
        # Keras' whole call against the products alone: what no NumPy code on them can beat
        "bound_vs_function": ratio(times, "function", "products") if "products" in times else None,
        "max_diff": diffs,
        "diff_kind": "max abs" if kind == "forward" else "rel",
        "ok": bool(max(diffs.values()) <= TOLERANCE),
    }


# -- one process per threading ------------------------------------------------------------
def environment(threading, tf, keras, torch):
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    cpuinfo = Path("/proc/cpuinfo")
    cpu = (
        [line for line in cpuinfo.read_text().splitlines() if "model name" in line]
        if cpuinfo.exists()
        else []
    )
    return {
        "threading": threading,
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "machine": platform.machine(),
        "processor": cpu[0].split(":", 1)[1].strip() if cpu else platform.processor(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas": f"{blas.get('name')} {blas.get('version')}",
        # threadpoolctl: every thread pool loaded (NumPy's BLAS, PyTorch's OpenMP, ...)
        "threadpools": ThreadpoolController().info(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "torch": torch.__version__,
        "rnn_playground": rnn_playground.__version__,
        "clock": THREADINGS[threading][0].__name__,
        # 0 means "let TensorFlow choose", which is one thread per core
        "tf_intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "tf_inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "env": {name: os.environ.get(name, "(unset)") for name in ENVIRONMENT_VARIABLES},
    }


def run_threading(threading, sizes, budget, perturb=0.0):
    """Everything in this process under one threading; returns the record of its results."""
    clock, wall_start = THREADINGS[threading][0], time.perf_counter()
    import keras
    import tensorflow as tf
    import torch

    if threading == "one":
        BLAS.limit(limits=1)  # for the rest of the process
        tf.config.threading.set_intra_op_parallelism_threads(1)  # before TensorFlow runs an op
        tf.config.threading.set_inter_op_parallelism_threads(1)
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
    load_start = os.getloadavg()[0]
    env = environment(threading, tf, keras, torch)
    print(f"[{threading}] {THREADINGS[threading][1]}; load average {load_start:.2f}", flush=True)
    rates = [gemm_rate(clock)]
    print(f"[{threading}] float32 GEMM rate {rates[0] / 1e9:.1f} GFLOP/s", flush=True)
    rng, rows = np.random.default_rng(20181203), []
    for size in sizes:
        for cell in CELLS:
            case = make_case(cell, size, rng, tf, torch)
            for kind in PASSES:
                start = time.perf_counter()
                row = bench_case(
                    cell, size, kind, case, tf=tf, budget=budget, clock=clock, perturb=perturb
                )
                rows.append(row)
                r = row["ratios"]["function"]
                print(
                    f"[{threading}] {cell} {kind} {size}: × vs tf.function {r['ratio']:.2f}, "
                    f"rounds {row['times']['ours']['rounds']}, "
                    f"{time.perf_counter() - start:.1f} s",
                    flush=True,
                )
    rates.append(gemm_rate(clock))  # again at the end: the best of both is the rate
    return {
        "environment": env,
        "gemm_rate_flops": max(rates),
        "gemm_rates_start_end": rates,
        "load_average_start_end": [load_start, os.getloadavg()[0]],
        "budget_seconds": budget,
        # this process' run time: wall clock, and CPU time of all its threads
        "process_seconds": {"wall": time.perf_counter() - wall_start, "cpu": time.process_time()},
        "rows": rows,
    }


# -- the report ---------------------------------------------------------------------------
def fmt_ratio(r):
    return "–" if r is None else f"{r['ratio']:.2f} ({r['low']:.2f}–{r['high']:.2f})"


def ms(t):
    return f"{t['median'] * 1e3:.3g}"


def larger(rows, sizes):
    """The rows at every size but the toy one (the smallest)."""
    return [r for r in rows if tuple(r["size"]) != min(map(tuple, sizes))] if rows else []


def geomean(values):
    return math.exp(statistics.fmean(math.log(v) for v in values)) if values else math.nan


def summary(record, sizes):
    """The issue's targets, reported (never enforced): for each cell and pass the smallest
    ratio vs tf.function over the sizes (target ≥ 1.0), and the SimpleRNN forward geometric
    mean vs tf.function over the sizes but the smallest (target ≥ 1.5)."""

    def met(condition):
        return "met" if condition else "**NOT met**"

    lines = []
    for cell in CELLS:
        for kind in PASSES:
            rows = [r for r in record["rows"] if r["cell"] == cell and r["pass"] == kind]
            if not rows:
                continue
            worst = min(rows, key=lambda r: r["ratios"]["function"]["ratio"])
            value = worst["ratios"]["function"]["ratio"]
            where = ", ".join(map(str, worst["size"]))
            lines.append(
                f"- {cell} {kind}: min × vs tf.function {value:.2f} (at {where}; "
                f"target ≥ 1.0 at every size: {met(value >= 1)})"
            )
            if cell == "SimpleRNN" and kind == "forward":
                rest = larger(rows, sizes)
                mean = geomean([r["ratios"]["function"]["ratio"] for r in rest])
                where = "; ".join(", ".join(map(str, r["size"])) for r in rest)
                lines.append(
                    f"- SimpleRNN forward: geometric mean × vs tf.function over the sizes but "
                    f"the smallest ({where}) {mean:.2f} (target ≥ 1.5: {met(mean >= 1.5)})"
                )
    return lines


def markdown(records, sizes):
    lines = []
    for threading, record in records.items():
        env, rate = record["environment"], record["gemm_rate_flops"]
        load = record["load_average_start_end"]
        lines += [
            f"## {THREADINGS[threading][1][0].upper()}{THREADINGS[threading][1][1:]}",
            "",
            "| cell | pass | B, T, D, H | ours ms | Keras eager ms | Keras tf.function ms "
            "| PyTorch ms | × vs eager | × vs tf.function | × vs PyTorch | products ms "
            "| tf.function / products | ours % GEMM | max diff | ok |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
            "| --- | --- |",
        ]
        for row in record["rows"]:
            t, r = row["times"], row["ratios"]
            products = t.get("products")
            diff = max(row["max_diff"].values())
            lines.append(
                f"| {row['cell']} | {row['pass']} | {', '.join(map(str, row['size']))} "
                f"| {ms(t['ours'])} | {ms(t['eager'])} | {ms(t['function'])} | {ms(t['torch'])} "
                f"| {fmt_ratio(r['eager'])} | {fmt_ratio(r['function'])} "
                f"| {fmt_ratio(r['torch'])} | {'–' if products is None else ms(products)} "
                f"| {fmt_ratio(row['bound_vs_function'])} "
                f"| {row['flops'] / t['ours']['best'] / rate:.0%} "
                f"| {diff:.1e} ({row['diff_kind']}) | {'yes' if row['ok'] else '**NO**'} |"
            )
        lines += [
            "",
            "Times: median per call over the rounds. × = other median / ours median over the "
            "rounds both were timed in (above 1: ours is faster; Keras eager is timed in the "
            "first 3 rounds only), in brackets its 95 % paired bootstrap interval. products: "
            "the forward pass' matrix products alone (input product over all rows, then T "
            "recurrent products), timed in the same rounds; "
            "tf.function / products is the measured bound on × vs tf.function for any code "
            "built on these NumPy products. ours % GEMM: the pass' FLOPs / ours' best time / "
            "the GEMM rate.",
            "",
            *summary(record, sizes),
            "",
            f"Machine: {env['processor']}, {env['cpu_count']} logical CPUs, {env['machine']}; "
            f"load average {load[0]:.2f} at the start, {load[1]:.2f} at the end.",
            f"NumPy {env['numpy']} with {env['numpy_blas']}; TensorFlow {env['tensorflow']} "
            f"(intra-op threads {env['tf_intra_op_threads']}, inter-op "
            f"{env['tf_inter_op_threads']}; 0 = one per core), Keras {env['keras']}; "
            f"PyTorch {env['torch']} ({env['torch_threads']} threads, inter-op "
            f"{env['torch_interop_threads']}).",
            "Thread pools (threadpoolctl): "
            + "; ".join(
                f"{p.get('internal_api')} {p.get('version')} {p.get('num_threads')} threads"
                for p in env["threadpools"]
            )
            + ".",
            "Environment: " + ", ".join(f"{k}={v}" for k, v in env["env"].items()) + ".",
            f"Clock: time.{env['clock']}; float32 GEMM rate (best of square 1024 and 2048, "
            f"at the start and the end): {rate / 1e9:.1f} GFLOP/s; budget "
            f"{record['budget_seconds']:g} s per row; this process took "
            f"{record['process_seconds']['wall']:.0f} s (CPU time "
            f"{record['process_seconds']['cpu']:.0f} s).",
            "",
        ]
    lines += [
        "## × vs Keras tf.function, both threadings",
        "",
        "| cell | pass | threading | " + " | ".join(str(s) for s in sizes) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in sizes) + " |",
    ]
    for cell in CELLS:
        for kind in PASSES:
            for threading, record in records.items():
                by_size = {
                    tuple(r["size"]): r
                    for r in record["rows"]
                    if r["cell"] == cell and r["pass"] == kind
                }
                cells = [
                    f"{by_size[s]['ratios']['function']['ratio']:.2f}" if s in by_size else "–"
                    for s in sizes
                ]
                lines.append(f"| {cell} | {kind} | {threading} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float,
                        help="seconds of timing per row (cell, pass and size), shared by its "
                        "variants; at least 3 rounds are timed whatever it is (default 2, "
                        "0.5 with --quick)")  # fmt: skip
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: the two smallest sizes, budget 0.5 s")  # fmt: skip
    parser.add_argument("--threading", choices=["both", *THREADINGS], default="both",
                        help="one thread each (CPU time), the default threads (wall clock), "
                        "or both, each in a process of its own (default both)")  # fmt: skip
    parser.add_argument("--single-core", dest="threading", action="store_const", const="one",
                        help="the same as --threading one (the earlier option)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for the results")
    parser.add_argument("--perturb", type=float, default=0.0,
                        help="multiply ours by 1 + PERTURB before the correctness check, to "
                        "see it fail (exit status 1)")  # fmt: skip
    parser.add_argument("--worker", choices=list(THREADINGS), help=argparse.SUPPRESS)
    parser.add_argument("--worker-json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES
    budget = args.budget if args.budget is not None else 0.5 if args.quick else 2.0

    if args.worker:  # one threading, in this process; its record goes to --worker-json
        record = run_threading(args.worker, sizes, budget, args.perturb)
        args.worker_json.write_text(json.dumps(record) + "\n")
        return 0

    if importlib.util.find_spec("torch") is None:
        print(
            "bench_rnn.py needs PyTorch (requirements-backends.txt, which `make venv` installs "
            "into .venv)",
            file=sys.stderr,
        )
        return 2
    threadings = list(THREADINGS) if args.threading == "both" else [args.threading]
    records = {}
    with tempfile.TemporaryDirectory() as scratch:
        for threading in threadings:  # one after the other, never at the same time
            path = Path(scratch) / f"{threading}.json"
            command = [sys.executable, str(Path(__file__).resolve()), "--worker", threading,
                       "--worker-json", str(path), "--budget", str(budget),
                       "--perturb", str(args.perturb), *(["--quick"] * args.quick)]  # fmt: skip
            status = subprocess.run(command, check=False).returncode
            if status != 0 or not path.exists():
                print(f"the {threading} process failed (status {status})", file=sys.stderr)
                return 2
            records[threading] = json.loads(path.read_text())

    table = markdown(records, sizes)
    print(f"\n{table}")
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    record = {"sizes": sizes, "tolerance": TOLERANCE, "threadings": records}
    for name in (f"bench-{stamp}", "latest"):
        (args.out / f"{name}.md").write_text(table)
        (args.out / f"{name}.json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"written to {args.out / f'bench-{stamp}'}.md and .json")
    failed = [(t, r) for t, rec in records.items() for r in rec["rows"] if not r["ok"]]
    for threading, row in failed:
        diffs = ", ".join(f"{SIDE_NAMES[k]} {v:.2e}" for k, v in row["max_diff"].items())
        print(
            f"CORRECTNESS FAILURE ({threading}): {row['cell']} {row['pass']} at {row['size']}: "
            f"{diffs} ({row['diff_kind']}; tolerance {TOLERANCE})",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
