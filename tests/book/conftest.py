"""Fixtures of the book's tests: throw-away sites, and the built site in a browser.

``site_url`` and ``browser`` (session-wide) serve the built book on 127.0.0.1 and open a
headless Chromium (``browsing.py``). ``site`` is a temporary source directory that a test fills
with a few MyST notebook pages, built with ``sphinx-build -c <repository root>`` exactly as
``make site`` builds ``docs/``, with a few settings pointed elsewhere: ``book_hashed_paths`` at
an empty temporary directory (what the execution cache depends on), ``book_mathjax`` off and
``book_require_provenance`` off unless a test is about them. No page imports TensorFlow: each
build takes a few seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import browsing
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONT_MATTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


class ThrowawaySite:
    def __init__(self, root: Path):
        self.root = root
        self.source = root / "src"
        self.out = root / "html"
        self.package = root / "package"  # what the execution cache hashes, unless a test says
        self.package.mkdir(parents=True, exist_ok=True)

    def write(self, pages: dict[str, str], *, notebook: bool = True) -> None:
        """A root page with a toctree and one page per entry of ``pages``, notebooks by default."""
        self.source.mkdir(parents=True, exist_ok=True)
        toctree = "\n".join(pages)
        (self.source / "index.md").write_text(f"# Tiny site\n\n```{{toctree}}\n{toctree}\n```\n")
        for name, body in pages.items():
            front = FRONT_MATTER if notebook else ""
            (self.source / f"{name}.md").write_text(front + textwrap.dedent(body))

    def build(self, *settings: str, env: dict | None = None, pythonpath: Path | None = None):
        """Run sphinx-build like ``make site`` does; return the finished process."""
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n"]
        command += ["-c", str(ROOT), str(self.source), str(self.out)]
        defaults = [
            f"book_hashed_paths={self.package}",
            "book_mathjax=0",
            "book_require_provenance=0",
        ]
        names = {setting.partition("=")[0] for setting in settings}
        for setting in [d for d in defaults if d.partition("=")[0] not in names] + list(settings):
            command += ["-D", setting]
        # Not PYTEST_CURRENT_TEST: with it, ipykernel stops capturing file descriptors 1 and 2.
        environment = {
            k: v for k, v in os.environ.items() if not k.startswith(("RNN_PLAYGROUND_", "PYTEST_"))
        }
        environment |= env or {}
        if pythonpath is not None:
            environment["PYTHONPATH"] = str(pythonpath)
        return subprocess.run(
            command, capture_output=True, text=True, env=environment, timeout=300, check=False
        )

    def html(self, name: str) -> str:
        return (self.out / f"{name}.html").read_text()

    @staticmethod
    def code_cell(code: str, *, tags: tuple[str, ...] = ()) -> str:
        """A MyST code cell with ``code`` (dedented) and optional tags."""
        options = f":tags: [{', '.join(tags)}]\n\n" if tags else ""
        return f"```{{code-cell}} ipython3\n{options}{textwrap.dedent(code).strip()}\n```\n"

    @staticmethod
    def log(process) -> str:
        """Everything a build printed, for assertion messages."""
        return process.stdout + process.stderr

    @staticmethod
    def outputs(notebook: dict, output_type: str | None = None, name: str | None = None) -> list:
        """The outputs of ``notebook``'s code cells, optionally of one type and stream name."""
        return [
            output
            for cell in notebook["cells"]
            if cell["cell_type"] == "code"
            for output in cell.get("outputs", [])
            if output_type in (None, output["output_type"]) and name in (None, output.get("name"))
        ]

    def download(self, name: str):
        """The notebook offered for download (nbformat joins multi-line strings)."""
        return nbformat.read(self.out / "_sources" / f"{name}.ipynb", as_version=4)


@pytest.fixture
def site(tmp_path) -> ThrowawaySite:
    return ThrowawaySite(tmp_path)


@pytest.fixture(scope="session")
def site_url():
    """Base URL of the built book (``_build/html``), served on 127.0.0.1."""
    with browsing.serve() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    with browsing.chromium() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def playground(browser, site_url):
    """One playground page (test_playground.py) for the tests that only call its functions, in
    test_playground.py and test_playground_gated.py."""
    from test_playground import open_playground

    context, page = open_playground(browser, site_url, keyboard=False)
    yield page
    context.close()
