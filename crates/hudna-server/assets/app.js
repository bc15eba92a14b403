// Hudna desk: progressive enhancement only; every page works without it.
// The map's date slider shows the chosen day while dragging and submits on release.
document.addEventListener("DOMContentLoaded", function () {
  var range = document.getElementById("day-range");
  var date = document.getElementById("map-at");
  if (range && date) {
    var epoch = Date.UTC(1970, 0, 1);
    var toIso = function (n) { return new Date(epoch + n * 86400000).toISOString().slice(0, 10); };
    range.addEventListener("input", function () { date.value = toIso(parseInt(range.value, 10)); });
    range.addEventListener("change", function () { date.form.submit(); });
  }
});
