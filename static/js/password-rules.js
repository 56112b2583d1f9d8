// Ticks the password checklist (templates/accounts/_password_rules.html) as the person types.
// The server enforces the same rules (accounts/validators.py); this is only a guide.
(function () {
  "use strict";
  var checks = {
    length: function (value) { return value.length >= 8; },
    "case": function (value) { return /[a-z]/.test(value) && /[A-Z]/.test(value); },
    digit: function (value) { return /[0-9]/.test(value); },
    special: function (value) { return /[^A-Za-z0-9]/.test(value); }
  };
  document.querySelectorAll("input[data-password-rules]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-password-rules"));
    if (!list) { return; }
    var update = function () {
      list.querySelectorAll("li[data-rule]").forEach(function (item) {
        var ok = checks[item.getAttribute("data-rule")](input.value);
        item.classList.toggle("rule-ok", ok);
        // A different mark, not only a different colour (WCAG 1.4.1): ✓ met, ✗ not yet.
        item.querySelector(".rule-mark").textContent = ok ? "\u2713" : "\u2717";
        item.querySelector(".rule-state").textContent = ok ? " : respecté" : " : non respecté";
      });
    };
    input.addEventListener("input", update);
    update();
  });
})();
