"""The frame of every page, at a phone's, a tablet's and a desktop's width, and on paper.

For every page of the built site (new pages are found automatically), in headless Chromium:

* at 390, 820 and 1280 px, the article header's menu button opens the sidebar with the table of
  contents (below 992 px in a dialog; on a desktop it hides the visible sidebar), and its contents
  button, where the page has sections, shows them (pydata-sphinx-theme#2451: both did nothing
  below 992 px with pydata-sphinx-theme 0.17+ under sphinx-book-theme);
* exactly one visible search field or button outside the article (sphinx-book-theme 1.4 with
  pydata-sphinx-theme 0.20 drew a second one in a header bar);
* (at 390 px nothing makes the page scroll sideways: test_browser.py checks that, in the visit
  that has the formulas typeset; this one blocks MathJax, which the checks here do not need and
  which takes most of a page's loading time);
* in print (CSS media emulation, 680 px: A4's width between margins), no code block is cut off,
  the solutions of exercises and the provenance block are open, and a page printed from dark mode
  uses the light palette (dark text on white).

Needs the built site and a Chromium, like test_browser.py (see browsing.py).
"""

from __future__ import annotations

import contextlib

import pytest
from browsing import PAGES, TIMEOUT_MS, switch_to_dark

pytestmark = pytest.mark.browser

WIDTHS = (390, 820, 1280)
DIALOG_BELOW = 992  # pydata-sphinx-theme's "lg" breakpoint: narrower, the sidebars are dialogs
PRINT_WIDTH = 680

STATE = """
() => {
  const visible = (el) => {
    if (!el) return false;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden" &&
      style.display !== "none" && !el.closest("[hidden], dialog:not([open])");
  };
  const first = (selector) => Array.from(document.querySelectorAll(selector)).find(visible);
  // in the frame: the header, the sidebars and the article's header (not the search page's form)
  const inFrame = (el) => !el.closest(".bd-article-container") || el.closest(".bd-header-article");
  const searches = Array.from(document.querySelectorAll(
    ".search-button-field, .search-button, .bd-search input, form[role=search] input"
  )).filter((el) => visible(el) && inFrame(el));
  return {
    menu: !!first(".primary-toggle"),
    contents: !!first(".secondary-toggle"),
    sidebarLinks: !!first(
      ".bd-sidebar-primary .bd-links a, #pst-primary-sidebar-modal .bd-links a"),
    pageToc: !!first(
      ".bd-sidebar-secondary .page-toc a, #pst-secondary-sidebar-modal .page-toc a"),
    hasToc: document.querySelectorAll(".page-toc a").length > 0,
    searches: searches.map((el) => el.className || el.tagName),
  };
}
"""

SETTLE_MS = 3000  # for a sidebar's transition (the theme animates it)


