"""The built site, served on 127.0.0.1, and a headless Chromium: what the browser tests share.

The fixtures ``site_url`` and ``browser`` (tests/book/conftest.py) are built on this module, and
so are the helpers for an open page: ``switch_to_dark`` and ``focus_indicator``.
Environment: ``RNN_PLAYGROUND_SITE`` (the built html, default ``_build/html``),
``RNN_PLAYGROUND_SCREENSHOTS`` (default ``_build/screenshots``), ``RNN_PLAYGROUND_CHROMIUM`` (a
browser executable, or ``playwright`` for Playwright's own; default Debian's ``chromium`` when
installed), ``RNN_PLAYGROUND_REQUIRE_BROWSER=1`` (``make ci`` and the workflows set it: a missing
site or browser fails instead of skipping).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("RNN_PLAYGROUND_SITE") or ROOT / "_build" / "html")
SCREENSHOTS = Path(os.environ.get("RNN_PLAYGROUND_SCREENSHOTS") or ROOT / "_build" / "screenshots")
REQUIRED = os.environ.get("RNN_PLAYGROUND_REQUIRE_BROWSER") == "1"
SYSTEM_CHROMIUM = "/usr/bin/chromium"  # Debian's `chromium` package
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MODES = ("light", "dark")
TIMEOUT_MS = 30_000  # for any one wait in a page


def find_pages(site: Path) -> list[str]:
    """Every HTML page of the site, relative to it, leaving out _static/, _sources/ and such."""
    if not (site / "index.html").is_file():
        return []
    pages = (p.relative_to(site) for p in site.rglob("*.html"))
    return sorted(p.as_posix() for p in pages if not any(part[0] in "_." for part in p.parts))


PAGES = find_pages(SITE)

# The theme's own switch (pydata-sphinx-theme's mode buttons), as a reader would use it.
SWITCH_TO_DARK = """
() => {
  const button = document.querySelector('.theme-change-button[data-mode="dark"]');
  if (button) button.click();
  return document.documentElement.dataset.theme;
}
"""


def unavailable(reason: str) -> NoReturn:
    """Skip, or fail when the browser check is required."""
    if REQUIRED:
        pytest.fail(f"{reason} (RNN_PLAYGROUND_REQUIRE_BROWSER=1 makes this a failure)")
    pytest.skip(reason)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve(site: Path = SITE):
    """Serve ``site`` from a thread on an ephemeral port of 127.0.0.1; yield its base URL."""
    if not find_pages(site):
        unavailable(f"no built site in {site}: run `make site` first")
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.contextmanager
def chromium():
    """A headless Chromium (Playwright's Browser), closed on exit."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("Playwright is not installed: pip install -r requirements.txt")
    executable = os.environ.get("RNN_PLAYGROUND_CHROMIUM")
    if executable is None and Path(SYSTEM_CHROMIUM).exists():
        executable = SYSTEM_CHROMIUM
    if executable == "playwright":
        executable = None
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except Error as error:
        playwright.stop()
        unavailable(
            f"no Chromium to run ({str(error).strip().splitlines()[0]}): install one with "
            "`apt-get install chromium` (Debian) or `python -m playwright install chromium`"
        )
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


# -- helpers for pages open in the browser -------------------------------------------------
# After a switch of mode (or a change of focus), the theme's colours change through CSS
# transitions (150-300 ms): once they have started, jump each to its end, the state a reader sees
# a moment later. Not awaited: waiting costs their duration at every call, and on a loaded machine
# headless Chromium sometimes leaves a transition running at time 0 forever (seen 2026-12-07 in
# test_frame_browser.py, after a resize: the awaited page.evaluate never returned).
TRANSITIONS_DONE = """
async () => {
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  for (const a of document.getAnimations()) {
    if (a instanceof CSSTransition) a.finish();
  }
}
"""


def switch_to_dark(page) -> None:
    """Switch an open page to dark mode with the theme's button; wait until it is drawn."""
    page.emulate_media(color_scheme="dark")
    assert page.evaluate(SWITCH_TO_DARK) == "dark"
    page.evaluate(TRANSITIONS_DONE)


# The focused element and the region around it (a focus ring may lie outside the element).
FOCUSED_REGION = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const box = el.getBoundingClientRect();
  const pad = 8;
  const name = el.tagName.toLowerCase() + (el.id ? `#${el.id}` : "") +
    (typeof el.className === "string" && el.className ? `.${el.className.split(" ")[0]}` : "");
  if (box.width === 0 && box.height === 0) return { name, clip: null };
  const x = Math.max(0, box.left - pad);
  const y = Math.max(0, box.top - pad);
  const clip = {
    x, y,
    width: Math.min(window.innerWidth, box.right + pad) - x,
    height: Math.min(window.innerHeight, box.bottom + pad) - y,
  };
  return { name, clip: clip.width > 0 && clip.height > 0 ? clip : null };
}
"""


def focus_indicator(page) -> tuple[str, bool] | None:
    """The focused element's name, and whether its focus is visible: whether the pixels around
    it change when it loses focus (an outline, a shadow, a border, a colour). Focus stays on it.
    None when nothing, or nothing drawn, has the focus."""
    page.evaluate(TRANSITIONS_DONE)
    focus = page.evaluate(FOCUSED_REGION)
    if focus is None or focus["clip"] is None:
        return None
    shot = {"clip": focus["clip"], "animations": "disabled", "caret": "hide"}
    focused = page.screenshot(**shot)
    page.evaluate("() => { window.__focused = document.activeElement; __focused.blur(); }")
    page.evaluate(TRANSITIONS_DONE)
    unfocused = page.screenshot(**shot)
    page.evaluate("() => window.__focused.focus()")  # so that Tab goes on from there
    page.evaluate(TRANSITIONS_DONE)
    return focus["name"], focused != unfocused
