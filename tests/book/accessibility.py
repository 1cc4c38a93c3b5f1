"""Accessibility checks that run in a page open in the browser, shared by the browser tests.

* axe-core (an npm devDependency pinned in package.json and package-lock.json: ``npm ci``, which
  ``make site`` runs, puts it in ``node_modules/``; nothing copies it into the site) is injected
  into a page after it has loaded. axe's default rules run: WCAG 2.x A and AA (colour contrast
  included) and its best practices. A serious or critical violation is a problem; a moderate or
  minor one is, unless ``ALLOWED`` lists it with the reason it stays.
* Every formula is readable by a screen reader, and its visual glyphs are hidden from it. MathJax
  4, as the book configures it (its defaults), attaches a spoken description to each formula
  (``mjx-speech``, an ``aria-label``, and Braille); its other mode, hidden "assistive MathML"
  (``mjx-assistive-mml``) for screen readers that read MathML, excludes speech in MathJax 4's
  menu and is off by default. Either passes.
"""

from __future__ import annotations

from browsing import ROOT, unavailable

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

# Moderate or minor axe findings that stay, as {rule id: reason}. Each entry must say why the
# finding cannot or should not be fixed; any finding of a rule not listed here fails the test.
# Before the fixes of issue 14 there were, over the 13 pages then and both modes, 26 moderate
# findings ("region": the theme's book title in the primary sidebar outside any landmark, fixed
# in docs/_templates/navbar-logo.html) and 4 minor ones ("aria-allowed-role" and
# "aria-deprecated-role" on the bibliography's entries, fixed in docs/_ext/bib_style.py). None is
# left, so nothing is allowed.
ALLOWED: dict[str, str] = {}

RUN_AXE = """
async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary.replace(/\\s+/g, " ")}`),
  }));
}
"""

# Every typeset formula has a non-empty spoken label or assistive MathML, and its glyphs are
# hidden from assistive technology. MathJax computes speech in a worker after typesetting: wait.
CHECK_MATH_SPEECH = """
async (timeout) => {
  if (!document.querySelector(".math")) return { count: 0, problems: [] };
  await MathJax.startup.promise;
  const deadline = performance.now() + timeout;
  for (;;) {
    const problems = [];
    const containers = Array.from(document.querySelectorAll("mjx-container"));
    for (const c of containers) {
      const speech = c.querySelector(":scope > mjx-speech");
      const label = speech ? (speech.getAttribute("aria-label") || "").trim() : "";
      const mathml = c.querySelector(":scope > mjx-assistive-mml > math");
      const glyphs = c.querySelector(":scope > mjx-math");
      if (!label && !mathml) {
        problems.push(`neither speech nor MathML: ${c.textContent.slice(0, 60)}`);
      } else if (!glyphs || glyphs.getAttribute("aria-hidden") !== "true") {
        problems.push(`glyphs not hidden from screen readers: ${c.textContent.slice(0, 60)}`);
      }
    }
    if (!problems.length || performance.now() > deadline) {
      return { count: containers.length, problems: problems.slice(0, 10) };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
"""


def axe_problems(page) -> list[str]:
    """axe-core's findings on an open page that count as problems (injected on first use)."""
    if not AXE.is_file():
        unavailable(f"axe-core is not installed ({AXE}): run `npm ci`")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))  # inlined into the page: no request for it
    problems = []
    for violation in page.evaluate(RUN_AXE):
        if violation["impact"] not in BLOCKING and violation["id"] in ALLOWED:
            continue
        nodes = "\n    ".join(violation["nodes"][:5])
        problems.append(
            f"axe: {violation['impact']} {violation['id']} ({violation['help']}), "
            f"{len(violation['nodes'])} element(s):\n    {nodes}"
        )
    return problems


def speech_problems(page, timeout_ms: int) -> list[str]:
    """Formulas of an open page that a screen reader could not read."""
    found = page.evaluate(CHECK_MATH_SPEECH, timeout_ms)
    return [f"formula ({found['count']} on the page): {p}" for p in found["problems"]]
