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
