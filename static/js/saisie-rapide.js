// « Saisie rapide »: « Ajouter une ligne » copies the empty line (the formset's __prefix__ line)
// and counts it; « Retirer » greys a line out (its box is sent, the line ignored). Without
// JavaScript, the page offers more lines by a link and the « Retirer » boxes work as they are.
(function () {
  "use strict";
  var add = document.getElementById("ajouter-ligne");
  var template = document.getElementById("ligne-vide");
  var lines = document.getElementById("lignes");
  var total = document.getElementById("id_contacts-TOTAL_FORMS");
  if (!add || !template || !lines || !total) {
    return;
  }
  add.hidden = false;
  add.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var max = parseInt(document.getElementById("id_contacts-MAX_NUM_FORMS").value, 10);
    if (index >= max) {
      return;
    }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    lines.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = lines.lastElementChild.querySelector("input[type=text]");
    if (first) {
      first.focus();
    }
  });
  lines.addEventListener("change", function (event) {
    if (event.target.classList.contains("retirer") && event.target.checked) {
      var row = event.target.closest("tr");
      if (row) {
        row.classList.add("ligne-retiree");
      }
    } else if (event.target.classList.contains("retirer")) {
      var back = event.target.closest("tr");
      if (back) {
        back.classList.remove("ligne-retiree");
      }
    }
  });
})();
