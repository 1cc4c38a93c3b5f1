"""Sphinx settings of the rnn-playground book: settings only.

Built from the repository root with ``sphinx-build -c . docs _build/html`` (``make site``); paths
that Sphinx reads relative to the configuration directory are relative to this file. The book's own
machinery is in ``docs/_ext/``, one Sphinx extension per job, each owning its ``book_*`` settings:

=======================  =========================================================================
``execution_cache``      re-execute pages when ``src/``, the requirements or the numerical
                         environment (oneDNN, CPU) change; kernel environment variables
``tensorflow_notices``   TensorFlow's known start-up lines off the pages; any other stderr fails
``ipynb_download``       each page's executed notebook, with its outputs, in the download menu
``page_provenance``      every executed page ends with what computed it; ``execution-statistics``
``local_mathjax``        MathJax served from the site (copied from ``node_modules/``)
``svg_figure``           the ``svg-figure`` directive: inline SVG that follows light and dark mode
``bib_style``            the ``authoryear`` bibliography style; its entries as list items
``exercises``            sphinx-exercise with solutions in dropdowns that must assert their
                         answer; the exercises in the ``.ipynb`` download
``site_frame``           the page frame: one viewport tag, the home page's title, the search
                         snippets from the article text (``search_snippets.js``)
``api_equations``        the API reference's ``eq-...`` names as linked equation numbers
``colab_launch``         a Colab button and a first cell that installs the package in each
                         ``.ipynb``, when the repository is known
=======================  =========================================================================
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent / "docs" / "_ext"))

# -- project ------------------------------------------------------------------------------
project = "rnn-playground"
author = "the rnn-playground authors"
copyright = "2026, the rnn-playground authors"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",  # [source] links from the API reference (the playground links one)
    "sphinx_copybutton",
    "sphinxcontrib.bibtex",
    "notfound.extension",  # sphinx-notfound-page: 404.html
    "sphinxext.opengraph",  # description and Open Graph tags
    # this book's own, in docs/_ext/
    "execution_cache",
    "tensorflow_notices",
    "ipynb_download",
    "page_provenance",
    "local_mathjax",
    "svg_figure",
    "bib_style",
    "exercises",
    "site_frame",
    "api_equations",
    "colab_launch",
]
exclude_patterns = ["_build", "_ext", "jupyter_execute", "**.ipynb_checkpoints", "_static"]
numfig = True
# The package's property docstrings read "(shape), read-only: meaning"; napoleon makes the part
# before the colon a type, and Sphinx tries to link "read-only" as a class.
nitpick_ignore = [("py:class", "read-only")]
math_numfig = True
math_eqref_format = "({number})"
numfig_format = {"figure": "Figure %s", "table": "Table %s", "code-block": "Listing %s"}

# -- MyST and notebook execution ----------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

nb_execution_mode = "cache"  # jupyter-cache, in _build/.jupyter_cache (see execution_cache)
nb_execution_raise_on_error = True  # a failing cell fails the build ...
nb_execution_show_tb = True  # ... and the log shows its traceback
nb_execution_timeout = 600  # seconds per cell
# Every stderr output is rendered, and tensorflow_notices turns it into a warning (an error under
# -W) unless it is one of TensorFlow's known start-up lines: pages fix the cause of anything else,
# or tag the cell `remove-stderr` and say in the text what it hides.
nb_output_stderr = "show"
nb_merge_streams = True  # consecutive prints of a cell show as one block

# What the pages' outputs depend on besides their code: the package, the pinned requirements and
# the data the pages read (execution_cache wipes the cache when any of them changes).
# docs/matplotlibrc is the style of every figure (the kernels read it through MATPLOTLIBRC).
book_hashed_paths = [
    "src",
    "requirements.txt",
    "requirements-backends.txt",
    "data",
    "docs/matplotlibrc",
]
# The kernels inherit these (unless already set): quiet TensorFlow's later logs, fixed hashing,
# the book's figure style.
book_kernel_environment = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONHASHSEED": "0",
    "MATPLOTLIBRC": str(Path(__file__).resolve().parent / "docs" / "matplotlibrc"),
}

# -- exercises (sphinx-exercise, loaded by the exercises extension) ------------------------
# Each solution follows its exercise on the same page (a warning otherwise) and is titled
# "Solution": the default title links to the exercise, and a click on that link inside the
# dropdown's title fails in sphinx-togglebutton's click handler.
exercise_style = "solution_follow_exercise"

# -- API reference ------------------------------------------------------------------------
autodoc_typehints = "none"  # the docstrings give types and shapes in words
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_param = False
napoleon_use_rtype = False
napoleon_preprocess_types = False

# -- bibliography -------------------------------------------------------------------------
bibtex_bibfiles = ["docs/references.bib"]  # relative to this file
bibtex_default_style = "authoryear"  # bib_style: the list labelled as the text cites
bibtex_reference_style = "label"  # citations show the same labels as the list

# -- HTML ---------------------------------------------------------------------------------
# The publishing workflow sets RNN_PLAYGROUND_REPO_URL=https://github.com/OWNER/REPO; a local
# build leaves it unset and gets neither repository nor launch buttons (they would point nowhere).
# Binder opens the page's MyST source from the repository in JupyterLab (jupytext is in
# requirements.txt: "Open With > Notebook"). Colab opens only .ipynb files it can fetch from
# GitHub, and ours are build outputs: the publishing workflow pushes the executed notebooks to
# the branch book_colab_branch, and colab_launch points a Colab button there (see colab_launch).
REPO_URL = os.environ.get("RNN_PLAYGROUND_REPO_URL", "").strip().rstrip("/")
REPO_BRANCH = os.environ.get("RNN_PLAYGROUND_REPO_BRANCH", "main").strip() or "main"
# Where the book is published (Open Graph's og:url, the 404 page's links): by default GitHub
# Pages' address of the repository; RNN_PLAYGROUND_SITE_URL overrides it. A local build is
# served from the root of a local server.
SITE_URL = os.environ.get("RNN_PLAYGROUND_SITE_URL", "").strip()
if not SITE_URL and REPO_URL.startswith("https://github.com/"):
    _owner, _repo = REPO_URL.removeprefix("https://github.com/").split("/")[:2]
    SITE_URL = f"https://{_owner.lower()}.github.io/{_repo}/"
SITE_URL = SITE_URL.rstrip("/") + "/" if SITE_URL else ""

html_theme = "sphinx_book_theme"
html_title = "rnn-playground"
# The home page's tab and search-result title (site_frame uses it instead of "X — X").
book_home_title = "rnn-playground: Keras' SimpleRNN, GRU and LSTM from equations to NumPy"
html_static_path = ["docs/_static"]
html_favicon = "docs/_static/favicon.svg"
# Two of the theme's templates changed for screen readers, and layout.html (each file says why).
templates_path = ["docs/_templates"]
html_css_files = ["custom.css"]
# Tables that overflow the article become focusable, so that their scroll box is keyboard
# reachable (axe: scrollable-region-focusable).
html_js_files = [("scroll_regions.js", {"defer": "defer"})]
html_context = {"default_mode": "auto"}
html_last_updated_fmt = None
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "home_page_in_toc": True,
    # pydata-sphinx-theme 0.20 adds a header bar whenever navbar_persistent is not set, holding
    # a second search field and a second, hidden `.primary-toggle` before the article's own: its
    # script then wires the hidden one, and the menu button does nothing below 992 px
    # (pydata-sphinx-theme#2451; pynucastro#1427 removes the bar the same way). With the bar
    # gone, the article header's buttons are the first of their kind again.
    "navbar_persistent": [],
}
if REPO_URL:
    html_theme_options |= {
        "repository_url": REPO_URL,
        "repository_branch": REPO_BRANCH,
        "path_to_docs": "docs",
        "use_repository_button": True,
        "use_source_button": True,
        "use_issues_button": True,
        "launch_buttons": {
            "binderhub_url": "https://mybinder.org",
            "notebook_interface": "jupyterlab",
        },
    }
book_colab_branch = "notebooks"  # colab_launch: the branch the workflow pushes the .ipynb to
# The install cell of each .ipynb installs the package at the commit that built it (GitHub
# Actions sets GITHUB_SHA), else from the branch.
book_install_ref = os.environ.get("GITHUB_SHA", "").strip()
# The files the pages read besides the package; a notebook run outside a clone fetches them.
book_notebook_data = ["data/alice-chapters-1-3.txt"]

# -- description, Open Graph, 404 ---------------------------------------------------------
# sphinxext-opengraph: each page's description is the start of its text, also as
# <meta name="description">; no generated social cards (they would need matplotlib at build
# time and fonts; a link preview shows the title and description).
ogp_site_url = SITE_URL
ogp_site_name = "rnn-playground"
ogp_description_length = 200
ogp_enable_meta_description = True
ogp_social_cards = {"enable": False}
ogp_type = "article"
# sphinx-notfound-page: a 404.html whose links work from any missing address, so they are
# absolute: under the site's path on GitHub Pages (/REPO/), at the root of a local server.
notfound_urls_prefix = urlsplit(SITE_URL).path if SITE_URL else "/"
notfound_context = {
    "title": "Page not found",
    "body": (
        "<h1>Page not found</h1>\n<p>There is no page at this address. The book's chapters are "
        'listed in the menu and on the <a href="{root}index.html">home page</a>; the search '
        "finds a word on any of them.</p>"
    ).replace("{root}", urlsplit(SITE_URL).path if SITE_URL else "/"),
}

# MathJax from the site itself (local_mathjax copies it): mathjax_path is relative to _static/.
mathjax_path = "mathjax/tex-mml-chtml.js"
mathjax4_config = {"loader": {"paths": {"fonts": "[mathjax]/fonts"}}}
