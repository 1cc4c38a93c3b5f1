"""Provenance: every executed page says what computed it, and one page lists every execution.

* Every notebook page must end with a code cell that calls
  ``rnn_playground.provenance.provenance()`` (input hidden with the ``remove-input`` tag); its
  output is a collapsed table of the versions, the CPU, oneDNN, the BLAS and the time. A notebook
  page whose last cell does not show it gets a warning (an error under ``-W``), so a new page
  cannot forget it. ``book_require_provenance = False`` turns the check off (the build tests'
  throw-away pages).
* ``execution-statistics`` is a directive that puts a table of every notebook page's last
  execution into its page: when it ran, how long it took, and whether this build executed it, took
  its outputs from the execution cache, or kept them from an earlier build. It reads the
  execution data MyST-NB records, and is refreshed when MyST-NB's ``nb-exec-table`` would be.
"""

from __future__ import annotations

import datetime
import posixpath
import time

from docutils import nodes
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

MARKER = 'class="book-provenance"'  # in the HTML that Provenance._repr_html_ writes
TABLE_KEY = "has_exec_table"  # MyST-NB re-renders pages with this key when executions change


def check_provenance(app, doctree) -> None:
    docname = app.env.docname
    if not app.config.book_require_provenance:
        return
    if "kernelspec" not in app.env.metadata.get(docname, {}):
        return
    cells = [
        node for node in doctree.findall(nodes.container) if node.get("nb_element") == "cell_code"
    ]
    last = cells[-1] if cells else None
    raw = [] if last is None else [node.astext() for node in last.findall(nodes.raw)]
    if not any(MARKER in text for text in raw):
        logger.warning(
            "the last code cell of an executed page must show rnn_playground.provenance."
            "provenance() (tagged remove-input); see CONTRIBUTING.md",
            location=(docname, None),
            type="book",
            subtype="provenance",
        )


class ExecutionStatisticsNode(nodes.General, nodes.Element):
    """Placeholder, replaced by the table once every page has been read."""


class ExecutionStatistics(SphinxDirective):
    def run(self):
        NbMetadataCollector.set_doc_data(self.env, self.env.docname, TABLE_KEY, True)
        return [ExecutionStatisticsNode()]


def note_build_start(app, env, docnames) -> None:
    """Remember when this build started reading, and which pages it read."""
    env.book_build_started = time.time()
    env.book_docs_read = set(docnames)


def _reading_order(env) -> list[str]:
    """Every document, in the order of the table of contents (then the others, sorted)."""
    order = []

    def visit(docname):
        if docname not in order:
            order.append(docname)
            for child in env.toctree_includes.get(docname, []):
                visit(child)

    visit(env.config.root_doc)
    return order + sorted(set(env.found_docs) - set(order))


def _utc(timestamp) -> str:
    if not timestamp:
        return "-"
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _origin(env, docname, data) -> str:
    if docname not in getattr(env, "book_docs_read", set()):
        return "kept from an earlier build"
    if data["mtime"] and data["mtime"] >= env.book_build_started:
        return "executed in this build"
    return "execution cache"


class ExecutionStatisticsTable(SphinxPostTransform):
    default_priority = 8  # before the references are resolved (10)

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(ExecutionStatisticsNode)):
            node.replace_self(self.table())

    def table(self) -> nodes.table:
        header = ["Page", "Executed", "Run time (s)", "Outputs from", "Status"]
        table = nodes.table(classes=["colwidths-auto", "book-execution-statistics"])
        group = nodes.tgroup(cols=len(header))
        table += group
        group += [nodes.colspec(colwidth=1) for _ in header]
        group += nodes.thead("", self.row(header))
        body = nodes.tbody()
        group += body
        executions = NbMetadataCollector.get_doc_data(self.env)
        for docname in _reading_order(self.env):
            data = executions.get(docname, {}).get("exec_data")
            if not data:
                continue
            link = pending_xref(
                refdoc=self.env.docname,
                reftarget=posixpath.relpath(docname, posixpath.dirname(self.env.docname)),
                reftype="doc",
                refdomain="std",
                refexplicit=False,
                refwarn=True,
            )
            link += nodes.inline(text=docname)
            runtime = "-" if data["runtime"] is None else f"{data['runtime']:.1f}"
            status = "ok" if data["succeeded"] else f"failed: {data['error']}"
            body += self.row(
                [link, _utc(data["mtime"]), runtime, _origin(self.env, docname, data), status]
            )
        return table

    @staticmethod
    def row(cells) -> nodes.row:
        row = nodes.row()
        for cell in cells:
            paragraph = nodes.paragraph()
            paragraph += cell if isinstance(cell, nodes.Node) else nodes.Text(cell)
            row += nodes.entry("", paragraph)
        return row


def setup(app):
    app.setup_extension("myst_nb")
    app.add_config_value("book_require_provenance", True, "env", types=frozenset({bool}))
    app.add_node(ExecutionStatisticsNode)
    app.add_directive("execution-statistics", ExecutionStatistics)
    app.add_post_transform(ExecutionStatisticsTable)
    app.connect("env-before-read-docs", note_build_start)
    app.connect("doctree-read", check_provenance)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
