"""tests/torch needs PyTorch, which ``make venv`` installs into .venv (requirements-backends.txt):
``make test-torch``.

Without PyTorch the run stops here with that hint, instead of skipping (a skipped check would
pass for a run). ``import torch`` alone cannot tell: with tests/ on ``sys.path`` (its
conftest.py puts it there), this very directory is importable as a namespace package "torch".
"""

import importlib.util

import pytest

_spec = importlib.util.find_spec("torch")
if _spec is None or _spec.origin is None:  # absent, or only this directory
    raise pytest.UsageError(
        "tests/torch needs PyTorch, which this Python does not have: run it with "
        "`make test-torch`, after `make venv` has installed requirements-backends.txt into .venv"
    )

import torch  # noqa: E402  (the real one, checked above)

torch.manual_seed(20181204)
