"""``authoryear``: a pybtex style whose bibliography labels read as the text cites them.

With ``bibtex_default_style = "authoryear"`` and ``bibtex_reference_style = "label"``
(sphinxcontrib-bibtex), a citation shows "Elman, 1990" or "Bengio et al., 1994", and the
bibliography lists the entry under the same label.

The bibliography's entries are also marked up as items of a list: docutils writes each one as a
``div`` with the ARIA role ``doc-biblioentry`` inside a ``role="list"``, a role that is deprecated
and not allowed there, so screen readers get a list without items (axe-core:
``aria-required-children``, critical). Here each entry is a ``listitem``.
"""

from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.writers.html5 import HTML5Translator


class AuthorYearLabels(BaseLabelStyle):
    """Labels "Elman, 1990", "Bengio et al., 1994"; the same authors and year twice get a, b, ..."""

    def format_labels(self, sorted_entries):
        labels = []
        for entry in sorted_entries:
            names = [" ".join(p.last_names).strip("{}") for p in entry.persons.get("author", [])]
            if len(names) > 2:
                names = [f"{names[0]} et al."]
            labels.append(f"{' and '.join(names)}, {entry.fields.get('year', 'n.d.')}")
        suffixes = {label: iter("abcdefghij") for label in labels if labels.count(label) > 1}
        for label in labels:
            yield label + next(suffixes[label]) if label in suffixes else label


class AuthorYearStyle(PlainStyle):
    default_label_style = AuthorYearLabels


class CitationListItems(HTML5Translator):
    """Sphinx's HTML translator, with each citation a ``listitem`` of its ``role="list"``."""

    def visit_citation(self, node) -> None:
        if not isinstance(node.previous_sibling(), type(node)):
            self.body.append('<div role="list" class="citation-list">\n')
        self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def setup(app):
    # Registered here, when Sphinx loads the extension, not as a side effect of importing conf.py.
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
    # The theme (pydata-sphinx-theme) adds its own behaviour on top of the translator set here.
    app.set_translator("html", CitationListItems)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
