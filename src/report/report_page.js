// Builds the interactive traces of a pianokpm report from the JSON in #pianokpm-data (uPlot).
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('pianokpm-data').textContent);
  const colours = ['#e69f00', '#56b4e9', '#009e73', '#c9b800', '#0072b2', '#cc79a7'];
  const host = document.getElementById('traces');
  const select = document.getElementById('performance');
  let charts = [];
  let syncing = false;

  const fmt = (u, v) => (v == null ? '-' : v.toFixed(3));
  function setRange(min, max) {
    syncing = true;
    charts.forEach((c) => c.setScale('x', { min: min, max: max }));
    syncing = false;
  }
  function onScale(u, key) {
    if (key !== 'x' || syncing) return;
    const s = u.scales.x;
    syncing = true;
    charts.forEach((c) => { if (c !== u) c.setScale('x', { min: s.min, max: s.max }); });
    syncing = false;
  }

  function build(index) {
    charts.forEach((c) => c.destroy());
    charts = [];
    host.textContent = '';
    const p = data.performances[index];
    const first = p.estimated || p.measured;
    const n = first[0].length;
    const xs = Array.from({ length: n }, (_, i) => i / data.display_rate_hz);
    const width = Math.max(480, Math.min(1200, host.clientWidth || 960));
    const sync = uPlot.sync('pianokpm');
    const common = {
      width: width, height: 150,
      scales: { x: { time: false } },
      cursor: { sync: { key: sync.key, setSeries: false }, drag: { x: true, y: false } },
      hooks: { setScale: [onScale] },
    };
    data.muscles.forEach((m, c) => {
      const series = [{ label: 'time (s)', value: fmt }];
      const columns = [xs];
      if (p.measured) { series.push({ label: 'measured', stroke: '#333', width: 1, value: fmt }); columns.push(p.measured[c]); }
      if (p.estimated) { series.push({ label: 'estimated', stroke: colours[c], width: 2, value: fmt }); columns.push(p.estimated[c]); }
      const bands = [];
      if (p.lower && p.upper) {
        // The interval around the estimate: two faint bounds and the band between them.
        series.push({ label: 'upper bound', stroke: colours[c] + '66', width: 1, value: fmt }); columns.push(p.upper[c]);
        series.push({ label: 'lower bound', stroke: colours[c] + '66', width: 1, value: fmt }); columns.push(p.lower[c]);
        bands.push({ series: [series.length - 2, series.length - 1], fill: colours[c] + '33' });
      }
      const div = document.createElement('div');
      div.className = 'chart';
      div.dataset.muscle = m.code;
      host.appendChild(div);
      const opts = Object.assign({}, common, {
        title: m.code + ': ' + m.name + ' (' + m.function + ')',
        series: series,
        bands: bands,
        axes: [{ label: 'time (s)' }, { label: 'activation', size: 60 }],
      });
      charts.push(new uPlot(opts, columns, div));
    });
    if (p.keystrokes && p.keystrokes.length) {
      const div = document.createElement('div');
      div.className = 'chart';
      div.dataset.muscle = 'keys';
      host.appendChild(div);
      const kx = p.keystrokes.map((k) => k[0]);
      const ky = p.keystrokes.map((k) => k[1]);
      const opts = Object.assign({}, common, {
        title: 'Keystrokes (' + p.keystrokes.length + '; key number 1 = A0, 40 = middle C, 88 = C8)',
        series: [{ label: 'time (s)', value: fmt },
          { label: 'key', stroke: '#222', paths: () => null, points: { show: true, size: 5, fill: '#222' },
            value: (u, v) => (v == null ? '-' : String(v)) }],
        axes: [{ label: 'time (s)' }, { label: 'key', size: 60 }],
        scales: { x: { time: false } },
      });
      const keysChart = new uPlot(opts, [kx, ky], div);
      keysChart.setScale('x', { min: 0, max: xs[xs.length - 1] });
      charts.push(keysChart);
    }
    document.getElementById('shown').textContent = p.name;
  }

  function shift(fraction) {
    const s = charts[0].scales.x;
    const d = (s.max - s.min) * fraction;
    setRange(s.min + d, s.max + d);
  }
  function zoom(factor) {
    const s = charts[0].scales.x;
    const mid = (s.min + s.max) / 2, half = (s.max - s.min) * factor / 2;
    setRange(mid - half, mid + half);
  }
  document.getElementById('earlier').addEventListener('click', () => shift(-0.5));
  document.getElementById('later').addEventListener('click', () => shift(0.5));
  document.getElementById('zoom-in').addEventListener('click', () => zoom(0.5));
  document.getElementById('zoom-out').addEventListener('click', () => zoom(2));
  document.getElementById('reset').addEventListener('click', () => build(select ? Number(select.value) : 0));
  if (select) select.addEventListener('change', () => build(Number(select.value)));
  build(0);
  // For tests and for readers' own scripts: the shown time range.
  window.pianokpmTimeRange = () => charts.map((c) => [c.scales.x.min, c.scales.x.max]);
  document.body.dataset.ready = 'true';
})();
