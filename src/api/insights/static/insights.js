'use strict';
// The insights page: signs in with the API's own tokens (an access token in the URL fragment,
// #token=..., or email and password), then draws GET /api/v1/insights/rooms with Chart.js.
(() => {
  const API = '/api/v1';
  const $ = (id) => document.getElementById(id);
  const DAY = 86_400_000;
  const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const charts = {};

  let token = sessionStorage.getItem('roombook.insights.token');
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get('token')) {
    token = fragment.get('token');
    sessionStorage.setItem('roombook.insights.token', token);
    history.replaceState(null, '', location.pathname + location.search);
  }

  const state = (name) => (document.body.dataset.state = name);
  const say = (text) => ($('message').textContent = text);
  const isoDay = (t) => new Date(t).toISOString().slice(0, 10);

  function signedOut(reason) {
    token = null;
    sessionStorage.removeItem('roombook.insights.token');
    $('filters').hidden = true;
    $('charts').hidden = true;
    $('sign-in').hidden = false;
    state('signed-out');
    say(reason || '');
  }

  async function api(path) {
    const res = await fetch(API + path, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 401) throw Object.assign(new Error('Your session has ended: sign in again.'), { signOut: true });
    if (res.status === 403) throw Object.assign(new Error('Insights are for facility managers and admins.'), { signOut: true });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error ? body.error.message : `HTTP ${res.status}`);
    return body;
  }

  const query = (from, to) => {
    const q = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
    if ($('building').value.trim()) q.set('building', $('building').value.trim());
    return q;
  };

  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart($(id), { ...config, options: { animation: false, responsive: true, ...config.options } });
  }

  const percent = (v) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
  const hours = (v) => `${v.toFixed(1)} h`;

  function drawTotals(t) {
    const figures = [
      ['Bookings', t.bookings],
      ['Booked', hours(t.bookedHours)],
      ['Used', hours(t.usedHours)],
      ['Utilization', percent(t.utilization)],
      ['No-shows', t.noShows],
      ['Ghost rate', percent(t.ghostRate)],
      ['Released', hours(t.releasedHours)],
      ['Rebooked', hours(t.rebookedHours)],
      ['Recovered', hours(t.recoveredHours)],
      ['Late cancellations', t.lateCancellations],
    ];
    $('totals').replaceChildren(
      ...figures.map(([label, value]) => {
        const div = document.createElement('div');
        const strong = document.createElement('strong');
        strong.textContent = String(value);
        const span = document.createElement('span');
        span.textContent = label;
        div.append(strong, span);
        return div;
      }),
    );
  }

  function drawHeatmap(cells) {
    const max = Math.max(...cells.map((c) => c.bookedHours), 0);
    const head = document.createElement('tr');
    head.append(document.createElement('th'));
    for (let h = 0; h < 24; h++) {
      const th = document.createElement('th');
      th.textContent = h % 3 === 0 ? String(h) : '';
      head.append(th);
    }
    const rows = WEEKDAYS.map((name, d) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.textContent = name;
      tr.append(th);
      for (const c of cells.filter((cell) => cell.weekday === d + 1)) {
        const td = document.createElement('td');
        const alpha = max > 0 ? c.bookedHours / max : 0;
        td.style.background = `rgba(37, 99, 235, ${alpha.toFixed(3)})`;
        td.title = `${name} ${c.hour}:00 · booked ${hours(c.bookedHours)}, used ${hours(c.usedHours)}`;
        td.dataset.booked = String(c.bookedHours);
        tr.append(td);
      }
      return tr;
    });
    $('heatmap').replaceChildren(head, ...rows);
  }

  async function show() {
    state('loading');
    say('');
    const from = Date.parse($('from').value);
    const to = Date.parse($('to').value) + DAY;
    try {
      const report = await api(`/insights/rooms?${query(from, to)}`);
      // Ghost rate by week: one call per week of the window (at most 53).
      const weeks = [];
      for (let start = from; start < to; start += 7 * DAY) weeks.push([start, Math.min(start + 7 * DAY, to)]);
      const weekly = [];
      for (const [start, end] of weeks) weekly.push((await api(`/insights/rooms?${query(start, end)}`)).totals);

      $('csv').href = '#';
      drawTotals(report.totals);
      const labels = report.rooms.map((r) => `${r.building} · ${r.name}`);
      draw('utilization', {
        type: 'bar',
        data: { labels, datasets: [{ label: 'Utilization (%)', data: report.rooms.map((r) => (r.utilization ?? 0) * 100), backgroundColor: '#2563eb' }] },
        options: { indexAxis: 'y', scales: { x: { min: 0, suggestedMax: 100 } } },
      });
      draw('ghost-rate', {
        type: 'line',
        data: {
          labels: weeks.map(([start]) => isoDay(start)),
          datasets: [{ label: 'Ghost rate (%)', data: weekly.map((t) => (t.ghostRate === null ? null : t.ghostRate * 100)), borderColor: '#dc2626', spanGaps: true }],
        },
        options: { scales: { y: { min: 0, suggestedMax: 100 } } },
      });
      draw('released-recovered', {
        type: 'bar',
        data: {
          labels,
          datasets: [
            { label: 'Released hours', data: report.rooms.map((r) => r.releasedHours), backgroundColor: '#f59e0b' },
            { label: 'Rebooked hours', data: report.rooms.map((r) => r.rebookedHours), backgroundColor: '#a3a3a3' },
            { label: 'Recovered hours', data: report.rooms.map((r) => r.recoveredHours), backgroundColor: '#16a34a' },
          ],
        },
      });
      drawHeatmap(report.heatmap);
      $('charts').hidden = false;
      document.body.dataset.rooms = String(report.rooms.length);
      state('ready');
    } catch (err) {
      if (err.signOut) return signedOut(err.message);
      say(err.message);
      state('error');
    }
  }

  async function downloadCsv(event) {
    event.preventDefault();
    const from = Date.parse($('from').value);
    const to = Date.parse($('to').value) + DAY;
    const res = await fetch(`${API}/insights/rooms?${query(from, to)}&format=csv`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) return say(`CSV: HTTP ${res.status}`);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await res.blob());
    link.download = 'room-insights.csv';
    link.click();
  }

  function signedIn() {
    $('sign-in').hidden = true;
    $('filters').hidden = false;
    show();
  }

  $('sign-in').addEventListener('submit', async (event) => {
    event.preventDefault();
    const res = await fetch(`${API}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: $('email').value, password: $('password').value }),
    });
    const body = await res.json();
    if (!res.ok) return say(body.error ? body.error.message : `HTTP ${res.status}`);
    token = body.accessToken;
    sessionStorage.setItem('roombook.insights.token', token);
    signedIn();
  });
  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    show();
  });
  $('csv').addEventListener('click', downloadCsv);
  $('sign-out').addEventListener('click', () => signedOut('Signed out.'));

  const now = Date.now();
  $('from').value = fragment.get('from') || isoDay(now - 27 * DAY);
  $('to').value = fragment.get('to') || isoDay(now);
  if (token) signedIn();
  else signedOut();
})();
