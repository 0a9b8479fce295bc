// Progressive enhancement of the question forms: show only the fields that apply to the chosen
// type of answer. Without this file every field shows, and those of other types are ignored.
(function () {
  "use strict";

  function enhance(form) {
    var select = form.querySelector("[data-question-type]");
    if (!select) { return; }
    var groups = form.querySelectorAll("[data-for-types]");

    function update() {
      for (var i = 0; i < groups.length; i++) {
        var types = groups[i].getAttribute("data-for-types").split(" ");
        groups[i].hidden = types.indexOf(select.value) === -1;
      }
    }

    select.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("[data-question-form]");
    for (var i = 0; i < forms.length; i++) { enhance(forms[i]); }
  });
})();
