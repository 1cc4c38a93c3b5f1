"""Sphinx configuration of the rnn-playground book.

Built from the repository root with ``sphinx-build -c . docs _build/html`` (``make site``).
Paths below that Sphinx reads relative to the configuration directory (static files,
MathJax, the hashed execution inputs) are relative to this file; the pages are in ``docs/``.

Three things here are this project's own, each in a ``book_*`` setting so that the build
tests can point them elsewhere with ``-D``:

* ``book_hashed_paths``: the execution cache is wiped whenever these files change.
  MyST-NB keys its cache on the code of the cells only; without this, an edit in ``src/``
  would leave every page showing the outputs of the old package.
* ``book_mathjax``: MathJax is served from the site itself (copied from ``node_modules/``,
  installed by ``npm ci`` from ``package-lock.json``), so no page asks another host for anything.
* ``svg-figure``: a directive that inlines an SVG file into the page, with a caption and
  alt text, so that its ``currentColor`` strokes follow the light or dark theme.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parent
logger = logging.getLogger("rnn_playground.conf")

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
    "sphinx_copybutton",
    "sphinxcontrib.bibtex",
]
exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints", "_static"]
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

nb_execution_mode = "cache"  # the cache lives in _build/.jupyter_cache (next to the html)
nb_execution_raise_on_error = True  # a failing cell fails the build ...
nb_execution_show_tb = True  # ... and the log shows its traceback
nb_execution_timeout = 600  # seconds per cell
# Anything a page writes to stderr (a warning, a deprecation) is a build warning, so an error
# under -W: pages fix the cause, or tag a cell `remove-stderr` and say in the text what it hides.
nb_output_stderr = "warn"
nb_merge_streams = True  # consecutive prints of a cell show as one block

# The kernels inherit this process's environment: quiet TensorFlow, fixed hashing.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("PYTHONHASHSEED", "0")

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
bibtex_default_style = "authoryear"  # registered below: the list labelled as the text cites
bibtex_reference_style = "label"  # citations show the same labels as the list


class AuthorYearLabels(BaseLabelStyle):
    """Bibliography labels "Elman, 1990", "Bengio et al., 1994", as the citations read."""

    def format_labels(self, sorted_entries):
        labels = []
        for entry in sorted_entries:
            names = [" ".join(p.last_names).strip("{}") for p in entry.persons.get("author", [])]
            if len(names) > 2:
                names = [f"{names[0]} et al."]
            labels.append(f"{' and '.join(names)}, {entry.fields.get('year', 'n.d.')}")
        # the same authors and year twice: 2026a, 2026b
        suffixes = {label: iter("abcdefghij") for label in labels if labels.count(label) > 1}
        for label in labels:
            yield label + next(suffixes[label]) if label in suffixes else label


class AuthorYearStyle(PlainStyle):
    default_label_style = AuthorYearLabels


register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)

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

# MathJax from the site itself: mathjax_path is relative to _static/.
mathjax_path = "mathjax/tex-mml-chtml.js"
mathjax4_config = {"loader": {"paths": {"fonts": "[mathjax]/fonts"}}}

# -- this book's own settings (see the module docstring) ----------------------------------
book_hashed_paths = ["src", "requirements.txt"]
book_mathjax = True
book_node_modules = "node_modules"

# What the browser needs from the npm packages (about 6.5 MB of 70 MB), relative to
# node_modules/mathjax, and where the font goes (loader path "[mathjax]/fonts").
MATHJAX_FILES = [
    "LICENSE",
    "tex-mml-chtml.js",
    "input",
    "output",
    "a11y",
    "ui",
    "adaptors",
    "sre/speech-worker.js",
    "sre/mathmaps/base.json",
    "sre/mathmaps/en.json",
    "sre/mathmaps/nemeth.json",
]
MATHJAX_FONT = "@mathjax/mathjax-newcm-font"
MATHJAX_FONT_FILES = ["chtml.js", "chtml"]
NPM_HINT = (
    "run `npm ci` in the repository root (`make site` does it for you; it needs Node.js "
    "and npm, for example `apt-get install npm` or https://nodejs.org)"
)


def _from_conf_dir(path: str | os.PathLike) -> Path:
    """A configured path, relative to the directory of this file unless absolute."""
    return (ROOT / path).resolve()


def hash_execution_inputs(paths) -> str:
    """SHA-256 over the names and bytes of every file under ``paths`` (caches excluded)."""
    digest = hashlib.sha256()
    for path in (_from_conf_dir(p) for p in paths):
        if not path.exists():
            raise ConfigError(f"book_hashed_paths: {path} does not exist")
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            parts = file.relative_to(path.parent).parts
            if not file.is_file() or file.suffix == ".pyc":
                continue
            if any(p == "__pycache__" or p.endswith(".egg-info") for p in parts):
                continue
            digest.update("/".join(parts).encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def invalidate_stale_cache(app, config) -> None:
    """Wipe the jupyter cache when the package or the pinned requirements changed.

    The hash is also stored as the config value ``book_execution_inputs`` (rebuild "env"),
    so Sphinx re-reads, and MyST-NB re-executes, every page after such a change instead of
    keeping the old pages from its saved environment.
    """
    inputs_hash = hash_execution_inputs(config.book_hashed_paths)
    config.book_execution_inputs = inputs_hash
    cache_dir = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    stamp = cache_dir.parent / (cache_dir.name + ".inputs-sha256")
    previous = stamp.read_text().strip() if stamp.exists() else None
    if previous != inputs_hash:
        if cache_dir.exists():
            logger.info("execution inputs changed: wiping the notebook cache %s", cache_dir)
            shutil.rmtree(cache_dir)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(inputs_hash + "\n")


def check_mathjax(app, config) -> None:
    if config.book_mathjax and not (_node_modules(config) / "mathjax" / MATHJAX_FILES[1]).exists():
        raise ConfigError(f"MathJax is not installed in {_node_modules(config)}: {NPM_HINT}")


def _node_modules(config) -> Path:
    return _from_conf_dir(config.book_node_modules)


def copy_mathjax(app, exception) -> None:
    """Copy the MathJax files the pages load into _static/mathjax of the built site."""
    if exception is not None or app.builder.format != "html" or not app.config.book_mathjax:
        return
    source = _node_modules(app.config)
    target = Path(app.outdir) / "_static" / "mathjax"
    jobs = [(source / "mathjax" / name, target / name) for name in MATHJAX_FILES]
    font_target = target / "fonts" / MATHJAX_FONT.split("/")[-1]
    jobs += [(source / MATHJAX_FONT / name, font_target / name) for name in MATHJAX_FONT_FILES]
    for src, dst in jobs:
        if not src.exists():
            raise ConfigError(f"MathJax file {src} is missing: {NPM_HINT}")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)


def offer_ipynb_download(app, pagename, templatename, context, doctree) -> None:
    """Offer each notebook page's executed .ipynb in the theme's download menu.

    sphinx-book-theme shows an ``.ipynb`` download when ``ipynb_source`` is set, which it only
    does by itself when launch buttons are configured. Runs before the theme builds its
    buttons (priority 501); ``write_ipynb_downloads`` writes the files at the end.
    """
    if doctree is None or "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    if _executed_notebook(app, pagename).exists():
        context["ipynb_source"] = f"{pagename}.ipynb"


def _executed_notebook(app, pagename) -> Path:
    return Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"


def write_ipynb_downloads(app, exception) -> None:
    """Copy MyST-NB's executed notebooks to ``_sources/<page>.ipynb``, streams merged once.

    MyST-NB 1.4 merges a cell's consecutive stream outputs for the HTML by appending the later
    ones to the first one in place, and then writes the notebook with the merged first output
    *and* the later ones still there: the written .ipynb repeats every line printed after the
    first chunk. Keeping only the first stream of each name gives what the page shows.
    """
    if exception is not None or app.builder.format != "html":
        return
    import nbformat

    for pagename in app.env.found_docs:
        executed = _executed_notebook(app, pagename)
        if not executed.exists():
            continue
        notebook = nbformat.read(executed, as_version=4)
        if app.config.nb_merge_streams:
            for cell in notebook.cells:
                seen = set()
                outputs = []
                for output in cell.get("outputs", []):
                    if output.output_type == "stream":
                        if output.name in seen:
                            continue
                        seen.add(output.name)
                    outputs.append(output)
                if "outputs" in cell:
                    cell.outputs = outputs
        target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)


class SvgFigure(SphinxDirective):
    """``{svg-figure} path/to/figure.svg`` with ``:alt:``, optional ``:name:``, and a caption.

    The SVG is written into the page (not linked with <img>), so ``currentColor`` and the
    theme's CSS variables reach it and it follows light and dark mode.
    """

    required_arguments = 1
    has_content = True
    option_spec = {  # noqa: RUF012 (docutils API)
        "alt": directives.unchanged_required,
        "name": directives.unchanged,
        "class": directives.class_option,
    }

    def run(self):
        if "alt" not in self.options:
            raise self.error("svg-figure needs an :alt: text describing the figure")
        relpath, abspath = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(relpath)
        svg = Path(abspath).read_text(encoding="utf-8")
        svg = svg[svg.index("<svg") :]  # drop an XML prolog or comment before the element
        alt = html.escape(self.options["alt"], quote=True)
        svg = svg.replace("<svg", f'<svg role="img" aria-label="{alt}"', 1)

        figure = nodes.figure(classes=["svg-figure", *self.options.get("class", [])])
        figure += nodes.raw("", svg, format="html")
        if self.content:
            parsed = nodes.Element()
            self.state.nested_parse(self.content, self.content_offset, parsed)
            first, *rest = parsed.children
            if not isinstance(first, nodes.paragraph):
                raise self.error("svg-figure: the caption must be a paragraph")
            figure += nodes.caption(first.rawsource, "", *first.children)
            if rest:
                figure += nodes.legend("", *rest)
        self.add_name(figure)
        return [figure]


def setup(app):
    app.add_config_value("book_hashed_paths", book_hashed_paths, "env", types=frozenset({list}))
    app.add_config_value("book_execution_inputs", "", "env", types=frozenset({str}))
    app.add_config_value("book_mathjax", book_mathjax, "html", types=frozenset({bool}))
    app.add_config_value("book_node_modules", book_node_modules, "html", types=frozenset({str}))
    app.add_directive("svg-figure", SvgFigure)
    app.connect("config-inited", invalidate_stale_cache)
    app.connect("config-inited", check_mathjax)
    app.connect("html-page-context", offer_ipynb_download, priority=400)
    app.connect("build-finished", write_ipynb_downloads)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
