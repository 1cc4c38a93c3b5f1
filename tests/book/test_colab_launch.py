"""docs/_ext/colab_launch.py: Colab beside Binder, opening the executed notebook from the branch
the workflow pushes it to, and a first cell in every .ipynb that installs the package."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.build

REPO = {"RNN_PLAYGROUND_REPO_URL": "https://github.com/someone/rnn-playground"}


def test_colab_opens_the_notebook_from_its_branch(site):
    site.write({"page": "# Page\n\n" + site.code_cell("6 * 7")})
    process = site.build(env=REPO | {"GITHUB_SHA": "abc123"})
    assert process.returncode == 0, site.log(process)
    page = site.html("page")
    assert "https://mybinder.org/v2/gh/someone/rnn-playground/main" in page  # Binder stays
    colab = "https://colab.research.google.com/github/someone/rnn-playground/blob/notebooks/"
    assert f'href="{colab}page.ipynb"' in page
    assert "docs/page.md" not in page.split("colab.research.google.com")[1][:200]


def test_the_notebook_installs_the_package_first(site):
    site.write({"page": "# Page\n\n" + site.code_cell("6 * 7")})
    process = site.build(env=REPO | {"GITHUB_SHA": "abc123"})
    assert process.returncode == 0, site.log(process)
    cells = site.download("page")["cells"]
    note, install, title, first = cells[:4]
    assert note["cell_type"] == "markdown"
    assert install["metadata"]["tags"] == ["book-install"]
    requirement = "rnn-playground[keras] @ git+https://github.com/someone/rnn-playground@abc123"
    assert repr(requirement) in install["source"]
    raw = "https://raw.githubusercontent.com/someone/rnn-playground/abc123/"
    assert repr(raw) in install["source"]
    assert title["source"] == "# Page"
    assert first["source"] == "6 * 7"
    assert site.outputs({"cells": [first]}, "execute_result")[0]["data"]["text/plain"] == "42"
    # In a clone (the package importable, the data present) the cell does nothing: run it here.
    code = install["source"].replace(repr(raw), repr("http://127.0.0.1:9/"))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=site.root, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0  # ../data/... is missing here: it tries to fetch, and fails
    assert "urlopen error" in done.stderr or "Connection refused" in done.stderr
    (site.root.parent / "data").mkdir(exist_ok=True)
    for name in ("alice-chapters-1-3.txt",):
        (site.root.parent / "data" / name).write_text("text")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=site.root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_without_a_repository_there_is_neither(site):
    site.write({"page": "# Page\n\n" + site.code_cell("6 * 7")})
    process = site.build()
    assert process.returncode == 0, site.log(process)
    assert "colab.research.google.com" not in site.html("page")
    assert [cell["source"] for cell in site.download("page")["cells"]] == ["# Page", "6 * 7"]
