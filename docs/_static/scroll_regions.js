// Every table of the article scrolls in a box of its own when it is wider than the column
// (custom.css), and whether it is depends on the width, the fonts and the theme at that moment.
// A scroll box must be reachable from the keyboard (WCAG 2.1.1; axe's
// scrollable-region-focusable), so every such table is focusable: one Tab stop per table.
(() => {
  const mark = () => {
    for (const table of document.querySelectorAll(".bd-article table:not(.highlighttable)")) {
      table.setAttribute("tabindex", "0");
    }
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
})();
