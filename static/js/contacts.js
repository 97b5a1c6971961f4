// Contacts pages: small enhancements; every page works without this file.
(function () {
  "use strict";

  // Keep the pushed URLs short: drop empty filter fields from htmx GET requests.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt.closest ? event.detail.elt.closest("[data-clean-params]") : null;
    if (!form || event.detail.verb !== "get") return;
    var params = event.detail.parameters;
    var empty = [];
    params.forEach(function (value, key) { if (value === "" || (key === "login_source" && value === "all")) empty.push(key); });
    empty.forEach(function (key) { params.delete(key); });
  });

  // Arrow keys move between the rows of a list (each row's first link).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var table = event.target.closest && event.target.closest("[data-row-nav]");
    if (!table) return;
    var links = Array.prototype.map.call(table.querySelectorAll("tbody tr"), function (row) {
      return row.querySelector("a");
    }).filter(Boolean);
    var index = links.indexOf(event.target);
    if (index === -1) return;
    var next = links[index + (event.key === "ArrowDown" ? 1 : -1)];
    if (next) { event.preventDefault(); next.focus(); }
  });

  // Phones and emails: ticking one "Primary" unticks the others of the same list.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[type=checkbox][data-primary-group]")) return;
    if (box.checked) {
      document.querySelectorAll('input[data-primary-group="' + box.dataset.primaryGroup + '"]').forEach(function (other) {
        if (other !== box) other.checked = false;
      });
    }
    document.querySelectorAll('input[data-primary-group="' + box.dataset.primaryGroup + '"]').forEach(function (other) {
      var row = other.closest(".channel-row");
      if (row) row.classList.toggle("is-primary", other.checked);
    });
  });

  // Phones and emails: "Add another" copies the formset's empty row (without JavaScript the
  // form always ends with empty rows to fill).
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-add-row]").forEach(function (button) { button.hidden = false; });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-add-row]");
    if (!button) return;
    var group = button.dataset.addRow;
    var total = document.getElementById("id_" + group + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + group + "-MAX_NUM_FORMS");
    var template = document.getElementById(group + "-empty");
    if (!total || !template) return;
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) { button.disabled = true; return; }
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    document.getElementById(group + "-rows").appendChild(row);
    total.value = String(index + 1);
    var input = row.querySelector("input");
    if (input) input.focus();
  });

  // Modals: a button with data-open-dialog="id" opens that <dialog>; its link is the no-JS fallback.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.dataset.openDialog);
      if (dialog && dialog.showModal) {
        event.preventDefault();
        dialog.showModal();
        var focusable = dialog.querySelector("input, select, button, a[href]");
        if (focusable) focusable.focus();
      }
      return;
    }
    var closer = event.target.closest && event.target.closest("[data-close-dialog]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) open.close();
    }
  });
})();
