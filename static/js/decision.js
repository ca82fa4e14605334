// Paragraph links: without JavaScript each ¶ is a plain link to its anchor; with it,
// following the link also copies the paragraph's address for pasting elsewhere.
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a.para-link") : null;
  if (!link || !navigator.clipboard) { return; }
  var address = window.location.origin + window.location.pathname + link.getAttribute("href");
  navigator.clipboard.writeText(address).then(function () {
    link.setAttribute("data-copied", "Link copied");
    window.setTimeout(function () { link.removeAttribute("data-copied"); }, 2000);
  }, function () {});
});
