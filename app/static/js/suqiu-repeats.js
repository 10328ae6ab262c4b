/* 重复诉求 on the registration form: as the agent types the phone number, gas account or address,
 * the caller's earlier open cases are fetched (RepeatRequestView.candidates, an HTML fragment)
 * and shown inside the form, each with a choice "link as 关联单 of this case"; the form sends
 * the choice as repeat_of and the server checks it again. Without JavaScript the form works,
 * without the look-up. */
(function () {
  "use strict";
  var panel = document.getElementById("repeat-panel");
  var form = document.getElementById("register-form");
  if (!panel || !form) {
    return;
  }
  var url = panel.getAttribute("data-url");
  var fields = { phone: "customer_phone", account: "gas_account", address: "customer_address" };
  var timer = null;
  var last = null;

  function chosen() {
    var checked = form.querySelector("input[name=repeat_of]:checked");
    return checked ? checked.value : panel.getAttribute("data-chosen") || "";
  }

  function refresh() {
    var params = new URLSearchParams();
    Object.keys(fields).forEach(function (key) {
      var input = form.elements[fields[key]];
      params.set(key, input ? input.value.trim() : "");
    });
    var query = params.toString();
    if (query === last) {
      return;
    }
    last = query;
    params.set("chosen", chosen());
    fetch(url + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        if (query === last) {
          // The agent may have chosen while this answer was on its way: keep that choice.
          var keep = chosen();
          panel.innerHTML = html;
          var choices = form.querySelectorAll("input[name=repeat_of]");
          for (var i = 0; i < choices.length; i += 1) {
            if (choices[i].value === keep) {
              choices[i].checked = true;
            }
          }
        }
      })
      .catch(function () {});
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  }

  Object.keys(fields).forEach(function (key) {
    var input = form.elements[fields[key]];
    if (input) {
      input.addEventListener("input", later);
      input.addEventListener("change", refresh);
    }
  });
  refresh();
})();
