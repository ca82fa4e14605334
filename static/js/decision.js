// Paragraph links: without JavaScript each ¶ is a plain link to its anchor; with it,
// following the link also copies the paragraph's address for pasting elsewhere.
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a.para-link") : null;
  if (!link || !navigator.clipboard) { return; }
  var part = new URLSearchParams(window.location.search).get("part");
  var address = window.location.origin + window.location.pathname + (part ? "?part=" + part : "") +
    link.getAttribute("href");
  var status = document.getElementById("copy-status");
  navigator.clipboard.writeText(address).then(function () {
    link.setAttribute("data-copied", "Link copied");
    if (status) { status.textContent = "Link to " + link.title.replace(/^Link to /, "") + " copied"; }
    window.setTimeout(function () {
      link.removeAttribute("data-copied");
      if (status) { status.textContent = ""; }
    }, 2000);
  }, function () {});
});

// Cite this decision: the citation names the paragraph the address points to (¶ 14), and can be
// copied, with a link to the page and a print button (hidden without JavaScript, which they need).
(function () {
  var citation = document.getElementById("citation");
  if (!citation) { return; }
  var para = citation.querySelector(".cite-para");
  var where = citation.querySelector(".cite-where");
  var pageUrl = para.getAttribute("data-page-url");
  var original = where.textContent;
  var status = document.getElementById("copy-status");

  function showParagraph() {
    var match = /^#para-(\d+)((?:-\d+)*)$/.exec(window.location.hash);
    para.textContent = match ? ", ¶ " + match[1] + match[2].replace(/-/g, ".") : "";
    where.textContent = match ? original.replace(pageUrl, pageUrl + window.location.hash) : original;
  }

  function copy(text, message) {
    if (!navigator.clipboard) { return; }
    navigator.clipboard.writeText(text).then(function () {
      if (status) { status.textContent = message; }
      window.setTimeout(function () { if (status) { status.textContent = ""; } }, 2000);
    }, function () {});
  }

  window.addEventListener("hashchange", showParagraph);
  showParagraph();
  var buttons = {
    ".copy-citation": function () { copy(citation.textContent, "Citation copied"); },
    ".copy-link": function (button) { copy(button.getAttribute("data-url") + window.location.hash, "Link copied"); },
    ".print-page": function () { window.print(); }
  };
  Object.keys(buttons).forEach(function (selector) {
    var button = document.querySelector(selector);
    if (!button) { return; }
    if (selector !== ".print-page" && !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { buttons[selector](button); });
  });
})();
