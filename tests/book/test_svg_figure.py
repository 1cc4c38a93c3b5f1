"""docs/_ext/svg_figure.py: an SVG written into the page, with alt text and a caption."""

import pytest

pytestmark = pytest.mark.build

SVG = '<?xml version="1.0"?>\n<svg viewBox="0 0 10 10"><path stroke="currentColor" d="M0 0L9 9"/>'
SVG += "</svg>\n"
FIGURE = """\
# Page

```{svg-figure} line.svg
:alt: A diagonal line.
:name: fig-line

A line, {numref}`fig-line`.
```
"""


def test_the_svg_is_inlined_with_its_alt_text_and_caption(site):
    site.write({"page": FIGURE}, notebook=False)
    (site.source / "line.svg").write_text(SVG)
    process = site.build()
    assert process.returncode == 0, site.log(process)
    page = site.html("page")
    assert '<svg role="img" aria-label="A diagonal line." viewBox="0 0 10 10">' in page
    assert 'stroke="currentColor"' in page
    assert "<?xml" not in page
    assert "<figcaption>" in page
    assert "A line, " in page
    assert ">Figure 1<" in page  # the figure is numbered and the reference resolves


def test_an_svg_figure_without_alt_text_fails_the_build(site):
    site.write({"page": "# Page\n\n```{svg-figure} line.svg\n\nA line.\n```\n"}, notebook=False)
    (site.source / "line.svg").write_text(SVG)
    process = site.build()
    assert process.returncode != 0, site.log(process)
    assert "svg-figure needs an :alt: text" in site.log(process)
