// Colour scheme: "system" (the default, follows the reader's setting), "light" or "dark".
// The choice is kept in localStorage; without JavaScript the page follows the system setting.
(function () {
  var root = document.documentElement;
  var key = "digestif-theme";
  function stored() {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }
  function store(value) {
    try {
      if (value === "system") localStorage.removeItem(key); else localStorage.setItem(key, value);
    } catch (e) { /* storage disabled: the choice lasts for this page only */ }
  }
  function apply(value) {
    if (value === "light" || value === "dark") root.setAttribute("data-theme", value);
    else root.removeAttribute("data-theme");
  }
  apply(stored());
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    var order = ["system", "light", "dark"];
    function current() { return root.getAttribute("data-theme") || "system"; }
    function label() { button.textContent = "Theme: " + current(); }
    label();
    button.hidden = false;
    button.addEventListener("click", function () {
      var next = order[(order.indexOf(current()) + 1) % order.length];
      apply(next);
      store(next);
      label();
    });
  });
})();
