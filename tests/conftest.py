"""Shared set-up for the test suite.

TensorFlow's C++ log level and the Keras backend must be set before the first
``import keras``; this module is imported by pytest before any test module, so it
does that here. Fixtures: ``rng`` (a seeded NumPy generator) and an autouse
``keras.utils.set_random_seed`` so every Keras layer draws the same weights on every run.
Hypothesis runs under a fixed, derandomized profile so CI sees the same examples every time.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
import numpy as np
import pytest
from hypothesis import HealthCheck, settings

SEED = 20181204  # any fixed number; the seed notebook's year and month, for the record

# Derandomized: the same examples on every machine and every run, no example database.
settings.register_profile(
    "rnn-playground",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=25,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "rnn-playground"))


@pytest.fixture(autouse=True)
def _keras_seed():
    """Seed Keras, TensorFlow, NumPy's global state and Python's ``random`` for each test."""
    keras.utils.set_random_seed(SEED)


@pytest.fixture
def rng():
    """A NumPy generator with a fixed seed (a fresh one per test)."""
    return np.random.default_rng(SEED)
