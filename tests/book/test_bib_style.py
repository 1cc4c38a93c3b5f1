"""docs/_ext/bib_style.py: citations and the bibliography read "Elman, 1990"."""

import pytest

pytestmark = pytest.mark.build


def test_citations_and_bibliography_use_author_year_labels(site):
    page = "# Page\n\nAs {cite:p}`elman1990` and {cite:p}`bengio1994` showed.\n\n"
    page += "```{bibliography}\n```\n"
    site.write({"page": page}, notebook=False)
    process = site.build()
    assert process.returncode == 0, site.log(process)
    html = site.html("page")
    assert "Elman, 1990" in html
    assert "Bengio et al., 1994" in html


def test_bibliography_entries_are_list_items(site):
    """docutils' role "doc-biblioentry" is deprecated and not allowed in a role="list"."""
    page = "# Page\n\nAs {cite:p}`elman1990` and {cite:p}`bengio1994` showed.\n\n"
    page += "```{bibliography}\n```\n"
    site.write({"page": page}, notebook=False)
    process = site.build()
    assert process.returncode == 0, site.log(process)
    html = site.html("page")
    assert "doc-biblioentry" not in html
    lists = html.split('<div role="list" class="citation-list">')
    assert len(lists) == 2, "one list of citations"
    entries = lists[1].count('<div class="citation" id=')
    items = lists[1].count('role="listitem"')
    assert entries == items == 2, lists[1][:500]
