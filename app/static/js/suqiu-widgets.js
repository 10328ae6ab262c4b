/* Chinese for the widgets FAB ships in English (issue 6 item 15): bootstrap-datepicker 1.10
 * has no zh-CN locale in FAB's static files, select2 4.0 falls back to English messages and
 * FAB passes it "Select a State" as a placeholder, and FAB's filter panel calls a
 * datetimepicker plugin it does not ship. Loaded after them on every page (baselayout.html). */
(function ($) {
  "use strict";
  if (!$) {
    return;
  }

  if ($.fn.datepicker) {
    $.fn.datepicker.dates["zh-CN"] = {
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      daysShort: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
      daysMin: ["日", "一", "二", "三", "四", "五", "六"],
      months: ["一月", "二月", "三月", "四月", "五月", "六月",
               "七月", "八月", "九月", "十月", "十一月", "十二月"],
      monthsShort: ["1月", "2月", "3月", "4月", "5月", "6月",
                    "7月", "8月", "9月", "10月", "11月", "12月"],
      today: "今天",
      monthsTitle: "选择月份",
      clear: "清除",
      format: "yyyy-mm-dd",
      titleFormat: "yyyy年mm月",
      weekStart: 1
    };
    $.extend($.fn.datepicker.defaults, {
      language: "zh-CN",
      format: "yyyy-mm-dd",
      weekStart: 1,
      todayHighlight: true,
      autoclose: true
    });
    // FAB's filter panel initialises date filters with $.fn.datetimepicker (Eonasdan's
    // plugin, not shipped): without this the click handler throws half-way.
    if (!$.fn.datetimepicker) {
      $.fn.datetimepicker = function () {
        return this.datepicker();
      };
    }
  }

  if ($.fn.select2) {
    var chinese = {
      errorLoading: function () { return "无法载入结果。"; },
      inputTooLong: function (args) { return "请删除" + (args.input.length - args.maximum) + "个字符"; },
      inputTooShort: function (args) { return "请再输入至少" + (args.minimum - args.input.length) + "个字符"; },
      loadingMore: function () { return "载入更多结果…"; },
      maximumSelected: function (args) { return "最多只能选择" + args.maximum + "个项目"; },
      noResults: function () { return "未找到结果"; },
      searching: function () { return "搜索中…"; },
      removeAllItems: function () { return "清除"; },
      removeItem: function () { return "删除"; },
      search: function () { return "搜索"; }
    };
    var original = $.fn.select2;
    original.defaults.set("language", chinese);
    // FAB hard-codes English placeholders ("Select a State", "Select") in ab.js and
    // ab_filters.js; they show once a choice is cleared.
    $.fn.select2 = function (options) {
      var args = Array.prototype.slice.call(arguments);
      if (options && typeof options === "object") {
        options = $.extend({}, options);
        if (typeof options.placeholder === "string" && /^Select\b/.test(options.placeholder)) {
          options.placeholder = "请选择";
        }
        if (!options.language) {
          options.language = chinese;
        }
        args[0] = options;
      }
      return original.apply(this, args);
    };
    $.extend($.fn.select2, original);
  }

  // The browser's own file picker says "Choose Files" / "No file chosen" in the browser's
  // language, not the page's: the input stays (forms post it as before) but is drawn as a
  // Chinese button and the chosen files' names. Without JavaScript the native one shows.
  var fileInputs = 0;
  $("input[type=file]").each(function () {
    var input = this;
    if (input.getAttribute("data-suqiu-file")) {
      return;
    }
    input.setAttribute("data-suqiu-file", "1");
    if (!input.id) {
      fileInputs += 1;
      input.id = "suqiu-file-" + fileInputs;
    }
    var $names = $('<span class="suqiu-file-names text-muted"></span>').text("未选择文件");
    var $button = $('<label class="btn btn-default btn-sm suqiu-file-button"></label>')
      .attr("for", input.id).text(input.multiple ? "选择文件（可多选）" : "选择文件");
    $(input).addClass("suqiu-file-input").after($names).after($button);
    $(input).on("change", function () {
      var files = Array.prototype.map.call(input.files || [], function (file) {
        return file.name;
      });
      $names.text(files.length ? files.join("、") : "未选择文件");
    });
  });
})(window.jQuery);
