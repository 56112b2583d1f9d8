// An import in progress: its state is fetched again every 3 seconds and replaced in place
// (an aria-live region, no page reload), until the job has ended. Without JavaScript, the
// « Actualiser » link does the same.
(function () {
  "use strict";
  var region = document.getElementById("import-etat");
  if (!region || region.getAttribute("data-suivi") !== "en_cours") {
    return;
  }
  function poll() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("import-etat");
        if (!fresh) {
          return;
        }
        if (fresh.getAttribute("data-suivi") === "en_cours") {
          window.setTimeout(poll, 3000);
          return;
        }
        region.innerHTML = fresh.innerHTML;
        region.removeAttribute("data-suivi");
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
})();
