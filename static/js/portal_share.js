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
  // The button says when a held text will go ("Send at 08:00 their time").
  document.addEventListener("change", function (event) {
    var radio = event.target.closest("input[data-send-label]");
    var button = radio && radio.form && radio.form.querySelector("[data-send-button]");
    if (button) button.textContent = radio.getAttribute("data-send-label");
  });
  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-share-close]");
    var dialog = document.getElementById("portal-share-dialog");
    if (close && dialog && dialog.open) { event.preventDefault(); dialog.close(); }
  });
})();
