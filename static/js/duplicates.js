// Possible-duplicates queue and merge flow: small enhancements; the pages work without them.
(function () {
  // "Select all" checkbox of the bulk-merge preview.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-check-all]");
    if (!all) return;
    var name = all.getAttribute("data-check-all");
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
  // Without htmx, filters still apply on change.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && !window.htmx) form.submit();
  });
  // When a background scan finishes, reload the list once.
  document.addEventListener("htmx:afterSwap", function (event) {
    var status = document.getElementById("scan-status");
    if (event.detail.target && event.detail.target.id === "scan-status" && status && !status.hasAttribute("hx-get")) {
      window.location.reload();
    }
  });
})();
