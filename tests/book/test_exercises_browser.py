"""The exercises of the built book in headless Chromium: solutions collapsed on load, open on click.

Every page of the built site (``_build/html``) with a solution is opened; on load, every solution
must show its title and hide its content; a click on a solution's title must show that solution
(and only it), and a second click hide it again. Needs ``make site`` and a Chromium, like
``test_browser.py`` (it skips without them, unless ``RNN_PLAYGROUND_REQUIRE_BROWSER=1``).
"""

from __future__ import annotations

import contextlib

import pytest
from browsing import PAGES, SITE, TIMEOUT_MS

pytestmark = pytest.mark.browser

PAGES_WITH_SOLUTIONS = [page for page in PAGES if 'class="solution' in (SITE / page).read_text()]

# What a reader sees of each solution: its title, and whether anything of its content shows.
SOLUTIONS = """
() => Array.from(document.querySelectorAll("div.solution")).map((solution) => {
  const title = solution.querySelector(".admonition-title");
  const content = Array.from(solution.children).filter((child) => child !== title);
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.opacity !== "0" && box.height > 0;
  };
  const button = solution.querySelector("button.toggle-button");
  return {
    id: solution.id,
    title: title ? title.innerText.trim() : null,
    titleShown: title ? shown(title) : false,
    contentShown: content.length > 0 && content.some(shown),
    expanded: button ? button.getAttribute("aria-expanded") : null,
  };
})
"""


SETTLE_MS = 2000  # the dropdown's transition takes a fraction of this


def settle(tab, condition: str) -> None:
    """Wait until ``condition`` (a JavaScript function of the solutions' states) holds, at most
    SETTLE_MS; the caller then checks the states, which fail the test if it never held."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # browsing.chromium checks

    with contextlib.suppress(PlaywrightTimeout):
        tab.wait_for_function(f"() => ({condition})(({SOLUTIONS})())", timeout=SETTLE_MS)


@pytest.mark.parametrize("page", PAGES_WITH_SOLUTIONS or [pytest.param(None, id="no-solutions")])
def test_solutions_are_collapsed_on_load_and_open_on_click(page, site_url, browser):
    if page is None:
        pytest.fail("the built site has no page with a solution")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # MathJax blocked, as in test_frame_browser.py: the dropdowns do not need it, and it takes
    # most of a page's loading time (test_browser.py checks the formulas on every page)
    context.route("**/_static/mathjax/**", lambda route: route.abort())
    errors = []
    try:
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(site_url + page, wait_until="load")  # the dropdowns are made on DOMContentLoaded
        loaded = tab.evaluate(SOLUTIONS)
        assert len(loaded) >= 3, f"{page}: {len(loaded)} solutions"
        for solution in loaded:
            assert solution["title"] == "Solution", solution
            assert solution["titleShown"], f"{page}: the title of {solution['id']} is not shown"
            assert not solution["contentShown"], f"{page}: {solution['id']} is open on load"
            assert solution["expanded"] == "false", solution

        # A reader opens the second solution by clicking on its title ...
        title = tab.locator("div.solution .admonition-title").nth(1)
        title.click()
        settle(tab, "(s) => s[1].contentShown")  # the dropdown's transition
        opened = tab.evaluate(SOLUTIONS)
        assert [s["contentShown"] for s in opened][:3] == [False, True, False], opened
        assert opened[1]["expanded"] == "true"
        assert tab.locator("div.solution").nth(1).locator("div.cell").first.is_visible()

        # ... and closes it again.
        title.click()
        settle(tab, "(s) => !s.some((solution) => solution.contentShown)")
        closed = tab.evaluate(SOLUTIONS)
        assert not any(s["contentShown"] for s in closed), closed
        assert errors == [], errors
    finally:
        context.close()
