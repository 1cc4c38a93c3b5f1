"""Every chapter ends with its exercises: 3 to 5 of them, each followed by a solution that the
build checks (docs/_ext/exercises.py), in a last section "Exercises" before the provenance cell.

The chapters are the entries of the table of contents in docs/index.md from "cell" up to the
reference pages ("api" and after), except the playground: an interactive page with no code cells,
whose "What to try" suggestions are computed and checked by tests/book/test_playground.py. A new
chapter fails here until it has its exercises (CONTRIBUTING.md, "Exercises").
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

from exercises import Directive, find_solutions, split_markdown  # noqa: E402

FIRST_CHAPTER, FIRST_REFERENCE_PAGE = "cell", "api"
NOT_CHAPTERS = {"playground", "notation"}  # notation: a reference table, no code


def table_of_contents() -> list[str]:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    bodies = re.findall(r"```\{toctree\}\n(.*?)```", index, re.S)  # one per part
    return [
        line.strip()
        for body in bodies
        for line in body.splitlines()
        if line.strip() and ":" not in line
    ]


def chapters() -> list[str]:
    entries = table_of_contents()
    first, last = entries.index(FIRST_CHAPTER), entries.index(FIRST_REFERENCE_PAGE)
    return [entry for entry in entries[first:last] if entry not in NOT_CHAPTERS]


def test_the_chapters_are_found():
    assert chapters()[:2] == ["cell", "unrolling"]
    assert "charlm" in chapters()


@pytest.mark.parametrize("chapter", chapters())
def test_the_chapter_ends_with_three_to_five_checked_exercises(chapter):
    notebook = jupytext.read(DOCS / f"{chapter}.md", fmt="md:myst")
    exercises, solutions, problems = find_solutions(notebook)
    assert problems == []
    assert 3 <= len(exercises) <= 5, f"{chapter}: {len(exercises)} exercises"
    labels = [exercise.options.get("label") for exercise in exercises]
    assert [solution.target for solution in solutions] == labels  # one each, in order
    assert all(label.startswith(f"ex-{chapter}-") for label in labels), labels

    # The exercises are the last section, and only the provenance cell follows them.
    headings = [
        line
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for piece in split_markdown(cell.source)
        if not isinstance(piece, Directive)
        for line in piece.splitlines()
        if line.startswith("## ")
    ]
    assert headings[-1] == "## Exercises", headings
    last = notebook.cells[-1]
    assert last.cell_type == "code"
    assert "provenance()" in last.source
    assert "remove-input" in last.metadata.get("tags", [])
