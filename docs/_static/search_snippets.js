// rnn-playground (docs/_ext/site_frame.py): search snippets from the article's own text.
// Sphinx's Search.htmlToText takes the text of [role="main"], which in pydata-sphinx-theme also
// holds the article header (the mode switcher's "System Settings Light Dark", the download
// menu) and the TeX source of each formula. This version reads article.bd-article and leaves
// out the header, the print-only table of contents, the heading links and the formulas.
(() => {
  if (typeof Search === "undefined") return;
  const leaveOut = [
    ".headerlink", "script", "style", ".bd-header-article", "#jb-print-docs-body",
    ".prev-next-area", ".book-provenance", ".copybtn",
  ];
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    for (const query of leaveOut) doc.querySelectorAll(query).forEach((el) => el.remove());
    // A formula's source is TeX: show a placeholder instead.
    doc.querySelectorAll(".math").forEach((el) => el.replaceWith(doc.createTextNode(" … ")));
    const article = doc.querySelector("article.bd-article") || doc.querySelector('[role="main"]');
    if (!article) return "";
    const part = (anchor && article.querySelector(anchor)) || article;
    return part.textContent.replace(/\s+/g, " ").trim();
  };
})();
