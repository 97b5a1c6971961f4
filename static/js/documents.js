/* Documents and Notes tabs: drag-and-drop uploads with per-file progress, Download All
   progress that starts the download by itself, and a small rich-text editor that falls back
   to the plain textarea without JavaScript. No inline script: the CSP forbids it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* Times in the viewer's own timezone. */
  function localTimes(root) {
    var format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (!isNaN(when)) { el.textContent = format.format(when); }
    });
  }

  /* Confirm before destructive actions. */
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  /* --- Uploads ------------------------------------------------------------------------ */
  function setupUpload(form) {
    var input = form.querySelector("input[type=file]");
    var queue = form.querySelector(".upload-queue");
    var zone = form.querySelector(".dropzone");
    var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
    var pending = 0;
    var stored = 0;
    input.removeAttribute("required");

    function queueItem(file) {
      var item = document.createElement("li");
      item.className = "upload-item";
      var name = document.createElement("span");
      name.className = "upload-item-name";
      name.textContent = file.name;
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0;
      bar.setAttribute("aria-label", "Uploading " + file.name);
      var status = document.createElement("span");
      status.className = "upload-item-status";
      status.textContent = "Waiting…";
      item.append(name, bar, status);
      queue.append(item);
      return { item: item, bar: bar, status: status };
    }

    function finish(view, ok, text) {
      view.item.classList.add(ok ? "is-done" : "is-error");
      view.status.textContent = text;
      view.bar.value = 100;
      pending -= 1;
      if (ok) { stored += 1; }
      if (pending === 0 && stored > 0) { refreshList(); }
    }

    function send(file) {
      var view = queueItem(file);
      pending += 1;
      if (maxBytes && file.size > maxBytes) {
        finish(view, false, "Too large: files can be at most " + Math.round(maxBytes / 1048576) + " MB.");
        return;
      }
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrfToken(form));
      data.append("files", file, file.name);
      var caseSelect = form.querySelector("select[name=case]");
      if (caseSelect) { data.append("case", caseSelect.value); }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("data-upload-url"));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          view.bar.value = Math.round((event.loaded / event.total) * 100);
          view.status.textContent = view.bar.value + "%";
        }
      });
      xhr.addEventListener("load", function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = {}; }
        if (xhr.status === 200 && answer.ok) { finish(view, true, "Uploaded"); }
        else { finish(view, false, answer.error || "Upload failed (" + xhr.status + "). Try again."); }
      });
      xhr.addEventListener("error", function () { finish(view, false, "The connection dropped. Try again."); });
      xhr.send(data);
    }

    function sendAll(files) {
      Array.prototype.forEach.call(files, send);
      input.value = "";
    }

    function refreshList() {
      var target = document.getElementById("document-list");
      if (!target) { return; }
      fetch(form.getAttribute("data-list-url"), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          target.innerHTML = html;
          localTimes(target);
          var downloadAll = document.querySelector(".documents-actions button[disabled]");
          if (downloadAll) { downloadAll.disabled = false; }
        })
        .catch(function () { window.location.reload(); });
    }

    input.addEventListener("change", function () { if (input.files.length) { sendAll(input.files); } });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.files.length) { sendAll(input.files); }
    });

    /* Dropping anywhere on the tab uploads; the zone lights up while dragging. */
    var depth = 0;
    var panel = document.getElementById("tab") || document.body;
    panel.addEventListener("dragenter", function (event) {
      if (!event.dataTransfer || Array.prototype.indexOf.call(event.dataTransfer.types, "Files") < 0) { return; }
      depth += 1; zone.classList.add("is-dragover");
    });
    panel.addEventListener("dragleave", function () {
      depth = Math.max(0, depth - 1);
      if (depth === 0) { zone.classList.remove("is-dragover"); }
    });
    panel.addEventListener("dragover", function (event) { event.preventDefault(); });
    panel.addEventListener("drop", function (event) {
      event.preventDefault();
      depth = 0; zone.classList.remove("is-dragover");
      if (event.dataTransfer && event.dataTransfer.files.length) { sendAll(event.dataTransfer.files); }
    });
  }

  /* --- Download All progress ----------------------------------------------------------- */
  function setupBundle(section) {
    var url = section.getAttribute("data-status-url");
    var bar = document.getElementById("bundle-progress");
    var message = document.getElementById("bundle-message");
    var link = document.getElementById("bundle-download");
    var started = false;
    var status = section.getAttribute("data-status");
    if (status !== "pending" && status !== "building") { return; }

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          bar.max = Math.max(state.files_total, 1);
          bar.value = state.status === "ready" ? bar.max : state.files_done;
          bar.textContent = state.files_done + " of " + state.files_total;
          if (state.status === "ready") {
            message.textContent = "Your zip of " + state.files_total + " documents is ready. The download has started.";
            link.hidden = false;
            link.href = state.download_url;
            if (!started) { started = true; window.location.assign(state.download_url); }
            return;
          }
          if (state.status === "failed" || state.status === "expired") {
            message.textContent = "The zip could not be built. " + (state.error || "") + " Reload the page to try again.";
            return;
          }
          message.textContent = "Preparing… " + state.files_done + " of " + state.files_total + " documents added.";
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  }

  /* --- Rich-text editor ---------------------------------------------------------------- */
  var TOOLS = [
    { label: "B", title: "Bold", command: "bold" },
    { label: "I", title: "Italic", command: "italic" },
    { label: "H2", title: "Heading", command: "formatBlock", value: "h2" },
    { label: "H3", title: "Subheading", command: "formatBlock", value: "h3" },
    { label: "• List", title: "Bulleted list", command: "insertUnorderedList" },
    { label: "1. List", title: "Numbered list", command: "insertOrderedList" },
    { label: "❝ Quote", title: "Quote", command: "formatBlock", value: "blockquote" },
    { label: "Link", title: "Link", command: "createLink" },
    { label: "Clear", title: "Remove formatting", command: "removeFormat" }
  ];

  function setupEditor(textarea) {
    var toolbar = document.createElement("div");
    toolbar.className = "editor-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Formatting");
    var area = document.createElement("div");
    area.className = "editor-area rich-text";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    var label = document.getElementById(textarea.id + "-label");
    if (label) {
      area.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function () { area.focus(); });
    }
    area.innerHTML = textarea.value;
    TOOLS.forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = tool.label;
      button.title = tool.title;
      button.setAttribute("aria-label", tool.title);
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        area.focus();
        var value = tool.value || null;
        if (tool.command === "createLink") {
          value = window.prompt("Link address (https://…)", "https://");
          if (!value) { return; }
        }
        document.execCommand(tool.command, false, value);
        sync();
      });
      toolbar.append(button);
    });
    function sync() { textarea.value = area.innerHTML; }
    area.addEventListener("input", sync);
    textarea.classList.add("rich-source-hidden");
    textarea.setAttribute("aria-hidden", "true");
    textarea.tabIndex = -1;
    textarea.after(toolbar, area);
    if (textarea.form) { textarea.form.addEventListener("submit", sync); }
  }

  /* Once per element: on page load, and when htmx swaps a tab in (the case page's tabs). */
  function setupOnce(element, setup) {
    if (!element || element.hasAttribute("data-ready")) { return; }
    element.setAttribute("data-ready", "");
    setup(element);
  }

  function init(root) {
    localTimes(root);
    var form = document.getElementById("upload-form");
    if (form && root.contains(form) && window.FormData && window.XMLHttpRequest) { setupOnce(form, setupUpload); }
    var bundle = document.getElementById("bundle");
    if (bundle && root.contains(bundle) && window.fetch) { setupOnce(bundle, setupBundle); }
    root.querySelectorAll("textarea[data-rich-text]").forEach(function (area) { setupOnce(area, setupEditor); });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document.body); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
})();
