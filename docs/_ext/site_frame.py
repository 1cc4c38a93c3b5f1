"""The page frame around the book's text: what the theme pair gets wrong, put right here.

* **One viewport tag.** Sphinx's basic layout writes ``<meta name="viewport">``, docutils' HTML
  writer adds another to ``metatags``, and pydata-sphinx-theme a third in ``extrahead``. The one of
  ``metatags`` is removed here, pydata's by ``docs/_templates/layout.html``.
* **The home page's title.** Sphinx titles every page "<page> — <html_title>"; the home page,
  whose heading is the book's name, became "rnn-playground — rnn-playground". It gets
  ``book_home_title`` alone.
* **Search snippets from the article.** Sphinx's search (``searchtools.js``) shows a snippet of
  each result from the text of ``[role="main"]``, which in pydata-sphinx-theme holds the article
  header too (the mode switcher's "System Settings Light Dark", the download menu), and the TeX
  source of every formula. ``search_snippets.js`` replaces ``Search.htmlToText`` on the search
  page: the text of ``article.bd-article`` without those, formulas as "…".
"""

from __future__ import annotations

import re

from sphinx.util import logging

logger = logging.getLogger(__name__)

# docutils' html5 writer: '<meta name="viewport" content="width=device-width, initial-scale=1" />'
VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>\s*')


# MyST-NB's "Show code" toggle of a hide-input cell: <summary aria-label="Toggle hidden content">
# whose visible text is "Show code cell source"; a name without the visible text breaks WCAG 2.5.3
# (axe: label-content-name-mismatch). Without the label, the name is the visible text.
TOGGLE_LABEL = re.compile(r'<summary aria-label="Toggle hidden content">')


def frame_page(app, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = TOGGLE_LABEL.sub("<summary>", context["body"])
    if "metatags" in context:
        context["metatags"] = VIEWPORT.sub("", context["metatags"])
    if pagename == app.config.root_doc and app.config.book_home_title:
        context["book_tab_title"] = app.config.book_home_title  # layout.html: no suffix
    if pagename == "search":
        # deferred: it runs after searchtools.js, which the theme loads later in <head>
        app.add_js_file("search_snippets.js", loading_method="defer")


def _number_sections_continuously() -> None:
    """Shift the numbers right after Sphinx assigns them (figure numbers are assigned next)."""
    from sphinx.environment.collectors.toctree import TocTreeCollector

    original = TocTreeCollector.assign_section_numbers
    if getattr(original, "book_continuous", False):
        return

    def assign_section_numbers(self, env):
        return original(self, env) + continue_numbering(env)

    assign_section_numbers.book_continuous = True
    TocTreeCollector.assign_section_numbers = assign_section_numbers


def setup(app):
    app.add_config_value("book_home_title", "", "html", types=frozenset({str}))
    app.connect("html-page-context", frame_page)
    _number_sections_continuously()
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# -- continuous chapter numbers across the parts of the table of contents ------------------
# The home page has one captioned, numbered toctree per part; Sphinx numbers each toctree from 1
# ("every numbered toctree gets new numbering", TocTreeCollector.assign_section_numbers). Its
# numbers are shifted here so that they run on: part two starts after the last chapter of part
# one, and so do the equation and figure numbers that derive from them.
def _shift(number, offset):
    return number if not number else [number[0] + offset, *number[1:]]


def continue_numbering(env) -> list[str]:
    root = env.config.root_doc
    if root not in env.numbered_toctrees:
        return []
    from sphinx import addnodes

    changed = []
    offset = 0
    for toctree in env.get_doctree(root).findall(addnodes.toctree):
        if not toctree.get("numbered"):
            continue
        chapters = [ref for _, ref in toctree["entries"] if ref in env.toc_secnumbers]
        for ref in chapters:
            if offset:
                secnums = env.toc_secnumbers[ref]
                for anchor, number in secnums.items():
                    secnums[anchor] = tuple(_shift(number, offset))
                for reference in env.tocs[ref].findall(lambda n: "secnumber" in n):
                    reference["secnumber"] = _shift(reference["secnumber"], offset)
                title = env.titles.get(ref)
                if title is not None and title.get("secnumber"):
                    title["secnumber"] = _shift(title["secnumber"], offset)
                changed.append(ref)
        offset += len(chapters)
    return changed