def settled(page, key: str, expected) -> dict:
    """The state once ``key`` is ``expected``, or after SETTLE_MS if it never is (the caller
    checks the state returned): no waiting when the click did what it should at once."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # browsing.chromium checks

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            f"(expected) => ({STATE})()[{key!r}] === expected", arg=expected, timeout=SETTLE_MS
        )
    return page.evaluate(STATE)


CLOSE_DIALOGS = "() => document.querySelectorAll('dialog[open]').forEach((d) => d.close())"

PRINT_STATE = """
() => {
  const shown = (el) => el.getBoundingClientRect().height > 0 &&
    getComputedStyle(el).visibility !== "hidden";
  const cut = Array.from(document.querySelectorAll(".bd-article pre"))
    .filter((el) => shown(el) && el.scrollWidth > el.clientWidth + 1)
    .map((el) => el.textContent.trim().slice(0, 60));
  const hiddenSolutions = Array.from(document.querySelectorAll(".solution.admonition"))
    .filter((el) => !Array.from(el.children).slice(1).some(shown)).map((el) => el.id);
  const provenance = document.querySelector("details.book-provenance table");
  const luminance = (color) => {
    const [r, g, b] = color.match(/[\\d.]+/g).map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const heading = document.querySelector(".bd-article h1");
  return {
    cut,
    hiddenSolutions,
    provenanceHidden: !!provenance && !shown(provenance),
    heading: heading ? luminance(getComputedStyle(heading).color) : 0,
    background: luminance(getComputedStyle(document.body).backgroundColor),
  };
}
"""


def check_width(page, width: int) -> list[str]:
    """The menu, contents and search of an open page at ``width``; the dialogs closed after."""
    problems = []
    page.set_viewport_size({"width": width, "height": 800})
    page.wait_for_timeout(100)  # the theme's resize handlers
    before = page.evaluate(STATE)
    if len(before["searches"]) != 1:
        problems.append(f"{len(before['searches'])} visible search fields: {before['searches']}")
    if not before["menu"]:
        problems.append("no visible menu button")
    else:
        menu = page.locator(".primary-toggle").locator("visible=true").first
        menu.click()
        # below the breakpoint the table of contents opens (in a dialog); above, it toggles
        wanted = True if width < DIALOG_BELOW else not before["sidebarLinks"]
        after = settled(page, "sidebarLinks", wanted)
        if width < DIALOG_BELOW and not after["sidebarLinks"]:
            problems.append("the menu button does not open the table of contents")
        if width >= DIALOG_BELOW:
            if after["sidebarLinks"] == before["sidebarLinks"]:
                problems.append("the menu button does not hide or show the sidebar")
            else:
                menu.click()  # back as it was
                settled(page, "sidebarLinks", before["sidebarLinks"])
        page.evaluate(CLOSE_DIALOGS)
    if before["hasToc"] and not before["pageToc"]:
        if not before["contents"]:
            problems.append("the page has sections but no visible contents button")
        else:
            page.locator(".secondary-toggle").locator("visible=true").first.click()
            if not settled(page, "pageToc", True)["pageToc"]:
                problems.append("the contents button does not show the page's sections")
            page.evaluate(CLOSE_DIALOGS)
    return [f"[{width} px] {problem}" for problem in problems]


def check_print(page) -> list[str]:
    """The open page printed from dark mode, at about A4's width between the margins."""
    problems = []
    page.set_viewport_size({"width": PRINT_WIDTH, "height": 900})
    switch_to_dark(page)
    page.emulate_media(media="print")
    found = page.evaluate(PRINT_STATE)
    if found["cut"]:
        problems.append(f"{len(found['cut'])} code blocks cut off, first: {found['cut'][0]!r}")
    if found["hiddenSolutions"]:
        problems.append(f"solutions printed closed: {found['hiddenSolutions']}")
    if found["provenanceHidden"]:
        problems.append("the provenance block prints closed")
    if not (found["background"] > 200 and found["heading"] < 100):
        problems.append(
            f"printed from dark mode: heading luminance {found['heading']:.0f} on a "
            f"background of {found['background']:.0f} (want dark on white)"
        )
    return [f"[print] {problem}" for problem in problems]


def frame_problems(browser, url: str) -> list[str]:
    """One visit: the widest width first, then narrower ones, then print."""
    context = browser.new_context(
        viewport={"width": max(WIDTHS), "height": 800},
        color_scheme="light",
        service_workers="block",
    )
    context.add_init_script("localStorage.setItem('mode', 'light');")
    context.route("**/_static/mathjax/**", lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    problems = []
    try:
        page.goto(url, wait_until="load")
        for width in sorted(WIDTHS, reverse=True):
            problems += check_width(page, width)
        problems += check_print(page)
    finally:
        context.close()
    return problems


@pytest.mark.parametrize("page", PAGES or [pytest.param(None, id="no-site")])
def test_frame_at_every_width_and_in_print(page, site_url, browser):
    problems = frame_problems(browser, site_url + page)
    if problems:
        pytest.fail(f"{page}:\n" + "\n".join(problems), pytrace=False)
