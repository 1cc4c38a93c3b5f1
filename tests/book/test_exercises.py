"""docs/_ext/exercises.py: exercises whose solutions are executed and must assert their answer.

Throw-away pages built as ``make site`` builds the book: a wrong solution fails the build, so
does a solution that cannot fail (no ``assert`` at its end, a cell allowed to raise) or that is
not hidden until opened; the page numbers the exercises and hides each solution in a dropdown;
the ``.ipynb`` download carries the exercises and the solutions, collapsed.
"""

import re
import textwrap
from collections import Counter

import pytest

pytestmark = pytest.mark.build


def exercise_page(site, solution_code: str, *, tags=(), solution_class="dropdown") -> str:
    """A page with one computed value, two exercises, and a solution (``solution_code``) to the
    first; the second's solution is right."""
    options = f":class: {solution_class}\n" if solution_class else ""
    return (
        "# Page\n\n"
        + site.code_cell("x = 21")
        + textwrap.dedent(
            """
            ## Exercises

            ```{exercise} Double it
            :label: ex-page-double

            What is $2x$?
            ```

            ```{solution-start} ex-page-double
            """
        )
        + options
        + "```\n\nMultiply, and check against an independent computation:\n\n"
        + site.code_cell(solution_code, tags=tags)
        + textwrap.dedent(
            """
            ```{solution-end}
            ```

            ```{exercise} Halve it
            :label: ex-page-halve

            What is $x / 2$?
            ```

            ```{solution-start} ex-page-halve
            :class: dropdown
            ```
            """
        )
        + site.code_cell("half = x / 2\nprint(half)\nassert half == 10.5")
        + "\n```{solution-end}\n```\n"
    )


RIGHT = "answer = 2 * x\nprint(answer)\nassert answer == x + x"


def test_right_solutions_build_numbered_and_in_dropdowns(site):
    site.write({"page": exercise_page(site, RIGHT)})
    process = site.build()
    assert process.returncode == 0, site.log(process)
    page = site.html("page")
    assert "Exercise 1 </span> (Double it)" in page
    assert "Exercise 2 </span> (Halve it)" in page
    solutions = re.findall(r'<div class="([^"]*)" id="[^"]*solution[^"]*">', page)
    assert len(solutions) == 2
    assert all({"solution", "dropdown", "admonition"} <= set(c.split()) for c in solutions)
    assert "togglebutton.js" in page  # what hides the dropdowns until they are opened
    ids = Counter(re.findall(r'\bid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []


def test_a_wrong_solution_fails_the_build(site):
    wrong = "answer = 2 * x + 1  # wrong on purpose\nassert answer == x + x"
    site.write({"page": exercise_page(site, wrong)})
    process = site.build()
    assert process.returncode != 0, site.log(process)
    assert "AssertionError" in site.log(process)


@pytest.mark.parametrize(
    ("code", "tags", "solution_class", "message"),
    [
        ("answer = 2 * x\nprint(answer)", (), "dropdown", "must end with an `assert`"),
        ("assert 2 * x == 42\nprint('checked')", (), "dropdown", "must end with an `assert`"),
        (RIGHT, ("raises-exception",), "dropdown", "tagged raises-exception"),
        (RIGHT, (), None, "hidden until opened"),
    ],
    ids=["no-assert", "assert-not-last", "raises-exception", "not-a-dropdown"],
)
def test_a_solution_that_could_publish_a_wrong_answer_fails_the_build(
    site, code, tags, solution_class, message
):
    site.write({"page": exercise_page(site, code, tags=tags, solution_class=solution_class)})
    process = site.build()
    assert process.returncode != 0, site.log(process)
    assert message in site.log(process)


def test_a_solution_without_code_fails_the_build(site):
    body = (
        "# Page\n\n"
        + site.code_cell("x = 21")
        + textwrap.dedent(
            """
        ```{exercise} Double it
        :label: ex-page-double

        What is $2x$?
        ```

        ```{solution} ex-page-double
        :class: dropdown

        It is 42.
        ```
        """
        )
    )
    site.write({"page": body})
    process = site.build()
    assert process.returncode != 0, site.log(process)
    assert "cannot hold code cells" in site.log(process)


def test_the_download_has_the_exercises_and_collapsed_solutions(site):
    site.write({"page": exercise_page(site, RIGHT)})
    process = site.build()
    assert process.returncode == 0, site.log(process)
    cells = site.download("page")["cells"]
    sources = ["".join(cell["source"]) for cell in cells]
    everything = "\n".join(sources)
    assert "{exercise}" not in everything  # no raw MyST fences
    assert "{solution" not in everything
    first = sources.index(next(s for s in sources if "#### Exercise 1 (Double it)" in s))
    assert "What is $2x$?" in sources[first]
    assert sources[first + 1] == "#### Solution"
    assert "solution" not in cells[first + 1]["metadata"].get("tags", [])  # the heading shows
    solution = [c for c in cells if "solution" in c["metadata"].get("tags", [])]
    assert [c["cell_type"] for c in solution] == ["markdown", "code", "code"]
    assert "Multiply, and check" in "".join(solution[0]["source"])
    for cell in solution:
        assert cell["metadata"]["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    outputs = [o["text"] for c in solution[1:] for o in c["outputs"] if o.get("name") == "stdout"]
    assert outputs == ["42\n", "10.5\n"]  # the solutions were executed, and kept their outputs
    assert any("#### Exercise 2 (Halve it)" in s for s in sources)
    assert sources.count("#### Solution") == 2


def test_exercises_are_numbered_per_page_and_figures_through_the_book(site):
    figure = "```{figure} dot.svg\n:name: fig-PAGE\n\nA dot.\n```\n"
    pages = {name: exercise_page(site, RIGHT).replace("ex-page-", f"ex-{name}-") for name in "ab"}
    pages = {name: body + "\n" + figure.replace("PAGE", name) for name, body in pages.items()}
    pages["b"] += "\nSee {numref}`ex-b-halve`.\n"
    site.write(pages)
    (site.source / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    process = site.build()
    assert process.returncode == 0, site.log(process)
    second = site.html("b")
    assert "Exercise 1 </span> (Double it)" in second
    assert "Exercise 2 </span> (Halve it)" in second
    assert ">Exercise 2</span></a>" in second  # the reference says what the page shows
    assert ">Figure 2 </span>" in second  # figures keep the book's numbering
    headings = ["".join(c["source"]) for c in site.download("b")["cells"]]
    assert any("#### Exercise 2 (Halve it)" in h for h in headings)
