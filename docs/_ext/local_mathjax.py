"""MathJax served from the site itself, so that no page asks another host for anything.

The files come from ``node_modules/`` (``npm ci`` installs the versions pinned in
``package-lock.json``; ``make site`` runs it). At the end of an HTML build the files the pages
load (about 6.5 MB of the packages' 70 MB) are copied into ``_static/mathjax/``. Set in conf.py
alongside: ``mathjax_path = "mathjax/tex-mml-chtml.js"`` and
``mathjax4_config = {"loader": {"paths": {"fonts": "[mathjax]/fonts"}}}`` (else the fonts come
from a CDN).

Config values: ``book_mathjax`` (bool, default True: check and copy), ``book_node_modules``
(default ``node_modules``, relative to the configuration directory).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.errors import ConfigError

# What the browser needs, relative to node_modules/mathjax. input/tex/extensions/ is copied whole:
# \boldsymbol and friends load their files on demand.
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
FONT_PACKAGE = "@mathjax/mathjax-newcm-font"  # loader path "[mathjax]/fonts/mathjax-newcm-font"
FONT_FILES = ["chtml.js", "chtml"]
NPM_HINT = (
    "run `npm ci` in the repository root (`make site` does it for you; it needs Node.js "
    "and npm, for example `apt-get install npm` or https://nodejs.org)"
)


def _node_modules(app) -> Path:
    return (Path(app.confdir) / app.config.book_node_modules).resolve()


def check_installed(app, config) -> None:
    if config.book_mathjax and not (_node_modules(app) / "mathjax" / "tex-mml-chtml.js").exists():
        raise ConfigError(f"MathJax is not installed in {_node_modules(app)}: {NPM_HINT}")


def copy_mathjax(app, exception) -> None:
    """Copy the MathJax files the pages load into ``_static/mathjax`` of the built site."""
    if exception is not None or app.builder.format != "html" or not app.config.book_mathjax:
        return
    source = _node_modules(app)
    target = Path(app.outdir) / "_static" / "mathjax"
    jobs = [(source / "mathjax" / name, target / name) for name in MATHJAX_FILES]
    font_target = target / "fonts" / FONT_PACKAGE.split("/")[-1]
    jobs += [(source / FONT_PACKAGE / name, font_target / name) for name in FONT_FILES]
    for src, dst in jobs:
        if not src.exists():
            raise ConfigError(f"MathJax file {src} is missing: {NPM_HINT}")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)


def setup(app):
    app.add_config_value("book_mathjax", True, "html", types=frozenset({bool}))
    app.add_config_value("book_node_modules", "node_modules", "html", types=frozenset({str}))
    app.connect("config-inited", check_installed)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
