"""Keyboard focus is visible: tabbing through the first controls of a page, the pixels around
each focused element change when it loses focus (an outline, a shadow, a border or a colour).

The other accessibility checks (axe-core and the spoken formulas, accessibility.py) run on every
page in test_browser.py, in the same visit as the rest. The first focus stops are the theme's: the
skip link, the header and the sidebar, the same on every page. They are checked, in light and dark
mode, on three pages that stand for the rest: the home page, a chapter with exercises and
cells, and the API reference. The playground's own controls are checked in test_playground.py.

Needs the built site and a Chromium, like test_browser.py (see browsing.py).
"""

from __future__ import annotations

import pytest
from browsing import MODES, PAGES, TIMEOUT_MS, focus_indicator, switch_to_dark

pytestmark = pytest.mark.browser

FOCUS_PAGES = [page for page in ("index.html", "bptt.html", "api.html") if page in PAGES]


def open_page(browser, url: str):
    context = browser.new_context(
        color_scheme="light", viewport={"width": 1280, "height": 900}, service_workers="block"
    )
    context.add_init_script("localStorage.setItem('mode', 'light');")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url, wait_until="load")
    return context, page


TABS = 12  # focus stops checked on each page: the skip link, the header, the sidebar


@pytest.mark.parametrize("page", FOCUS_PAGES or [pytest.param(None, id="no-site")])
def test_keyboard_focus_is_visible(page, site_url, browser):
    context, tab = open_page(browser, site_url + page)
    invisible, seen = [], []
    try:
        for mode in MODES:
            if mode == "dark":
                switch_to_dark(tab)
            tab.evaluate("() => document.activeElement && document.activeElement.blur()")
            for _ in range(TABS):
                tab.keyboard.press("Tab")
                focus = focus_indicator(tab)
                if focus is None:
                    continue  # nothing focused, or an element that is not drawn
                seen.append(focus[0])
                if not focus[1]:
                    invisible.append(f"[{mode}] {focus[0]}")
    finally:
        context.close()
    assert seen, f"{page}: Tab focused nothing"
    assert not invisible, f"{page}: focus not visible on {invisible}"
