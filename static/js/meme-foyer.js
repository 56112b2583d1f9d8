// « Même foyer »: ticking the box fills the contact's address fields left empty with the
// patient zéro's address (the server does the same when the form is sent without JavaScript).
(function () {
  "use strict";
  var box = document.getElementById("id_meme_foyer");
  var household = document.getElementById("adresse-foyer");
  if (!box || !household) {
    return;
  }
  var fields = { voie: "voie", code_postal: "codePostal", commune: "commune" };
  box.addEventListener("change", function () {
    if (!box.checked) {
      return;
    }
    Object.keys(fields).forEach(function (name) {
      var input = document.getElementById("id_" + name);
      var value = household.dataset[fields[name]] || "";
      if (input && value && !input.value.trim()) {
        input.value = value;
      }
    });
  });
})();
