// The live view: listens to /events (one message per model run) and keeps the newest ten
// seconds of the six traces in a uPlot chart; the numbers are those of the newest row, exactly
// as the text output prints them.
(() => {
  const config = JSON.parse(document.getElementById('config').textContent);
  const colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
  const windowS = 10;
  document.getElementById('title').textContent = config.title;
  document.title = config.title;
  if (config.unfamiliar_fallback) {
    document.getElementById('familiarity-consequence').textContent =
      `the network's estimates are not to be trusted now; ${config.unfamiliar_fallback}`;
  }
  if (config.note) {
    const note = document.getElementById('note');
    note.textContent = config.note;
    note.hidden = false;
  }
  const table = document.getElementById('muscles');
  const cells = config.muscles.map((m, i) => {
    const tr = table.insertRow();
    tr.insertCell().textContent = `${m.code} (${m.name})`;
    const value = tr.insertCell();
    value.className = 'value';
    value.dataset.muscle = m.code;
    value.textContent = '–';
    const bar = document.createElement('div');
    bar.className = 'bar';
    const fill = document.createElement('div');
    fill.style.background = colours[i];
    bar.appendChild(fill);
    tr.insertCell().appendChild(bar);
    return { value, fill };
  });

  const data = [[], ...config.muscles.map(() => [])];
  const chartEl = document.getElementById('chart');
  const chart = new uPlot({
    width: Math.max(320, chartEl.clientWidth || 900), height: 260,
    scales: { x: { time: false } },
    axes: [{ label: 'media time (s)' }, { label: 'activation' }],
    series: [{ label: 's', value: (u, v) => (v == null ? '–' : v.toFixed(2)) },
      ...config.muscles.map((m, i) => ({ label: m.code, stroke: colours[i], width: 1.5,
        value: (u, v) => (v == null ? '–' : v.toFixed(4)) }))],
  }, data, chartEl);
  window.addEventListener('resize', () => chart.setSize({ width: Math.max(320, chartEl.clientWidth), height: 260 }));

  let peak = 0.1;
  let events = 0;
  // The last second's window familiarities (one per model run); their median decides the warning,
  // so that one odd window does not flash it.
  const recentFamiliarity = [];
  const familiarityCell = document.getElementById('familiarity');
  const familiarityWarning = document.getElementById('familiarity-warning');
  const showFamiliarity = (value, newest) => {
    if (value === null || value === undefined) {
      familiarityCell.textContent = 'not given by this model';
      return;
    }
    recentFamiliarity.push([newest, value]);
    while (recentFamiliarity.length && recentFamiliarity[0][0] < newest - 1) recentFamiliarity.shift();
    const sorted = recentFamiliarity.map((p) => p[1]).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    familiarityCell.textContent = Number(value).toFixed(2);
    const unfamiliar = median < config.unfamiliar_below;
    familiarityWarning.hidden = !unfamiliar;
    document.body.dataset.unfamiliar = String(unfamiliar);
  };
  const source = new EventSource('events');
  source.onopen = () => { document.getElementById('connection').textContent = 'connected'; };
  source.onerror = () => { document.getElementById('connection').textContent = 'connection lost: retrying…'; };
  source.onmessage = (message) => {
    const e = JSON.parse(message.data);
    const lastShown = data[0].length ? data[0][data[0].length - 1] : -Infinity;
    (e.t || []).forEach((t, r) => {
      if (t <= lastShown) return;  // a reconnection replays the server's history
      data[0].push(t);
      e.v[r].forEach((v, c) => data[c + 1].push(v));
    });
    const newest = data[0].length ? data[0][data[0].length - 1] : 0;
    let cut = 0;
    while (cut < data[0].length && data[0][cut] < newest - windowS) cut += 1;
    if (cut > 0) data.forEach((series) => series.splice(0, cut));
    chart.setData(data);

    // e.last: time_s, latency_ms, then the six envelopes, as printed by the text output.
    const [time, latency, ...values] = e.last;
    document.getElementById('media-time').textContent = time;
    document.getElementById('latency').textContent = Number(e.latency_ms).toFixed(1);
    document.getElementById('fps').textContent = Number(e.fps).toFixed(1);
    document.getElementById('dropped').textContent = e.dropped;
    document.getElementById('with-hand').textContent = `${e.with_hand} of ${e.tracked}`;
    showFamiliarity(e.familiarity, newest);
    values.forEach((v, c) => {
      cells[c].value.textContent = v;
      peak = Math.max(peak, Number(v));
      cells[c].fill.style.width = `${Math.min(100, (100 * Number(v)) / peak)}%`;
    });
    events += 1;
    document.body.dataset.events = String(events);
    document.body.dataset.lastLatency = latency;
    document.body.dataset.ready = 'true';
  };
})();
