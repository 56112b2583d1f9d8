// Before an idle session ends, a discreet notice offers to stay signed in (accounts.views.rester_connecte).
(function () {
  "use strict";
  var notice = document.getElementById("session-notice");
  if (!notice) {
    return;
  }
  var form = notice.querySelector("form");
  var idle = Number(notice.getAttribute("data-idle")) * 1000;
  var warnBefore = Math.min(120000, idle / 4);
  var timer = null;

  function arm() {
    window.clearTimeout(timer);
    notice.hidden = true;
    timer = window.setTimeout(function () {
      notice.hidden = false;
    }, idle - warnBefore);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      redirect: "manual"
    }).then(function (response) {
      if (response.status === 204) {
        arm();
      } else {
        window.location.reload();  // already expired: the sign-in page says so
      }
    }, function () {
      notice.querySelector("[data-error]").hidden = false;
    });
  });
  arm();
})();
