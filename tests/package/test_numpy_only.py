"""The package installed with NumPy only (no Keras, no TensorFlow) works, and what needs Keras
says what to install instead of ending in a raw ``ModuleNotFoundError`` traceback.

A fresh virtual environment gets NumPy and ``pip install`` of the package (a copy of its
source: the build leaves nothing in the repository), from PyPI or pip's cache only.
"""

import os
import shutil
import subprocess
import textwrap
import venv
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
HINT = "pip install 'rnn-playground[keras]'"

SCRIPT = textwrap.dedent(
    """
    import importlib.util
    import numpy as np
    import rnn_playground
    import rnn_playground.testing
    from rnn_playground import SimpleRNNParams, simple_rnn, simple_rnn_backward
    from rnn_playground.training import adam_update, adding_problem, readout_mse

    assert importlib.util.find_spec("keras") is None
    assert importlib.util.find_spec("tensorflow") is None
    params = SimpleRNNParams.init(3, 4, seed=0)
    x = np.ones((2, 5, 3), "float32")
    assert simple_rnn(x, params).shape == (2, 4)
    assert simple_rnn_backward(x, params, np.ones((2, 4))).kernel.shape == (3, 4)
    inputs, targets = adding_problem(2, 5, 0)
    assert readout_mse(np.ones((2, 4)), np.ones((4, 1)), np.ones(1), targets).loss > 0
    assert len(adam_update([x], [x], [0 * x], [0 * x], 1)[0]) == 1
    for call in (lambda: SimpleRNNParams.from_keras(None), lambda: params.to_keras(None)):
        try:
            call()
        except ModuleNotFoundError as error:
            print(error)
        else:
            raise AssertionError("no error")
    """
)


@pytest.fixture(scope="module")
def numpy_only_python(tmp_path_factory):
    """The Python of a new venv holding NumPy (this environment's version) and the package."""
    root = tmp_path_factory.mktemp("numpy-only")
    source = root / "source"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    venv.create(root / "venv", with_pip=True)
    python = root / "venv" / "bin" / "python"
    install = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    for arguments in ([f"numpy=={np.__version__}"], [str(source)]):
        subprocess.run([*install, *arguments], check=True, timeout=600)
    return python


def _run(python, *arguments):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run(
        [python, *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=python.parents[2],  # not the repository: its src/ must not be importable
        env=environment,
    )


def test_the_package_works_and_from_keras_to_keras_say_what_to_install(numpy_only_python):
    result = _run(numpy_only_python, "-c", SCRIPT)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    for line, method in zip(lines, ("from_keras", "to_keras"), strict=True):
        assert line.startswith(f"SimpleRNNParams.{method} needs Keras and TensorFlow"), line
        assert line.endswith(HINT), line


def test_check_command_exits_2_with_one_line(numpy_only_python):
    result = _run(numpy_only_python, "-m", "rnn_playground", "check")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(
        "python -m rnn_playground check: error: this command needs Keras and TensorFlow"
    ), result.stderr
    assert result.stderr.rstrip().endswith(HINT)
    assert "Traceback" not in result.stderr
