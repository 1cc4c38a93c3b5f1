"""The book's build machinery, on tiny throw-away sites built with the project's conf.py.

Each test writes a few MyST notebook pages into a temporary source directory and runs
``sphinx-build -c <repository root>`` on it, exactly as ``make site`` does for ``docs/``, with
two settings pointed elsewhere: ``book_hashed_paths`` (what the execution cache depends on) and
``book_mathjax`` (off unless the test is about MathJax). No page imports TensorFlow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[1]
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


def write_site(source: Path, pages: dict[str, str]) -> None:
    """A root page with a toctree, and one notebook page per entry of ``pages``."""
    source.mkdir(parents=True, exist_ok=True)
    toctree = "\n".join(pages)
    (source / "index.md").write_text(f"# Tiny site\n\n```{{toctree}}\n{toctree}\n```\n")
    for name, body in pages.items():
        (source / f"{name}.md").write_text(FRONT_MATTER + textwrap.dedent(body))


def code_cell(code: str, *, tags: tuple[str, ...] = ()) -> str:
    options = f":tags: [{', '.join(tags)}]\n\n" if tags else ""
    return f"```{{code-cell}} ipython3\n{options}{textwrap.dedent(code).strip()}\n```\n"


def build(source: Path, out: Path, *settings: str, pythonpath: Path | None = None):
    """Run sphinx-build like ``make site`` does; return the finished process."""
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n"]
    command += ["-c", str(ROOT), str(source), str(out)]
    for setting in ("book_mathjax=0", *settings):
        command += ["-D", setting]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RNN_PLAYGROUND_")}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def log(process) -> str:
    return process.stdout + process.stderr


def test_a_failing_cell_fails_the_build(tmp_path):
    write_site(tmp_path / "src", {"page": "# Page\n\n" + code_cell("print(1 / 0)")})
    process = build(tmp_path / "src", tmp_path / "html", f"book_hashed_paths={tmp_path}/src")
    assert process.returncode != 0, log(process)
    assert "ZeroDivisionError" in log(process)


def test_a_cell_tagged_raises_exception_is_shown_and_the_page_is_downloadable(tmp_path):
    body = "# Page\n\n" + code_cell(
        'raise ValueError("raised on purpose")', tags=("raises-exception",)
    )
    # two prints far enough apart in time to arrive as two stream outputs
    body += "\n" + code_cell(
        'import time\nprint("after the error", flush=True)\ntime.sleep(0.5)\nprint("later")'
    )
    write_site(tmp_path / "src", {"page": body})
    process = build(tmp_path / "src", tmp_path / "html", f"book_hashed_paths={tmp_path}/src")
    assert process.returncode == 0, log(process)
    page = (tmp_path / "html" / "page.html").read_text()
    assert "raised on purpose" in page
    assert "after the error" in page

    # the page is offered as the executed notebook, next to its MyST source
    notebook = json.loads((tmp_path / "html" / "_sources" / "page.ipynb").read_text())
    printed = [
        "".join(output["text"])
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
        if output["output_type"] == "stream"
    ]
    assert "".join(printed).split() == ["after", "the", "error", "later"]  # once each
    assert 'href="_sources/page.ipynb"' in page


def test_a_page_writing_to_stderr_fails_the_build(tmp_path):
    code = 'import sys\nprint("a warning nobody reads", file=sys.stderr)'
    write_site(tmp_path / "src", {"page": "# Page\n\n" + code_cell(code)})
    process = build(tmp_path / "src", tmp_path / "html", f"book_hashed_paths={tmp_path}/src")
    assert process.returncode != 0, log(process)
    assert "stderr was found" in log(process)


def _site_printing_a_package_value(tmp_path):
    """A package with VALUE = 1 and a page that prints it; returns (build args, module file)."""
    package = tmp_path / "pkg"
    package.mkdir()
    module = package / "tinypkg.py"
    module.write_text("VALUE = 1\n")
    code = 'import tinypkg\nprint(f"package value: {tinypkg.VALUE}")'
    write_site(tmp_path / "src", {"page": "# Page\n\n" + code_cell(code)})
    return (tmp_path / "src", tmp_path / "html"), module


def test_a_package_change_invalidates_the_execution_cache(tmp_path):
    (source, out), module = _site_printing_a_package_value(tmp_path)
    hashed = f"book_hashed_paths={module.parent}"
    page = out / "page.html"

    first = build(source, out, hashed, pythonpath=module.parent)
    assert first.returncode == 0, log(first)
    assert "package value: 1" in page.read_text()
    assert "Executing notebook" in log(first)

    second = build(source, out, hashed, pythonpath=module.parent)  # nothing changed
    assert second.returncode == 0, log(second)
    assert "Executing notebook" not in log(second)

    module.write_text("VALUE = 2\n")
    third = build(source, out, hashed, pythonpath=module.parent)
    assert third.returncode == 0, log(third)
    assert "Executing notebook" in log(third)
    assert "package value: 2" in page.read_text()


def test_without_hashing_the_package_the_cache_serves_stale_output(tmp_path):
    """The control for the test above: MyST-NB alone keys its cache on the cell code only."""
    (source, out), module = _site_printing_a_package_value(tmp_path)
    elsewhere = tmp_path / "unrelated"
    elsewhere.mkdir()
    hashed = f"book_hashed_paths={elsewhere}"

    assert build(source, out, hashed, pythonpath=module.parent).returncode == 0
    module.write_text("VALUE = 2\n")
    (source / "page.md").touch()  # even a re-read page takes its outputs from the cache
    stale = build(source, out, hashed, pythonpath=module.parent)
    assert stale.returncode == 0, log(stale)
    assert "package value: 1" in (out / "page.html").read_text()


@pytest.mark.skipif(
    not (ROOT / "node_modules" / "mathjax").exists(),
    reason="MathJax is not installed: `npm ci` (make site runs it)",
)
def test_mathjax_is_served_from_the_site(tmp_path):
    write_site(tmp_path / "src", {"page": "# Page\n\n$$a^{\\langle t \\rangle} = 1$$\n"})
    out = tmp_path / "html"
    process = build(tmp_path / "src", out, f"book_hashed_paths={tmp_path}/src", "book_mathjax=1")
    assert process.returncode == 0, log(process)
    assert (out / "_static" / "mathjax" / "tex-mml-chtml.js").exists()
    assert (out / "_static" / "mathjax" / "fonts" / "mathjax-newcm-font" / "chtml.js").exists()
    page = (out / "page.html").read_text()
    assert 'src="_static/mathjax/tex-mml-chtml.js' in page
    assert "cdn.jsdelivr.net" not in page


def test_a_missing_mathjax_install_says_how_to_get_it(tmp_path):
    write_site(tmp_path / "src", {"page": "# Page\n"})
    missing = f"book_node_modules={tmp_path / 'no_node_modules'}"
    process = build(tmp_path / "src", tmp_path / "html", missing, "book_mathjax=1")
    assert process.returncode != 0
    assert "npm ci" in log(process)
