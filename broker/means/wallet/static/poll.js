// Wallet page status polling (ui-nl-design-system.md §6.3): every 2 s, slower while the tab
// is hidden; on a final state the page's own "continue" form is submitted, so the server
// decides what happens (no navigation target is taken from the status answer).
(function () {
  "use strict";
  var region = document.getElementById("wallet-status");
  var form = document.getElementById("wallet-continue");
  if (!region || !form || !window.fetch) {
    return;
  }
  var url = region.getAttribute("data-status-url");
  var delay = 2000;

  function schedule(ms) {
    window.setTimeout(poll, ms);
  }

  function show(name) {
    region.textContent = region.getAttribute(name) || region.textContent;
  }

  function poll() {
    if (document.hidden) {
      schedule(delay * 2);
      return;
    }
    window.fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : { status: "gone" };
    }).then(function (answer) {
      if (answer.status === "pending") {
        schedule(delay);
      } else if (answer.status === "done" && !answer["continue"]) {
        show("data-text-elsewhere");
      } else {
        show(answer.status === "done" ? "data-text-done" : "data-text-failed");
        form.submit();
      }
    }).catch(function () {
      schedule(delay * 2);
    });
  }

  schedule(delay);
})();
