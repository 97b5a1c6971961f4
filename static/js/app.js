// Small progressive enhancements; every page works without this file.
document.addEventListener("keydown", function (event) {
  // "/" focuses the search box, as in most staff tools.
  if (event.key === "/" && !event.target.closest("input, textarea, select, [contenteditable]")) {
    var search = document.querySelector("[data-search]");
    if (search) { event.preventDefault(); search.focus(); }
  }
});
