/* A search box over a list of checkboxes (the evidence on record in a proposal form): typing
   hides the choices whose label lacks every typed word. Without JavaScript every choice shows. */
document.addEventListener("input", function (event) {
  var box = event.target;
  if (!box.matches("[data-filter-choices]")) {
    return;
  }
  var list = document.getElementById(box.dataset.filterChoices);
  var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
  list.querySelectorAll(".form-check").forEach(function (choice) {
    var text = choice.textContent.toLowerCase();
    choice.hidden = !words.every(function (word) { return text.includes(word); });
  });
});
