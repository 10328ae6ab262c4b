// The import's confirm button (app/views/case_imports.py): the form is posted in the background
// while the progress bar polls the rows done; without JavaScript the plain post simply waits.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.id !== "form-confirm" || !window.fetch) { return; }
  event.preventDefault();
  var button = form.querySelector("button");
  var box = document.getElementById("import-progress");
  var bar = box.querySelector("progress");
  var text = box.querySelector(".progress-text");
  button.disabled = true;
  box.hidden = false;
  var timer = window.setInterval(function () {
    fetch(form.getAttribute("data-progress"), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (state.total) { bar.max = state.total; }
        bar.value = state.done;
        text.textContent = state.done + " / " + bar.max;
      }).catch(function () {});
  }, 700);
  fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                      headers: {"X-Requested-With": "fetch"}})
    .then(function (r) { return r.json(); })
    .then(function (answer) { window.clearInterval(timer); window.location = answer.url; })
    .catch(function () { window.clearInterval(timer); window.location.reload(); });
});
