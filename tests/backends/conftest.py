"""tests/backends runs once per Keras backend, each in a process of its own (Keras reads
``KERAS_BACKEND`` when it is first imported): ``make test-backends`` runs

    KERAS_BACKEND=tensorflow pytest tests/backends
    KERAS_BACKEND=jax JAX_ENABLE_X64=1 pytest tests/backends
    KERAS_BACKEND=torch pytest tests/backends

JAX computes in float64 only with x64 enabled, which must be set before JAX is first imported
(tests/conftest.py imports Keras, and with it JAX): the run stops with that hint otherwise.
"""

import os

import keras
import pytest

BACKEND = keras.backend.backend()

if "KERAS_BACKEND" not in os.environ:
    raise pytest.UsageError(
        "tests/backends needs KERAS_BACKEND set (tensorflow, jax or torch): "
        "run `make test-backends`"
    )
if BACKEND == "jax":
    import jax

    if not jax.config.jax_enable_x64:
        raise pytest.UsageError("tests/backends on JAX needs JAX_ENABLE_X64=1 (float64)")
