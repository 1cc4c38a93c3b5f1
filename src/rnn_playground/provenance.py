"""What computed a page: the versions, the CPU and the numerical settings, as a small report.

Every executed page of the book ends with ``provenance()`` in a cell whose input is hidden; the
page shows the result as a collapsed block. The same call works in a downloaded notebook, and
reports the reader's own machine::

    from rnn_playground.provenance import provenance

    provenance()  # in a notebook: a collapsed table; print(provenance()) in a terminal

The facts are read when it is called, from the running process: Python, NumPy, TensorFlow and
Keras versions (TensorFlow and Keras are imported if they are installed), the CPU model, whether
TensorFlow's oneDNN optimisations are on (they change the last bits of float32 matrix products),
NumPy's BLAS library and its thread count (threadpoolctl), and the time, in UTC.
"""

from __future__ import annotations

import datetime
import html
import os
import platform
from pathlib import Path

__all__ = ["Provenance", "provenance"]


class Provenance(dict):
    """The facts, in display order (a dict of str to str), shown as a table."""

    def __str__(self) -> str:
        width = max(map(len, self))
        return "\n".join(f"{name:<{width}}  {value}" for name, value in self.items())

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's plain-text display
        printer.text(str(self))

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th>{html.escape(name)}</th><td>{html.escape(value)}</td></tr>"
            for name, value in self.items()
        )
        return (
            '<details class="book-provenance"><summary>How this page was computed</summary>'
            # class "dataframe": the book's theme styles it like a pandas table, light or dark
            f'<table class="dataframe book-provenance-table">{rows}</table></details>'
        )


def provenance() -> Provenance:
    """Collect the facts about the running process and machine (see the module docstring)."""
    import numpy

    facts = Provenance()
    facts["Python"] = platform.python_version()
    facts["NumPy"] = numpy.__version__
    tensorflow = _optional_import("tensorflow")
    keras = _optional_import("keras")
    facts["TensorFlow"] = getattr(tensorflow, "__version__", "not installed")
    facts["Keras"] = getattr(keras, "__version__", "not installed")
    facts["CPU"] = _cpu_model()
    facts["oneDNN (TensorFlow)"] = _onednn(tensorflow)
    facts["BLAS (NumPy)"] = _blas()
    facts["Executed"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return facts


def _optional_import(name):
    try:
        return __import__(name)
    except ImportError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.partition(':')[2].strip()} ({os.cpu_count()} logical cores)"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} ({os.cpu_count()} logical cores)"


def _onednn(tensorflow) -> str:
    setting = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    how = f"TF_ENABLE_ONEDNN_OPTS={setting}" if setting is not None else "TensorFlow's default"
    if tensorflow is None:
        return "no TensorFlow"
    try:  # TensorFlow's own answer; a private module, so be ready for it to move
        from tensorflow.python.util import _pywrap_util_port

        enabled = _pywrap_util_port.IsMklEnabled()
    except (ImportError, AttributeError):
        return f"unknown ({how})"
    return f"{'on' if enabled else 'off'} ({how})"


def _blas() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl is not installed)"
    libraries = [
        f"{info['internal_api']} {info.get('version') or ''}".strip()
        + f", {info['num_threads']} thread{'s' if info['num_threads'] != 1 else ''}"
        for info in threadpool_info()
        if info["user_api"] == "blas"
    ]
    return "; ".join(libraries) or "none found"
