// Shows the agent the end of the quatorzaine (date du dernier contact + 14 days) as it is typed.
(function () {
  "use strict";
  var input = document.getElementById("id_date_dernier_contact");
  var output = document.getElementById("fin-quatorzaine");
  if (!input || !output) {
    return;
  }
  function update() {
    var parts = (input.value || "").split("-");
    if (parts.length !== 3) {
      output.textContent = "";
      return;
    }
    var end = new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2] + 14));
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    output.textContent = "Fin de la quatorzaine : " + pad(end.getUTCDate()) + "/" +
      pad(end.getUTCMonth() + 1) + "/" + end.getUTCFullYear();
  }
  input.addEventListener("input", update);
  input.addEventListener("change", update);
  update();
})();
