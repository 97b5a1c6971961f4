// Contact portal: small enhancements only; every page works without this file.
(function () {
  "use strict";
  // An installed portal (home-screen app) counts as a mobile visit.
  var mode = document.querySelector("[data-display-mode]");
  if (mode && window.matchMedia && window.matchMedia("(display-mode: standalone)").matches) {
    mode.value = "standalone";
  }
  // Upload progress: send the form with XHR so the bar can move; fall back to a plain post.
  var form = document.querySelector("form[data-progress]");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var bar = form.querySelector("[data-progress-bar]");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable && bar) { bar.hidden = false; bar.value = Math.round((e.loaded / e.total) * 100); }
    };
    xhr.onload = function () {
      if (xhr.responseURL && xhr.responseURL !== window.location.href) { window.location.href = xhr.responseURL; return; }
      document.open(); document.write(xhr.responseText); document.close();
    };
    xhr.onerror = function () { form.submit(); };
    if (button) button.disabled = true;
    xhr.send(new FormData(form));
  });
})();
