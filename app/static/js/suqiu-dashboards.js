/* The dashboards' charts (issue 9): drawn with the vendored ECharts from the JSON the page
   carries (#dashboard-data); a click on a bar, slice, point or calendar cell opens the case list
   filtered to the cases behind it. The print view offers the browser's print dialog. */
(function () {
  'use strict';

  function data() {
    var node = document.getElementById('dashboard-data');
    return node ? JSON.parse(node.textContent) : { charts: [] };
  }

  function titled(chart, wall) {
    return { text: chart.title, left: 'center', textStyle: { fontSize: wall ? 18 : 14, color: wall ? '#e8eef7' : '#333' } };
  }

  function everyDay(chart) {
    /* Each day of the period, 0 where nothing was received (a cell, not a hole). */
    var counts = {};
    chart.labels.forEach(function (day, i) { counts[day] = chart.values[i]; });
    var days = [];
    var day = new Date(chart.range[0] + 'T00:00:00Z');
    var last = new Date(chart.range[1] + 'T00:00:00Z');
    while (day <= last) {
      var key = day.toISOString().slice(0, 10);
      days.push([key, counts[key] || 0]);
      day.setUTCDate(day.getUTCDate() + 1);
    }
    return days;
  }

  function option(chart, wall) {
    var text = wall ? '#cfd8e3' : '#555';
    var base = { title: titled(chart, wall), tooltip: {}, backgroundColor: 'transparent',
      animation: !document.body.classList.contains('suqiu-printing') };
    if (chart.kind === 'pie') {
      return Object.assign(base, {
        tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
        series: [{ type: 'pie', radius: ['30%', '62%'], top: 30,
          label: { color: text, formatter: '{b}\n{c}' },
          data: chart.labels.map(function (label, i) { return { name: label, value: chart.values[i] }; }) }]
      });
    }
    if (chart.kind === 'calendar') {
      var max = Math.max.apply(null, chart.values.concat([1]));
      return Object.assign(base, {
        tooltip: { formatter: function (p) { return p.value[0] + '：' + p.value[1]; } },
        visualMap: { min: 0, max: max, orient: 'horizontal', right: 20, top: 0, itemHeight: 80,
          calculable: true, textStyle: { color: text }, inRange: { color: ['#e0f3f8', '#4575b4', '#313695'] } },
        calendar: { range: chart.range, top: 72, bottom: 10, left: 40, right: 20, cellSize: ['auto', 'auto'],
          itemStyle: { borderColor: wall ? '#1f3b5e' : '#ddd' },
          splitLine: { lineStyle: { color: wall ? '#7fd1ff' : '#999' } },
          yearLabel: { show: false }, dayLabel: { nameMap: 'ZH', color: text, firstDay: 1 },
          monthLabel: { nameMap: 'ZH', color: text } },
        series: [{ type: 'heatmap', coordinateSystem: 'calendar', data: everyDay(chart) }]
      });
    }
    var line = chart.kind === 'line';
    var horizontal = !line && chart.labels.length > 8;
    var category = { type: 'category', data: chart.labels, axisLabel: { color: text, interval: 0, rotate: (!horizontal && chart.labels.length > 6) ? 30 : 0 } };
    var value = { type: 'value', minInterval: 1, axisLabel: { color: text } };
    return Object.assign(base, {
      tooltip: { trigger: 'axis' },
      grid: { left: horizontal ? 120 : 50, right: 30, top: 55, bottom: horizontal ? 30 : 60, containLabel: false },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign(category, { inverse: true }) : value,
      series: [{ type: line ? 'line' : 'bar', data: chart.values,
        label: { show: !line && chart.values.length <= 24, position: horizontal ? 'right' : 'top', color: text },
        itemStyle: { color: chart.code === 'overdue' ? '#d9534f' : (chart.code === 'due_soon' ? '#f0ad4e' : '#337ab7') } }]
    });
  }

  function draw(chart, node, wall, empty) {
    if (!chart.values.length) {
      node.classList.add('suqiu-chart-empty');
      node.innerHTML = '';
      var title = document.createElement('div');
      title.className = 'suqiu-chart-title';
      title.textContent = chart.title;
      var note = document.createElement('div');
      note.className = 'suqiu-empty';
      note.textContent = empty;
      node.appendChild(title);
      node.appendChild(note);
      return;
    }
    var plot = window.echarts.init(node, wall ? 'dark' : null, { renderer: 'canvas' });
    plot.setOption(option(chart, wall));
    var links = {};
    chart.labels.forEach(function (label, i) { links[label] = chart.links[i]; });
    plot.on('click', function (p) {
      var key = chart.kind === 'calendar' ? p.value[0] : p.name;
      var link = chart.kind === 'calendar' ? links[key] : chart.links[p.dataIndex];
      if (link) { window.location.href = link; }
    });
    node.setAttribute('data-drawn', '1');
    window.addEventListener('resize', function () { plot.resize(); });
    window.addEventListener('beforeprint', function () { plot.resize(); });
  }

  function filters() {
    var form = document.getElementById('dashboard-filters');
    if (!form) { return; }
    var period = form.querySelector('[name=period]');
    function sync() {
      form.querySelectorAll('[data-for]').forEach(function (group) {
        var shown = group.getAttribute('data-for').split(' ').indexOf(period.value) >= 0;
        group.style.display = shown ? '' : 'none';
        group.querySelectorAll('input,select').forEach(function (input) { input.disabled = !shown; });
      });
    }
    period.addEventListener('change', sync);
    sync();
  }

  document.addEventListener('DOMContentLoaded', function () {
    filters();
    var button = document.getElementById('print-now');
    if (button) { button.addEventListener('click', function () { window.print(); }); }
    if (!window.echarts) { return; }
    var payload = data();
    var wall = !!document.querySelector('[data-wall]');
    payload.charts.forEach(function (chart) {
      var node = document.getElementById('chart-' + chart.code);
      if (node) { draw(chart, node, wall, payload.empty); }
    });
  });
})();
