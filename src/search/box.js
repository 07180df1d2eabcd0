// The search box's loader, on every page that has a box: search.js and the results' stylesheet
// are fetched only when a reader comes to search (the box gets focus or the pointer, or `/` is
// pressed), so pages nobody searches from stay light. The form names what to fetch:
// `data-script` (search.js) and, optionally, `data-stylesheet`.
(function () {
  var form = document.querySelector("form[data-search-form][data-script]");
  if (!form) return;
  var input = form.querySelector("input");
  var loaded = false;
  function load() {
    if (loaded) return;
    loaded = true;
    var css = form.getAttribute("data-stylesheet");
    if (css) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = css;
      document.head.appendChild(link);
    }
    var script = document.createElement("script");
    script.src = form.getAttribute("data-script");
    script.onload = function () {
      if (input && input.value) input.dispatchEvent(new Event("input"));
    };
    document.head.appendChild(script);
  }
  form.addEventListener("focusin", load);
  form.addEventListener("pointerenter", load);
  document.addEventListener("keydown", function (event) {
    var tag = event.target && event.target.tagName;
    if (event.key === "/" && !loaded && tag !== "INPUT" && tag !== "TEXTAREA" && input) {
      event.preventDefault();
      input.focus();
    }
  });
})();
