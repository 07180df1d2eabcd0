// Adds a "Copy" button to the BibTeX block of a paper page. The page works without it: the
// BibTeX is a plain <pre>, and the download links beside it need no script.
(function () {
  var pre = document.getElementById("bibtex");
  if (!pre || !navigator.clipboard) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "copy";
  button.textContent = "Copy BibTeX";
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(pre.textContent).then(function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy BibTeX"; }, 2000);
    }, function () {
      button.textContent = "Select and copy";
    });
  });
  pre.parentNode.insertBefore(button, pre);
})();
