// Activity Log tab: tell the server the viewer's time zone, so times render in it.
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (error) { return; }
  if (!zone || !/^[A-Za-z0-9_\/+\-]+$/.test(zone)) { return; }
  var cookie = "kayse_tz=" + zone;  // IANA names need no escaping
  var hadCookie = document.cookie.split("; ").indexOf(cookie) !== -1;
  document.cookie = cookie + "; path=/; max-age=31536000; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  // First visit (no cookie yet): times were rendered in the firm's zone; show the viewer's own.
  if (!hadCookie) {
    document.addEventListener("DOMContentLoaded", function () {
      var table = document.querySelector("table.activity-log");
      if (!table || table.getAttribute("data-viewer-zone") === zone || !window.htmx) { return; }
      htmx.ajax("GET", location.href, { target: "#activity-results", swap: "innerHTML" });
    });
  }
})();
