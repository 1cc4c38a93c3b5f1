"""The API reference cites equations by their numbers, linked, as the chapters do.

The package's docstrings name the equation a function implements by its label in double
backquotes, ``eq-gru-update`` (src/ is read in a terminal too, where a number would mean
nothing). On the API page each such name becomes Sphinx's ``:math:numref:`` reference, shown as
the equation's number in parentheses and linked to it: "(5.1)". A name in parentheses of its own,
"(``eq-gru-update``)", loses them (the reference brings its own); a group such as ``eq-bptt-*``
stays as written. A name that no page defines fails the build (``-n``: an unresolved reference).
"""

from __future__ import annotations

import re

NAME = r"``(eq-[a-z0-9]+(?:-[a-z0-9]+)*)``(?![`*])"
# "(``eq-a``)" and "(``eq-a``, ``eq-b``)": only names inside the parentheses
ALONE_IN_PARENTHESES = re.compile(rf"\((\s*{NAME}\s*(?:(?:,|and)\s*{NAME}\s*)*)\)")
SINGLE = re.compile(rf"(?<![`{{}}]){NAME}")


def _reference(match: re.Match) -> str:
    return f":math:numref:`{match.group(1)}`"


def number_equations(lines: list[str]) -> list[str]:
    """Docstring lines with every ``eq-...`` name as a numbered reference (a new list)."""
    text = "\n".join(lines)
    text = ALONE_IN_PARENTHESES.sub(lambda m: m.group(1).strip(), text)
    text = SINGLE.sub(_reference, text)
    return text.split("\n")


def process_docstring(app, what, name, obj, options, lines) -> None:
    lines[:] = number_equations(lines)


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.connect("autodoc-process-docstring", process_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
