"""docs/_ext/local_mathjax.py: MathJax is served from the site, never from another host."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.build
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    not (ROOT / "node_modules" / "mathjax").exists(),
    reason="MathJax is not installed: `npm ci` (make site runs it)",
)
def test_mathjax_is_served_from_the_site(site):
    site.write({"page": "# Page\n\n$$a^{\\langle t \\rangle} = 1$$\n"}, notebook=False)
    process = site.build("book_mathjax=1")
    assert process.returncode == 0, site.log(process)
    mathjax = site.out / "_static" / "mathjax"
    assert (mathjax / "tex-mml-chtml.js").exists()
    assert (mathjax / "fonts" / "mathjax-newcm-font" / "chtml.js").exists()
    page = site.html("page")
    assert 'src="_static/mathjax/tex-mml-chtml.js' in page
    assert "cdn.jsdelivr.net" not in page


def test_a_missing_mathjax_install_says_how_to_get_it(site, tmp_path):
    site.write({"page": "# Page\n"}, notebook=False)
    process = site.build(f"book_node_modules={tmp_path / 'no_node_modules'}", "book_mathjax=1")
    assert process.returncode != 0
    assert "npm ci" in site.log(process)
