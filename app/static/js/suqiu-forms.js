/* Dependent choices: a <select data-unit-field="branch"> whose options carry data-unit offers
 * only the options of the unit chosen in the select named by data-unit-field (the user form's
 * department follows its unit). The server renders every option and checks the pair again on
 * save; without JavaScript the whole list stays. Loaded on every page (baselayout.html). */
(function ($) {
  "use strict";
  if (!$) {
    return;
  }

  function follow($dependent) {
    var $unit = $("#" + $dependent.data("unit-field"));
    if (!$unit.length) {
      return;
    }
    // Every option once, in the server's order; the blank one (no data-unit) is always offered.
    var $all = $dependent.find("option").clone();

    function offer() {
      var unit = $unit.val();
      var current = $dependent.val();
      var $offered = $all.filter(function () {
        var own = this.getAttribute("data-unit");
        return own === null || (unit && unit !== "__None" && own === unit);
      }).clone();
      $dependent.empty().append($offered);
      var stillOffered = $offered.filter(function () {
        return this.value === current;
      }).length > 0;
      $dependent.val(stillOffered ? current : ($offered.first().val() || null));
      $dependent.trigger("change.select2");
    }

    $unit.on("change", offer);
    offer();
  }

  $(function () {
    $("select[data-unit-field]").each(function () {
      follow($(this));
    });
  });
})(window.jQuery);
