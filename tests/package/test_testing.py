"""rnn_playground.testing's own helpers: the differences and the side-by-side timer.

The timer is checked with a clock that each function advances by a known cost, so the
expected times are exact and no wall-clock time is asserted.
"""

import contextlib
import gc

import numpy as np
import pytest

from rnn_playground.testing import Timing, max_abs_diff, relative_error, time_side_by_side


def test_max_abs_diff_is_computed_in_float64():
    # In int8, |0 - (-128)| overflows to -128; in float32, 1 + 1e-8 is 1.
    assert max_abs_diff(np.array([0], np.int8), np.array([-128], np.int8)) == 128.0
    assert max_abs_diff(np.float32(1), np.float64(1 + 2**-40)) == 2**-40


def test_relative_error():
    assert relative_error([1.0, 2.5], [1.0, 2.0]) == 0.25
    assert relative_error([[0.0, -3.0]], [[1.0, -4.0]]) == 0.25  # scaled by max |reference|
    assert relative_error([0.0, 1e-3], [0.0, 0.0]) == 1e-3  # all-zero reference: absolute


class VirtualClock:
    """A clock that only the timed functions move, by their cost."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def function(self, cost):
        def call():
            self.now += cost

        return call


def test_time_side_by_side_reports_per_call_times():
    clock = VirtualClock()
    functions = {"fast": clock.function(1e-3), "slow": clock.function(4e-3)}
    times = time_side_by_side(functions, seconds=0.1, clock=clock, min_rounds=3)
    assert set(times) == {"fast", "slow"}
    for name, cost in (("fast", 1e-3), ("slow", 4e-3)):
        timing = times[name]
        assert isinstance(timing, Timing)
        assert timing.median == pytest.approx(cost)
        assert timing.best == pytest.approx(cost)
        assert timing.number == int(np.ceil(0.005 / cost))  # samples of at least 5 ms
    # 0.1 s of timing in rounds of 5 + 8 ms (virtual): 7 rounds, each function once a round
    assert times["fast"].rounds == times["slow"].rounds == 7


def test_time_side_by_side_enters_a_context_around_each_sample_of_its_function():
    clock, inside = VirtualClock(), []
    seen = {"limited": set(), "plain": set()}

    @contextlib.contextmanager
    def limit():
        inside.append(True)
        yield
        inside.pop()

    def record(name):
        work = clock.function(1e-3)

        def call():
            seen[name].add(bool(inside))
            work()

        return call

    functions = {"limited": record("limited"), "plain": record("plain")}
    times = time_side_by_side(functions, seconds=0.05, clock=clock, contexts={"limited": limit})
    assert seen == {"limited": {True}, "plain": {False}}
    assert times["limited"].rounds == times["plain"].rounds >= 3


def test_time_side_by_side_keeps_the_garbage_collector_on():
    """As in a real call (``timeit`` alone would turn it off while timing)."""
    clock, seen = VirtualClock(), set()
    work = clock.function(1e-3)

    def call():
        seen.add(gc.isenabled())
        work()

    time_side_by_side({"call": call}, seconds=0.01, clock=clock)
    assert seen == {True}
