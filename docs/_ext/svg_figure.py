"""``svg-figure``: an SVG drawn for the book, inlined in the page so it follows light and dark mode.

    ```{svg-figure} _static/figures/simple-rnn-cell.svg
    :alt: What the figure shows, for a reader who cannot see it.
    :name: fig-simple-rnn-cell

    The caption, a paragraph. Further paragraphs become the legend.
    ```

The SVG is inlined (not linked with ``<img>``), so its ``currentColor`` strokes and the theme's
CSS variables reach it. ``:alt:`` is required: it becomes the ``aria-label`` of the ``role="img"``
element.
"""

from __future__ import annotations

import html
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective


class SvgFigure(SphinxDirective):
    required_arguments = 1
    has_content = True
    option_spec = {  # noqa: RUF012 (docutils API)
        "alt": directives.unchanged_required,
        "name": directives.unchanged,
        "class": directives.class_option,
    }

    def run(self):
        if "alt" not in self.options:
            raise self.error("svg-figure needs an :alt: text describing the figure")
        relpath, abspath = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(relpath)
        svg = Path(abspath).read_text(encoding="utf-8")
        svg = svg[svg.index("<svg") :]  # drop an XML prolog or comment before the element
        alt = html.escape(self.options["alt"], quote=True)
        svg = svg.replace("<svg", f'<svg role="img" aria-label="{alt}"', 1)

        figure = nodes.figure(classes=["svg-figure", *self.options.get("class", [])])
        figure += nodes.raw("", svg, format="html")
        if self.content:
            parsed = nodes.Element()
            self.state.nested_parse(self.content, self.content_offset, parsed)
            first, *rest = parsed.children
            if not isinstance(first, nodes.paragraph):
                raise self.error("svg-figure: the caption must be a paragraph")
            figure += nodes.caption(first.rawsource, "", *first.children)
            if rest:
                figure += nodes.legend("", *rest)
        self.add_name(figure)
        return [figure]


def setup(app):
    app.add_directive("svg-figure", SvgFigure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
