/* The complaint determination form (投诉认定): the parts of the form that apply to the choice
 * made are shown — 有效 shows the Art.8 category, the grade with its Art.9 criteria and the
 * responsibility; 无效 the reason; a personal cause the employee; the answer to an objection
 * the form of the changed determination. Hidden parts are disabled, so they are not sent; the
 * server checks everything again. Without JavaScript every part stays. */
(function ($) {
  "use strict";
  if (!$) {
    return;
  }

  function toggle($part, shown) {
    $part.toggle(shown);
    $part.find("input, select, textarea").prop("disabled", !shown);
  }

  function follow($form) {
    function refresh() {
      var determination = $form.find("input[data-determination]:checked").val();
      var responsibility = $form.find("input[data-responsibility]:checked").val();
      var outcome = $form.find("input[data-outcome]:checked").val();
      var changing = outcome === undefined || outcome === "change";
      $form.find("[data-when=change]").each(function () {
        toggle($(this), changing);
      });
      // The unit's label: 责任单位, or 涉及单位 of an invalid complaint.
      $form.find("[data-label=valid]").toggle(determination !== "invalid");
      $form.find("[data-label=invalid]").toggle(determination === "invalid");
      if (!changing) {
        return;
      }
      $form.find("[data-when=valid]").each(function () {
        toggle($(this), determination === "valid");
      });
      $form.find("[data-when=invalid]").each(function () {
        toggle($(this), determination === "invalid");
      });
      $form.find("[data-when=personal]").each(function () {
        toggle($(this), determination === "valid" && responsibility === "personal");
      });
    }
    $form.on("change", "input[type=radio]", refresh);
    refresh();
  }

  $(function () {
    $("#form-determination, #form-answer").each(function () {
      follow($(this));
    });
  });
})(window.jQuery);
