"""docs/_ext/page_provenance.py: every executed page ends with what computed it; the statistics
directive lists every execution."""

import pytest

pytestmark = pytest.mark.build

PROVENANCE = "from rnn_playground.provenance import provenance\n\nprovenance()"


def test_a_page_without_its_provenance_block_fails_the_build(site):
    site.write({"page": "# Page\n\n" + site.code_cell('print("no provenance")')})
    process = site.build("book_require_provenance=1")
    assert process.returncode != 0, site.log(process)
    assert "rnn_playground.provenance" in site.log(process)


def test_the_provenance_block_must_be_the_last_cell(site):
    cells = site.code_cell(PROVENANCE, tags=("remove-input",)) + "\n" + site.code_cell("1 + 1")
    site.write({"page": "# Page\n\n" + cells})
    process = site.build("book_require_provenance=1")
    assert process.returncode != 0, site.log(process)


def test_a_page_with_its_provenance_block_shows_it_collapsed(site):
    cells = site.code_cell("1 + 1") + "\n" + site.code_cell(PROVENANCE, tags=("remove-input",))
    site.write({"page": "# Page\n\n" + cells})
    process = site.build("book_require_provenance=1")
    assert process.returncode == 0, site.log(process)
    page = site.html("page")
    assert '<details class="book-provenance">' in page
    for fact in ("Python", "NumPy", "TensorFlow", "CPU", "oneDNN", "BLAS", "Executed"):
        assert f"<th>{fact}" in page
    assert "rnn_playground.provenance" not in page  # the input is hidden


def _table(html: str) -> str:
    """The statistics table of a page (the page's description and Open Graph tags in its head
    quote the article's first words too)."""
    return html[html.index("<table") : html.index("</table>")]


def test_the_statistics_table_tells_executed_cached_and_kept_pages_apart(site):
    pages = {
        "statistics": "# Statistics\n\n```{execution-statistics}\n```\n",
        "first": "# First\n\n" + site.code_cell('print("first")'),
        "second": "# Second\n\nProse.\n\n" + site.code_cell('print("second")'),
    }
    site.write(pages)
    (site.source / "statistics.md").write_text(pages["statistics"])  # plain Markdown
    built = site.build()
    assert built.returncode == 0, site.log(built)
    table = _table(site.html("statistics"))
    assert table.count("executed in this build") == 2

    second = site.source / "second.md"
    second.write_text(second.read_text().replace("Prose.", "Other prose."))
    again = site.build()
    assert again.returncode == 0, site.log(again)
    table = _table(site.html("statistics"))
    rows = table.split("<tr")
    assert any("first" in row and "kept from an earlier build" in row for row in rows), table
    assert any("second" in row and "execution cache" in row for row in rows), table
