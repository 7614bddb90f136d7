// Filters the listed apps as the user types; without JavaScript the
// search form reloads the page with ?q= instead.
(function () {
  var q = document.getElementById("q"), apps = document.querySelectorAll(".app"), count = document.getElementById("count");
  if (!q) return;
  q.addEventListener("input", function () {
    var t = q.value.trim().toLowerCase(), n = 0;
    apps.forEach(function (a) {
      var show = a.getAttribute("data-text").indexOf(t) >= 0;
      a.hidden = !show;
      if (show) n++;
    });
    count.textContent = n + (n === 1 ? " app" : " apps");
  });
})();
