"""Offer each executed page as a Jupyter notebook, with the outputs the page shows.

sphinx-book-theme shows an ``.ipynb`` entry in its download menu when the page context has
``ipynb_source``, which it only sets by itself when launch buttons are configured; this extension
sets it for every notebook page and writes ``_sources/<page>.ipynb``.

It works around two problems of MyST-NB 1.4 with the notebook it writes to ``jupyter_execute/``
(``myst_nb/sphinx_.py``, ``Parser.parse``, and ``myst_nb/core/utils.py``, ``coalesce_streams``):

* **A page served from the execution cache is written without outputs.** On a cache hit the
  execution client merges the cached outputs into a *copy* of the notebook, and the parser then
  writes the original, unexecuted one. After a prose-only edit the download had no outputs while
  the page still showed them.
* **Merged streams are written twice.** With ``nb_merge_streams``, ``coalesce_streams`` appends
  later stream outputs to the first one in place and the written notebook keeps the later ones
  too, so every line printed after the first chunk is repeated.

So the download is made here from the source: MyST-NB's own reader, the outputs from the
execution cache (``jupyter_cache``'s ``merge_match_into_notebook``), streams merged on a copy, and
TensorFlow's known start-up notices removed from stderr as on the page (``tensorflow_notices``).
Other extensions can rewrite a page's notebook before it is written: they connect to the event
``ipynb-download``, called with ``(app, docname, notebook)`` (``exercises`` does).

The work-around was written for MyST-NB 1.4 (upstream: executablebooks/MyST-NB; no issue about the
cache-hit download was found when it was written). Another MyST-NB version logs a warning, an error
under ``-W``: check whether it still needs the work-around, then update ``CHECKED_MYST_NB``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import myst_nb
import nbformat
from myst_nb.core.read import create_nb_reader
from myst_nb.core.utils import coalesce_streams
from sphinx.util import logging
from tensorflow_notices import strip_known_notices

logger = logging.getLogger(__name__)

CHECKED_MYST_NB = ("1", "4")  # major, minor


def _is_notebook_page(app, pagename) -> bool:
    return "kernelspec" in app.env.metadata.get(pagename, {})


def offer_download(app, pagename, templatename, context, doctree) -> None:
    """Set ``ipynb_source`` for notebook pages (before the theme builds its buttons, at 501)."""
    if doctree is not None and _is_notebook_page(app, pagename):
        context["ipynb_source"] = f"{pagename}.ipynb"


def executed_notebook(app, docname) -> nbformat.NotebookNode:
    """The page as a notebook, with the outputs of its last execution."""
    path = app.env.doc2path(docname)
    text = Path(path).read_text(encoding="utf-8")
    nb_config = app.env.mystnb_config
    reader = create_nb_reader(str(path), app.env.myst_config, nb_config, text)
    notebook = reader.read(text)
    if nb_config.execution_mode == "cache":
        from jupyter_cache import get_cache

        try:
            _, notebook = get_cache(nb_config.execution_cache_path).merge_match_into_notebook(
                notebook
            )
        except KeyError:
            logger.warning(
                "no cached execution of %s: its .ipynb download has no outputs",
                docname,
                type="book",
                subtype="download",
            )
    else:  # executed in this build (or never): MyST-NB's copy is complete
        written = Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"
        if written.exists():
            notebook = nbformat.read(written, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = copy.deepcopy(cell.outputs)
        if nb_config.merge_streams:
            outputs = coalesce_streams(outputs)
        cell.outputs = [output for output in map(_without_notices, outputs) if output is not None]
    return notebook


def _without_notices(output):
    if output.get("output_type") == "stream" and output.get("name") == "stderr":
        output["text"] = strip_known_notices(output["text"])
        if not output["text"].strip():
            return None
    return output


def write_downloads(app, exception) -> None:
    """Write ``_sources/<page>.ipynb`` for every notebook page."""
    if exception is not None or app.builder.format != "html":
        return
    for docname in sorted(app.env.found_docs):
        if not _is_notebook_page(app, docname):
            continue
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        notebook = executed_notebook(app, docname)
        app.emit("ipynb-download", docname, notebook)
        nbformat.write(notebook, target)


def check_version(app) -> None:
    if tuple(myst_nb.__version__.split(".")[:2]) != CHECKED_MYST_NB:
        logger.warning(
            "ipynb_download works around MyST-NB %s problems; MyST-NB is now %s: check that the "
            "downloads still carry their outputs (tests/book/test_ipynb_download.py), then update "
            "CHECKED_MYST_NB in docs/_ext/ipynb_download.py",
            ".".join(CHECKED_MYST_NB),
            myst_nb.__version__,
            type="book",
            subtype="download",
        )


def setup(app):
    app.setup_extension("myst_nb")
    app.setup_extension("tensorflow_notices")
    app.add_event("ipynb-download")  # (app, docname, notebook): rewrite it before it is written
    app.connect("builder-inited", check_version)
    app.connect("html-page-context", offer_download, priority=400)
    app.connect("build-finished", write_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
