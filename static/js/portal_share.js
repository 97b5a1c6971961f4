// Staff case page: open the Share Link form in a dialog (htmx loads it; without JS it is a page).
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "portal-share-body") {
      var dialog = document.getElementById("portal-share-dialog");
      if (dialog && !dialog.open) dialog.showModal();
      var first = dialog.querySelector("input:not([disabled]), textarea, select");
      if (first) first.focus();
    }
  });
  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-share-close]");
    var dialog = document.getElementById("portal-share-dialog");
    if (close && dialog && dialog.open) { event.preventDefault(); dialog.close(); }
  });
})();
