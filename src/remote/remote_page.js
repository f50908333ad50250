// The viewer's page: logs in (the token comes back as an HttpOnly cookie), lists the sessions this
// user may watch, and follows one over /api/sessions/ID/live: ten seconds of traces, the newest
// values, and the end-to-end delay (player's frame to this screen).
(() => {
  const colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
  const windowS = 10;
  const $ = (id) => document.getElementById(id);
  // For tests and the curious: every delay measured (ms), and each one less the player's own latency
  // (what the network and the server add).
  const state = (window.pianokpmRemote = { delays: [], added: [], events: 0, rows: 0 });
  let source = null;

  async function api(path, options) {
    const res = await fetch(path, Object.assign({ credentials: 'same-origin' }, options));
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(body.error || res.statusText), { status: res.status });
    return body;
  }

  function median(xs) {
    if (!xs.length) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  }

  async function showSessions() {
    let me;
    try {
      me = await api('/api/me');
    } catch (e) {
      $('login').hidden = false;
      return;
    }
    $('login').hidden = true;
    $('who').textContent = `logged in as ${me.user} (${me.role})`;
    const { sessions } = await api('/api/sessions');
    const body = $('sessions').tBodies[0];
    body.replaceChildren();
    for (const s of sessions) {
      const tr = body.insertRow();
      tr.dataset.session = s.id;
      for (const text of [s.player, s.title, new Date(s.started_s * 1000).toLocaleString(),
        `${s.duration_s.toFixed(1)} s`, s.ended ? 'ended' : 'live'])
        tr.insertCell().textContent = text;
      const link = document.createElement('a');
      link.href = `/api/sessions/${s.id}/report`;
      link.target = '_blank';
      link.rel = 'noopener';
      link.textContent = 'report';
      link.addEventListener('click', (e) => e.stopPropagation());
      tr.insertCell().appendChild(link);
      tr.addEventListener('click', () => follow(s));
    }
    $('sessions-view').hidden = false;
    const wanted = new URLSearchParams(location.hash.slice(1)).get('session');
    const match = sessions.find((s) => String(s.id) === wanted);
    if (match && !source) follow(match);
  }

  function follow(session) {
    if (source) source.close();
    location.hash = `session=${session.id}`;
    $('session-view').hidden = false;
    $('session-title').textContent = `${session.player}: ${session.title || 'session ' + session.id}`;
    const d = session.details || {};
    $('session-note').textContent = (d.model ? `Estimated by the model ${d.model}` : 'Estimated') +
      (d.synthetic_model ? ', trained on synthetic data: not a measurement.' : ': not a measurement.');
    $('report-link').href = `/api/sessions/${session.id}/report`;
    $('video').src = `/api/sessions/${session.id}/video.mjpg`;
    const table = $('muscles');
    while (table.rows.length > 1) table.deleteRow(1);
    const cells = session.channels.map((name) => {
      const tr = table.insertRow();
      tr.insertCell().textContent = name;
      const td = tr.insertCell();
      td.textContent = '–';
      return td;
    });
    const data = [[], ...session.channels.map(() => [])];
    const chartEl = $('chart');
    chartEl.replaceChildren();
    const chart = new uPlot({
      width: Math.max(320, chartEl.clientWidth || 900), height: 260,
      scales: { x: { time: false } },
      axes: [{ label: 'session time (s)' }, { label: 'activation' }],
      series: [{ label: 's' }, ...session.channels.map((c, i) => ({ label: c, stroke: colours[i % colours.length], width: 1.5 }))],
    }, data, chartEl);
    const recent = [];  // [arrival ms, delay ms]
    source = new EventSource(`/api/sessions/${session.id}/live`);
    source.onopen = () => { $('connection').textContent = 'connected'; };
    source.onerror = () => { $('connection').textContent = 'connection lost: retrying…'; };
    source.addEventListener('end', () => {
      $('connection').textContent = 'the session has ended';
      source.close();
    });
    source.onmessage = (message) => {
      const e = JSON.parse(message.data);
      const now = Date.now();
      state.events += 1;
      for (const p of e.points) {
        data[0].push(p[0] / e.rate_hz);
        for (let c = 1; c < p.length; c++) data[c].push(p[c]);
      }
      state.rows = e.next_seq;
      const newest = data[0].length ? data[0][data[0].length - 1] : 0;
      while (data[0].length && data[0][0] < newest - windowS) data.forEach((d) => d.shift());
      const last = e.points[e.points.length - 1];
      if (last) cells.forEach((td, c) => { td.textContent = last[c + 1].toFixed(4); });
      // Only live rows measure delay: history a late viewer is sent first would count its age.
      if (now - e.sent_ms < 2000) {
        const delay = now - e.emitted_ms + e.latency_ms;
        state.delays.push(delay);
        state.added.push(now - e.emitted_ms);
        recent.push([now, delay]);
      }
      while (recent.length && recent[0][0] < now - 5000) recent.shift();
      $('delay').textContent = recent.length ? median(recent.map((r) => r[1])).toFixed(0) : '–';
      $('player-latency').textContent = e.latency_ms.toFixed(0);
      $('rows').textContent = e.next_seq;
      const st = e.status || {};
      if (st.media_time_s !== undefined) $('media-time').textContent = st.media_time_s.toFixed(2);
      if (st.fps !== undefined) $('fps').textContent = st.fps.toFixed(1);
      if (st.frames_dropped !== undefined) $('dropped').textContent = st.frames_dropped;
      if (st.familiarity !== undefined) $('familiarity').textContent = st.familiarity === null ? 'n/a' : st.familiarity.toFixed(3);
      chart.setData(data);
    };
  }

  $('login').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('login-error').hidden = true;
    try {
      await api('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user: $('user').value, password: $('password').value }) });
      $('password').value = '';
      await showSessions();
    } catch (e) {
      $('login-error').textContent = e.message;
      $('login-error').hidden = false;
    }
  });
  showSessions();
  setInterval(() => { if (!$('sessions-view').hidden) showSessions(); }, 5000);
})();
