"""How long the playground page takes to redraw, at its largest size (T = 200 steps, 32 units).

Run after ``make site``: ``.venv/bin/python benchmarks/bench_playground.py`` (``--rounds N``). It
serves ``_build/html`` on 127.0.0.1 and opens the playground in headless Chromium (the browser
tests' ``tests/book/browsing.py``), then, for every cell (SimpleRNN, GRU reset after and before,
LSTM), every activation and, for the SimpleRNN, both kinds of recurrent matrix, moves the ρ
slider ``rounds`` times as a script (one input event, then a wait for the redraw) and reports,
per setting:

- *update*: what the page measures itself for each redraw (``rnnPlayground.view.timings``): the
  new weights, ``gateValues``, ``gradientNorms`` and every view rebuilt, from the input event's
  animation frame to the end of the drawing code; not the browser's own layout and paint;
- *to screen*: from the input event to the animation frame after the redraw, which adds up to
  two frames of waiting (16.7 ms each at 60 Hz) to the update;
- *gradientNorms* (both norms, one sweep) and *gateValues* (the forward pass) alone, called
  directly on the same arrays.

Medians and minima in milliseconds. The machine is shared and noisy: compare medians of one run,
and read the minimum as what an idle machine gives. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "book"))

import browsing  # the browser tests' server and Chromium

MOVE_RHO = """
async (rounds) => {
  const rho = document.getElementById("pg-rho");
  const toScreen = [];
  for (let i = 0; i < rounds; i++) {
    const revision = rnnPlayground.view.revision;
    const start = performance.now();
    rho.value = (0.5 + ((i * 37) % 101) / 100).toFixed(2);
    rho.dispatchEvent(new Event("input", { bubbles: true }));
    while (rnnPlayground.view.revision === revision) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    await new Promise((resolve) => requestAnimationFrame(resolve));
    toScreen.push(performance.now() - start);
  }
  // one input event per round, one redraw each (the page keeps its last 200 timings)
  const updates = rnnPlayground.view.timings.slice(-rounds).map((t) => t.ms);
  return { updates, toScreen };
}
"""

CALL_DIRECTLY = """
(rounds) => {
  const m = rnnPlayground.view.model;
  const args = [m.inputs, m.kernel, m.recurrentKernel, m.bias, m.options];
  const time = (f) => {
    const out = [];
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      f(...args);
      out.push(performance.now() - start);
    }
    return out;
  };
  return { norms: time(rnnPlayground.gradientNorms), forward: time(rnnPlayground.gateValues) };
}
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="redraws per setting (<= 200)")
    parser.add_argument(
        "--cells",
        nargs="+",
        default=["simple_rnn", "gru", "gru_before", "lstm"],
        choices=["simple_rnn", "gru", "gru_before", "lstm"],
        help="the page's cell choices to time",
    )
    args = parser.parse_args(argv)
    rows = []
    with browsing.serve() as url, browsing.chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "playground.html", wait_until="load")
        page.wait_for_function("() => window.rnnPlayground && rnnPlayground.view.revision >= 1")
        settings = page.evaluate("() => rnnPlayground.view.settings")
        assert (settings["steps"], settings["units"]) == (200, 32), settings
        page.evaluate(MOVE_RHO, 5)  # warm-up: the JIT compiles the loops
        for cell in args.cells:
            # the gated cells keep the SimpleRNN's (disabled) matrix choice: orthogonal
            page.select_option("#pg-cell", "simple_rnn")
            page.check('input[name="pg-matrix"][value="orthogonal"]')
            page.select_option("#pg-cell", cell)
            matrices = ("orthogonal", "nonnormal") if cell == "simple_rnn" else ("orthogonal",)
            for activation in ("tanh", "relu", "sigmoid", "linear"):
                for matrix in matrices:
                    page.check(f'input[name="pg-activation"][value="{activation}"]')
                    if cell == "simple_rnn":
                        page.check(f'input[name="pg-matrix"][value="{matrix}"]')
                    page.wait_for_function(
                        "([a, m, c]) => rnnPlayground.view.settings.activation === a && "
                        "rnnPlayground.view.settings.matrix === m && "
                        "document.getElementById('pg-cell').value === c && "
                        "rnnPlayground.view.settings.cell === c.replace('_before', '')",
                        arg=[activation, matrix, cell],
                    )
                    page.evaluate(MOVE_RHO, 3)  # warm-up for this cell
                    moved = page.evaluate(MOVE_RHO, args.rounds)
                    direct = page.evaluate(CALL_DIRECTLY, args.rounds)
                    rows.append(
                        (cell, activation, matrix, moved["updates"], moved["toScreen"],
                         *direct.values())
                    )  # fmt: skip
    print(f"Playground redraws at T = 200, 32 units, {args.rounds} per row: median (min) in ms")
    header = ("cell", "activation", "matrix", "update", "to screen", "gradientNorms", "gateValues")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    per_cell = {}
    for cell, activation, matrix, *samples in rows:
        per_cell.setdefault(cell, []).extend(samples[0])
        cells = [f"{statistics.median(s):.1f} ({min(s):.1f})" for s in samples]
        print(f"| {cell} | {activation} | {matrix} | " + " | ".join(cells) + " |")
    for cell, updates in per_cell.items():
        print(
            f"{cell}: updates median {statistics.median(updates):.1f} ms, "
            f"90th percentile {statistics.quantiles(updates, n=10)[-1]:.1f} ms, "
            f"max {max(updates):.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
