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
=======================  =========================================================================
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "docs" / "_ext"))

# -- project ------------------------------------------------------------------------------
project = "rnn-playground"
author = "the rnn-playground authors"
copyright = "2026, the rnn-playground authors"
html_title = "rnn-playground"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",  # [source] links from the API reference (the playground links one)
    "sphinx_copybutton",
    "sphinxcontrib.bibtex",
    # this book's own, in docs/_ext/
    "execution_cache",
    "tensorflow_notices",
    "ipynb_download",
    "page_provenance",
    "local_mathjax",
    "svg_figure",
    "bib_style",
    "exercises",
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
book_hashed_paths = ["src", "requirements.txt", "data"]
# The kernels inherit these (unless already set): quiet TensorFlow's later logs, fixed hashing.
book_kernel_environment = {"TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONHASHSEED": "0"}

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
# The launch button is Binder's, which opens the page's MyST source from the repository in
# JupyterLab (jupytext is in requirements.txt: "Open With > Notebook"). There is no Colab
# button: Colab opens only .ipynb files stored on GitHub, and ours are build outputs that are
# never committed; the download button offers each page's executed .ipynb instead.
REPO_URL = os.environ.get("RNN_PLAYGROUND_REPO_URL", "").strip().rstrip("/")
REPO_BRANCH = os.environ.get("RNN_PLAYGROUND_REPO_BRANCH", "main").strip() or "main"

html_theme = "sphinx_book_theme"
html_static_path = ["docs/_static"]
# Two of the theme's templates, changed for screen readers (each file says why).
templates_path = ["docs/_templates"]
html_css_files = ["custom.css"]
html_context = {"default_mode": "auto"}
html_last_updated_fmt = None
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "home_page_in_toc": True,
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

# MathJax from the site itself (local_mathjax copies it): mathjax_path is relative to _static/.
mathjax_path = "mathjax/tex-mml-chtml.js"
mathjax4_config = {"loader": {"paths": {"fonts": "[mathjax]/fonts"}}}
