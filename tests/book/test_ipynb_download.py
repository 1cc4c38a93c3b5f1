"""docs/_ext/ipynb_download.py: each page's .ipynb download carries the outputs the page shows."""

import pytest

pytestmark = pytest.mark.build

TWO_PRINTS = 'import time\nprint("first", flush=True)\ntime.sleep(0.5)\nprint("second")'


def test_the_download_is_offered_and_streams_are_merged_once(site):
    body = "# Page\n\n" + site.code_cell(
        'raise ValueError("on purpose")', tags=("raises-exception",)
    )
    # two prints far enough apart in time to arrive as two stream outputs
    body += "\n" + site.code_cell(TWO_PRINTS)
    site.write({"page": body})
    process = site.build()
    assert process.returncode == 0, site.log(process)
    assert 'href="_sources/page.ipynb"' in site.html("page")
    download = site.download("page")
    printed = "".join(output["text"] for output in site.outputs(download, "stream"))
    assert printed.split() == ["first", "second"]  # once each
    assert site.outputs(download, "error")[0]["evalue"] == "on purpose"


def test_the_download_keeps_its_outputs_after_a_prose_only_edit(site):
    """The page is then served from the execution cache; MyST-NB 1.4 wrote it without outputs."""
    body = "# Page\n\nSome prose.\n\n" + site.code_cell('print("computed")') + "\n"
    body += site.code_cell("6 * 7")
    site.write({"page": body})
    first = site.build()
    assert first.returncode == 0, site.log(first)
    assert site.outputs(site.download("page"), "stream")[0]["text"] == "computed\n"

    (site.source / "page.md").write_text(
        (site.source / "page.md").read_text().replace("Some prose.", "Some other prose.")
    )
    second = site.build()
    assert second.returncode == 0, site.log(second)
    assert "Using cached notebook" in site.log(second)
    assert "Some other prose." in site.html("page")
    download = site.download("page")
    assert site.outputs(download, "stream")[0]["text"] == "computed\n"
    assert site.outputs(download, "execute_result")[0]["data"]["text/plain"] == "42"
    assert any("Some other prose." in "".join(c["source"]) for c in download["cells"])


def test_a_page_without_code_cells_offers_no_notebook(site):
    site.write({"page": "# Page\n\nJust prose.\n"}, notebook=False)
    process = site.build()
    assert process.returncode == 0, site.log(process)
    assert "page.ipynb" not in site.html("page")
    assert not (site.out / "_sources" / "page.ipynb").exists()
