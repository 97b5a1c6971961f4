// Import wizard: drag-and-drop upload and the progress bar. The pages work without it.
(function () {
  "use strict";

  function setUpDropzone(zone) {
    var input = zone.querySelector("input[type=file]");
    var name = zone.querySelector("[data-dropzone-name]");
    if (!input) { return; }
    var form = input.form;
    var limit = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
    function tooBig() { return limit && input.files.length && input.files[0].size > limit; }
    function show() {
      if (!name) { return; }
      if (tooBig()) {
        name.textContent = "“" + input.files[0].name + "” is " + (input.files[0].size / 1048576).toFixed(1) +
          " MB; the limit is " + (limit / 1048576).toFixed(1) + " MB. Split it, or use the import_contacts command.";
        name.classList.add("error");
      } else {
        name.textContent = input.files.length ? "Chosen: " + input.files[0].name : "";
        name.classList.remove("error");
      }
    }
    if (form) {
      form.addEventListener("submit", function (event) {
        if (tooBig()) { event.preventDefault(); show(); input.focus(); }
      });
    }
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("is-over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("is-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        show();
      }
    });
    input.addEventListener("change", show);
  }

  function grouped(number) { return Number(number).toLocaleString("en-US"); }

  function pollProgress(section) {
    var url = section.getAttribute("data-status-url");
    var bar = section.querySelector("progress");
    var text = section.querySelector("[data-progress-text]");
    function tick() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (data.finished) { window.location.assign(data.next_url); return; }
          bar.value = data.percent;
          bar.textContent = data.percent + "%";
          var parts = [data.status_label + ": " + grouped(data.done) + " of " +
            (data.total === null ? "?" : grouped(data.total)) + " rows"];
          if (data.rate) { parts.push(grouped(data.rate) + " rows/s"); }
          if (data.time_left) { parts.push("about " + data.time_left + " left"); }
          text.textContent = parts.join(" · ");
          window.setTimeout(tick, 1000);
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    window.setTimeout(tick, 500);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-dropzone]").forEach(setUpDropzone);
    document.querySelectorAll("[data-progress]").forEach(pollProgress);
  });
})();
