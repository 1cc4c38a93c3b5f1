"""Colab beside Binder, and notebooks that run outside the repository.

Colab opens a notebook only from an address it can fetch: a file on GitHub (or Drive, or a
gist). The book's notebooks are build outputs, never committed to the source branch, so the
publishing workflow pushes the executed ``.ipynb`` of every page (``_build/html/_sources/``) to a
branch of their own, ``book_colab_branch``, and this extension adds a "Colab" entry to the
theme's launch menu that opens ``<page>.ipynb`` from that branch. (sphinx-book-theme's own
``colab_url`` would open ``docs/<page>.md`` from the source branch, which Colab cannot read.)

A notebook opened in Colab, or downloaded and run anywhere but in a clone, has neither the
package nor the data files. So every ``.ipynb`` gets a first code cell (tagged
``book-install``) that, when ``rnn_playground`` cannot be imported, installs it with pip from the
repository at the commit that built the page, and fetches the files of ``book_notebook_data`` to
where the pages read them (``../data/``). In a clone it does nothing.

Both need the repository's address (``html_theme_options["repository_url"]``, which conf.py sets
from ``RNN_PLAYGROUND_REPO_URL``); a local build without it gets neither.
"""

from __future__ import annotations

import posixpath

import nbformat

COLAB = "https://colab.research.google.com/github"
INSTALL_TAG = "book-install"

INSTALL_CODE = """\
# Outside a clone of the book's repository (Colab, a fresh Jupyter), install the package
# rnn_playground and fetch the data files the pages read; in a clone this does nothing.
import importlib.util
import subprocess
import sys
import urllib.request
from pathlib import Path

if importlib.util.find_spec("rnn_playground") is None:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", {requirement!r}])
    importlib.invalidate_caches()
for name in {data!r}:
    target = Path("..") / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        urllib.request.urlretrieve({raw!r} + name, target)
"""

INSTALL_NOTE = (
    "*Running this notebook outside the book's repository (in Colab, say)? The next cell installs "
    "the package `rnn_playground` from [the repository]({repo}) at the commit that computed "
    "this page, and fetches the data files the book reads; in a clone it does nothing.*"
)


def _github(app) -> tuple[str, str, str] | None:
    """(repository URL, owner, name) when the repository is on GitHub."""
    url = app.config.html_theme_options.get("repository_url", "").rstrip("/")
    if not url.startswith("https://github.com/"):
        return None
    owner, name = url.removeprefix("https://github.com/").split("/")[:2]
    return url, owner, name


def colab_url(app, pagename: str) -> str | None:
    github = _github(app)
    if github is None or not app.config.book_colab_branch:
        return None
    _, owner, name = github
    path = posixpath.join(app.config.book_colab_path, f"{pagename}.ipynb")
    return f"{COLAB}/{owner}/{name}/blob/{app.config.book_colab_branch}/{path}"


def add_colab_button(app, pagename, templatename, context, doctree) -> None:
    """Add Colab to the launch menu that sphinx-book-theme built (at priority 501)."""
    url = colab_url(app, pagename)
    if url is None or doctree is None:
        return
    for button in context.get("header_buttons", []):
        if button.get("label") == "launch-buttons":
            button["buttons"].append(
                {
                    "type": "link",
                    "text": "Colab",
                    "tooltip": "Launch on Colab",
                    "icon": "_static/images/logo_colab.png",
                    "url": url,
                }
            )


def install_cell(app) -> list | None:
    github = _github(app)
    if github is None:
        return None
    url, owner, name = github
    ref = app.config.book_install_ref or app.config.html_theme_options.get(
        "repository_branch", "main"
    )
    requirement = f"rnn-playground[keras] @ git+{url}@{ref}"
    raw = f"https://raw.githubusercontent.com/{owner}/{name}/{ref}/"
    code = INSTALL_CODE.format(
        requirement=requirement, data=list(app.config.book_notebook_data), raw=raw
    )
    note = nbformat.v4.new_markdown_cell(INSTALL_NOTE.format(repo=url))
    cell = nbformat.v4.new_code_cell(code.rstrip("\n"))
    cell.metadata["tags"] = [INSTALL_TAG]
    return [note, cell]


def add_install_cell(app, docname, notebook) -> None:
    cells = install_cell(app)
    if cells is not None:
        notebook.cells[0:0] = cells


def setup(app):
    app.setup_extension("ipynb_download")
    app.add_config_value("book_colab_branch", "", "html", types=frozenset({str}))
    app.add_config_value("book_colab_path", "", "html", types=frozenset({str}))
    app.add_config_value("book_install_ref", "", "html", types=frozenset({str}))
    app.add_config_value("book_notebook_data", [], "html", types=frozenset({list}))
    app.connect("html-page-context", add_colab_button, priority=502)
    app.connect("ipynb-download", add_install_cell)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
