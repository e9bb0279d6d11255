/* After htmx swaps in a fragment, move focus to the part of it marked data-announce and say in
   the page's status region what happened: the element that had focus was replaced, so a
   keyboard or screen-reader user would otherwise be left nowhere, and hear nothing. */
document.addEventListener("htmx:load", function (event) {
  var fragment = event.detail.elt;
  if (fragment === document.body) {
    return; // the page's first load, not a swap
  }
  var target = fragment.matches("[data-announce]") ? fragment : fragment.querySelector("[data-announce]");
  var status = document.getElementById("htmx-status");
  if (!target || !status) {
    return;
  }
  target.focus();
  // Emptied first, so that the same message twice in a row is announced twice.
  status.textContent = "";
  window.setTimeout(function () {
    status.textContent = target.dataset.announce;
  }, 100);
});
