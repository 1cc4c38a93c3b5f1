"""Exercises that end a chapter, with solutions that the build executes and checks.

The directives are sphinx-exercise's; the dropdown that hides a solution until it is opened is
sphinx-togglebutton's (``:class: dropdown``). A solution holds code cells, so it is written with
the gated form (CONTRIBUTING.md, "Exercises")::

    ```{exercise} A short title
    :label: ex-<page>-<name>

    The question.
    ```

    ```{solution-start} ex-<page>-<name>
    :class: dropdown
    ```
    Prose, and code cells; the last one ends with an ``assert`` against Keras, TensorFlow or an
    independent computation.
    ```{solution-end}
    ```

What this extension adds:

* **Solutions that check themselves.** On every executed page, each solution must hold at least
  one code cell, the last statement of its last code cell must be an ``assert``, none of its cells
  may be tagged ``raises-exception`` (its failure would be published instead of failing the
  build), it must be a dropdown, and every exercise needs a ``:label:``. Anything else is a
  warning (an error under ``-W``). A wrong solution fails its ``assert``, and the build with it.
* **The exercises in the .ipynb download.** The notebook that ``ipynb_download`` writes would show
  the directives as raw MyST fences. Here they become what a notebook can show: a heading
  "Exercise N (title)" with the question, a "Solution" heading, and the solution's cells with
  their source and outputs collapsed (``jupyter.source_hidden`` and ``outputs_hidden``, which
  JupyterLab honours) and tagged ``solution``.
* **Numbered per chapter.** Sphinx numbers enumerable nodes through the whole book when the
  table of contents is not numbered (the figures read "Figure 10" on the fourth page); the
  exercises of each page are numbered from 1 instead (after Sphinx has assigned its numbers,
  at ``env-get-updated``), in the page, in its references and in its download. Figures keep the
  book's numbering.
* **No duplicate ids.** sphinx-exercise gives the body of every exercise and solution the same
  ``id`` ("exercise-content", "solution-content"); they are removed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from docutils import nodes
from myst_nb.core.read import create_nb_reader
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

DIRECTIVES = ("exercise", "exercise-start", "exercise-end", "solution", "solution-start")
DIRECTIVES += ("solution-end",)
# An opening fence of one of these directives: ```{exercise} Title, or :::{exercise} Title
OPENING = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z-]+)\}[ \t]*(?P<argument>.*?)\s*$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*?)\s*$")
SOLUTION_METADATA = {"source_hidden": True, "outputs_hidden": True}


@dataclass
class Directive:
    """One exercise or solution directive found in a markdown cell."""

    name: str
    argument: str
    options: dict[str, str]
    body: str  # the content between the fences (empty for the gated -start/-end forms)


@dataclass
class Solution:
    """A ``solution-start`` ... ``solution-end`` block and the cells between its fences."""

    target: str
    options: dict[str, str]
    code_cells: list = field(default_factory=list)


def split_markdown(source: str) -> list[str | Directive]:
    """The markdown ``source`` as text pieces and the exercise directives between them.

    A directive ends at the first closing fence of its own character and at least its length, as
    in CommonMark: a code block inside an exercise needs a longer outer fence, as MyST requires.
    """
    pieces: list[str | Directive] = []
    text: list[str] = []
    lines = source.splitlines()
    i = 0
    while i < len(lines):
        match = OPENING.match(lines[i])
        if match is None or match["name"] not in DIRECTIVES:
            text.append(lines[i])
            i += 1
            continue
        fence = match["fence"]
        closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        i += 1
        options = {}
        while i < len(lines) and (option := OPTION.match(lines[i])):
            options[option["key"]] = option["value"]
            i += 1
        body = []
        while i < len(lines) and not closing.match(lines[i]):
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        if "\n".join(text).strip():
            pieces.append("\n".join(text).strip("\n"))
        text = []
        pieces.append(Directive(match["name"], match["argument"], options, "\n".join(body).strip()))
    if "\n".join(text).strip():
        pieces.append("\n".join(text).strip("\n"))
    return pieces


def read_notebook(app, docname: str) -> nbformat.NotebookNode:
    """The page as MyST-NB reads it (no outputs)."""
    path = Path(app.env.doc2path(docname))
    text = path.read_text(encoding="utf-8")
    reader = create_nb_reader(str(path), app.env.myst_config, app.env.mystnb_config, text)
    return reader.read(text)


def find_solutions(notebook) -> tuple[list[Directive], list[Solution], list[str]]:
    """The exercises and the gated solutions of ``notebook``, and what is wrong with them."""
    exercises, solutions, problems = [], [], []
    current: Solution | None = None
    for cell in notebook.cells:
        if cell.cell_type == "code":
            if current is not None:
                current.code_cells.append(cell)
            continue
        if cell.cell_type != "markdown":
            continue
        for piece in split_markdown(cell.source):
            if not isinstance(piece, Directive):
                continue
            if piece.name in ("exercise", "exercise-start"):
                exercises.append(piece)
            elif piece.name == "solution":
                problems.append(
                    f"the solution to {piece.argument!r} is a plain {{solution}} directive, which "
                    "cannot hold code cells: use {solution-start} ... {solution-end} around "
                    "executed code that asserts its answer"
                )
            elif piece.name == "solution-start":
                current = Solution(piece.argument, piece.options)
                solutions.append(current)
            elif piece.name == "solution-end":
                current = None
    return exercises, solutions, problems


def solution_problems(solution: Solution) -> list[str]:
    """Why ``solution`` could publish a wrong answer, or be seen before it is opened."""
    name = f"the solution to {solution.target!r}"
    problems = []
    if "dropdown" not in solution.options.get("class", "").split():
        problems.append(f"{name} must be hidden until opened (`:class: dropdown`)")
    if not solution.code_cells:
        problems.append(f"{name} has no code cell: it must compute its answer and assert it")
        return problems
    for cell in solution.code_cells:
        if "raises-exception" in cell.metadata.get("tags", []):
            problems.append(
                f"{name} has a cell tagged raises-exception: a wrong solution would be published "
                "instead of failing the build"
            )
    last = solution.code_cells[-1].source
    try:
        statements = ast.parse(last).body
    except SyntaxError:
        statements = []
    if not statements or not isinstance(statements[-1], ast.Assert):
        problems.append(
            f"{name} must end with an `assert` (the last statement of its last code cell) "
            "against Keras, TensorFlow or an independent computation"
        )
    return problems


def _is_notebook_page(app, docname) -> bool:
    return "kernelspec" in app.env.metadata.get(docname, {})


def check_exercises(app, doctree) -> None:
    """Warn about exercises without a label and solutions that could publish a wrong answer."""
    docname = app.env.docname
    if not _is_notebook_page(app, docname):
        if any(node.get("type") == "solution" for node in doctree.findall(nodes.Admonition)):
            logger.warning(
                "solutions belong on executed pages (a notebook page), where they are checked",
                location=(docname, None),
                type="book",
                subtype="exercise",
            )
        return
    exercises, solutions, problems = find_solutions(read_notebook(app, docname))
    for exercise in exercises:
        if "label" not in exercise.options:
            problems.append(f"the exercise {exercise.argument!r} needs a :label:")
    for solution in solutions:
        problems += solution_problems(solution)
    for problem in problems:
        logger.warning(problem, location=(docname, None), type="book", subtype="exercise")


def number_per_page(app, env) -> list[str]:
    """Renumber each page's exercises 1, 2, ... in the order Sphinx numbered them.

    Returns those pages, to be written again: Sphinx compares its new numbers with the last
    build's, which were renumbered, and would otherwise miss a page whose exercises were
    numbered through the book before this extension renumbered them.
    """
    renumbered = []
    for docname, numbers in env.toc_fignumbers.items():
        exercises = numbers.get("exercise")
        if exercises:
            ordered = sorted(exercises, key=exercises.get)
            numbers["exercise"] = {label: (i,) for i, label in enumerate(ordered, start=1)}
            renumbered.append(docname)
    return renumbered


def exercise_numbers(app, docname) -> dict[str, str]:
    """Label -> the number the page shows ("1", "2", ...)."""
    numbers = app.env.toc_fignumbers.get(docname, {}).get("exercise", {})
    return {label: ".".join(map(str, number)) for label, number in numbers.items()}


def exercise_heading(directive: Directive, numbers) -> str:
    number = numbers.get(directive.options.get("label", ""), "")
    title = f"Exercise {number}".strip()
    if directive.argument:
        title += f" ({directive.argument})"
    return f"#### {title}"


def rewrite_for_download(app, docname, notebook) -> None:
    """Turn the exercise and solution directives of ``notebook`` into plain notebook cells."""
    numbers = exercise_numbers(app, docname)
    cells = []
    in_solution = False

    def markdown(source, hidden):
        cell = nbformat.v4.new_markdown_cell(source)
        if hidden:
            cell.metadata["jupyter"] = dict(SOLUTION_METADATA)
            cell.metadata["tags"] = ["solution"]
        cells.append(cell)

    for cell in notebook.cells:
        if cell.cell_type == "code":
            if in_solution:
                cell.metadata["jupyter"] = dict(SOLUTION_METADATA)
                cell.metadata["tags"] = [*cell.metadata.get("tags", []), "solution"]
            cells.append(cell)
            continue
        pieces = split_markdown(cell.source) if cell.cell_type == "markdown" else None
        if not pieces or not any(isinstance(p, Directive) for p in pieces):
            if in_solution and cell.cell_type == "markdown":
                cell.metadata["jupyter"] = dict(SOLUTION_METADATA)
                cell.metadata["tags"] = [*cell.metadata.get("tags", []), "solution"]
            cells.append(cell)
            continue
        text = []  # markdown gathered until the next cell boundary
        for piece in pieces:
            if isinstance(piece, str):
                text.append(piece)
                continue
            if piece.name in ("exercise", "exercise-start"):
                text.append(exercise_heading(piece, numbers))
                if piece.body:
                    text.append(piece.body)
            elif piece.name in ("exercise-end", "solution-end"):
                if text:
                    markdown("\n\n".join(text), in_solution)
                    text = []
                in_solution = False
            elif piece.name in ("solution", "solution-start"):
                if text:
                    markdown("\n\n".join(text), in_solution)
                    text = []
                markdown("#### Solution", False)
                in_solution = piece.name == "solution-start"
                if piece.body:
                    markdown(piece.body, True)
        if text:
            markdown("\n\n".join(text), in_solution)
    notebook.cells = cells


class RemoveDuplicateIds(SphinxPostTransform):
    """Drop the ids that sphinx-exercise gives the body of every exercise and solution."""

    default_priority = 30
    IDS = frozenset({"exercise-content", "solution-content"})

    def run(self, **kwargs) -> None:
        for section in self.document.findall(nodes.section):
            if self.IDS.intersection(section["ids"]):
                section["ids"] = [i for i in section["ids"] if i not in self.IDS]


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.setup_extension("sphinx_togglebutton")
    app.setup_extension("ipynb_download")
    app.connect("doctree-read", check_exercises)
    # after Sphinx's own numbering (TocTreeCollector, at the default priority 500)
    app.connect("env-get-updated", number_per_page, priority=900)
    app.connect("ipynb-download", rewrite_for_download)
    app.add_post_transform(RemoveDuplicateIds)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
