"""docs/_ext/site_frame.py, docs/_templates/layout.html and the frame settings of conf.py, on
throw-away sites: one header (no second search field, no second menu button), one viewport tag,
the home page's title, search snippets from the article, chapter numbers that run on across the
parts of the table of contents, a favicon, a 404 page, description and Open Graph tags, and the
figure style that the kernels read."""

import re
import textwrap
from pathlib import Path

import matplotlib
import pytest

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]


def test_one_header_one_viewport_and_the_home_title(site):
    site.write({"page": "# A page\n\nSome text.\n"}, notebook=False)
    process = site.build("book_home_title=Tiny: the whole title")
    assert process.returncode == 0, site.log(process)
    home, page = site.html("index"), site.html("page")
    for html in (home, page):
        assert html.count('name="viewport"') == 1
        # pydata-sphinx-theme's header bar (pydata-sphinx-theme#2451, pynucastro#1427) is gone:
        # one menu button (the article header's) and one search field (the sidebar's)
        assert html.count("primary-toggle") == 1
        assert html.count("search-button-field") == 1
        assert '<header class="bd-header' not in html or "bd-header__inner" not in html
        assert 'rel="icon" href="_static/favicon.svg"' in html
    assert "<title>Tiny: the whole title</title>" in home
    assert re.search(r"<title>A page &#8212; rnn-playground</title>", page)


def test_description_and_open_graph_tags(site):
    site.write({"page": "# A page\n\nThe first words of the article, and more.\n"}, notebook=False)
    process = site.build(env={"RNN_PLAYGROUND_SITE_URL": "https://example.org/book/"})
    assert process.returncode == 0, site.log(process)
    page = site.html("page")
    assert '<meta name="description" content="The first words of the article' in page
    assert '<meta property="og:description" content="The first words' in page
    assert '<meta property="og:url" content="https://example.org/book/page.html"' in page
    assert '<meta property="og:title" content="A page"' in page


def test_the_404_page_links_from_the_site_root(site):
    site.write({"page": "# A page\n"}, notebook=False)
    process = site.build(env={"RNN_PLAYGROUND_SITE_URL": "https://example.org/book/"})
    assert process.returncode == 0, site.log(process)
    missing = (site.out / "404.html").read_text()
    assert "Page not found" in missing
    assert 'href="/book/index.html"' in missing
    assert 'href="/book/_static/' in missing  # its styles load from any missing address


def test_search_snippets_come_from_the_article(site):
    site.write({"page": "# A page\n"}, notebook=False)
    process = site.build()
    assert process.returncode == 0, site.log(process)
    search = site.html("search")
    snippets = search.index('src="_static/search_snippets.js')
    assert 'defer="defer"' in search[snippets - 40 : snippets + 80]
    assert "search_snippets.js" not in site.html("page")
    assert (site.out / "_static" / "search_snippets.js").is_file()


INDEX = """\
# Book

```{toctree}
:caption: Part one
:numbered:

one
two
```

```{toctree}
:caption: Part two
:numbered:

three
```
"""

CHAPTER = """\
# Chapter {name}

## A section

```{{math}}
:label: eq-{name}

x = 1
```

See {{eq}}`eq-{name}`.
"""


def test_chapter_numbers_run_on_across_the_parts(site):
    site.source.mkdir(parents=True)
    (site.source / "index.md").write_text(INDEX)
    for name in ("one", "two", "three"):
        (site.source / f"{name}.md").write_text(CHAPTER.format(name=name))
    process = site.build()
    assert process.returncode == 0, site.log(process)
    three = site.html("three")
    # Sphinx alone would number part two's chapter 1 again
    assert '<span class="section-number">3. </span>Chapter three' in three
    assert '<span class="section-number">3.1. </span>A section' in three
    assert "(3.1)" in three  # the equation number follows the chapter's
    assert "(2.1)" in site.html("two")
    sidebar = site.html("index")
    assert "3. Chapter three" in sidebar
    assert "Part two" in sidebar


FIGURE_STYLE = """\
import matplotlib
print(matplotlib.matplotlib_fname())
print(matplotlib.rcParams["font.size"])
print([style["linestyle"] for style in matplotlib.rcParams["axes.prop_cycle"]][:3])
"""


def test_the_kernels_read_the_books_figure_style(site):
    site.write({"page": "# Page\n\n" + site.code_cell(FIGURE_STYLE)})
    process = site.build()
    assert process.returncode == 0, site.log(process)
    rc = ROOT / "docs" / "matplotlibrc"
    expected = matplotlib.rc_params_from_file(str(rc), use_default_template=False)
    printed = site.outputs(site.download("page"), "stream")[0]["text"].splitlines()
    assert printed[0] == str(rc)
    assert float(printed[1]) == expected["font.size"] != matplotlib.rcParamsDefault["font.size"]
    assert printed[2] == "['-', '--', ':']"  # curves differ in line style, not only colour


def test_the_figure_style_is_an_input_of_the_execution_cache():
    conf = textwrap.dedent((ROOT / "conf.py").read_text())
    namespace = {"__file__": str(ROOT / "conf.py")}
    exec(compile(conf, "conf.py", "exec"), namespace)
    assert "docs/matplotlibrc" in namespace["book_hashed_paths"]
    rc = Path(namespace["book_kernel_environment"]["MATPLOTLIBRC"])
    assert rc == ROOT / "docs" / "matplotlibrc"
    assert rc.is_file()
