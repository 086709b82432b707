// Room display: a tablet by the door. Plain script, no build step. It reads the room's status over
// REST, then follows room.status events over Socket.IO; after a reconnect it subscribes again and
// the acknowledgement carries the current status, so nothing is missed. Events are applied only
// when their version is newer than what is shown.
/* global io */
(function () {
  'use strict';

  var roomId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
  var token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  var $ = function (id) { return document.getElementById(id); };

  var LABELS = { free: 'Free', reserved: 'Reserved', awaiting_check_in: 'Check in now', in_use: 'In use', out_of_service: 'Out of service' };
  var state = null;
  var busy = false;
  var messageTimer = null;

  function fmt(iso, opts) {
    var zone = state ? state.room.timezone : undefined;
    return new Intl.DateTimeFormat([], Object.assign({ timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, opts || {})).format(new Date(iso));
  }
  function dayOf(iso) { return fmt(iso, { hour: undefined, minute: undefined, year: 'numeric', month: '2-digit', day: '2-digit' }); }
  function span(b) { return fmt(b.start) + '–' + fmt(b.end); }
  function countdown(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var pad = function (n) { return String(n).padStart(2, '0'); };
    return (h > 0 ? h + ':' + pad(m) : String(m)) + ':' + pad(sec);
  }

  function say(text, sticky) {
    var el = $('message');
    el.textContent = text;
    el.hidden = !text;
    clearTimeout(messageTimer);
    if (text && !sticky) messageTimer = setTimeout(function () { el.hidden = true; }, 8000);
  }

  function online(yes) { $('offline').hidden = yes; }

  async function api(method, path, body, extraHeaders) {
    var res = await fetch('/api/v1' + path, {
      method: method,
      headers: Object.assign({ authorization: 'Bearer ' + token }, body ? { 'content-type': 'application/json' } : {}, extraHeaders || {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    var json = await res.json().catch(function () { return {}; });
    if (!res.ok) {
      var err = new Error((json.error && json.error.message) || res.statusText);
      err.status = res.status;
      err.code = json.error && json.error.code;
      throw err;
    }
    return json;
  }

  /** `read`: a status read now (REST, subscribe ack), at least as new as an event of the same version. */
  function apply(status, read) {
    if (!status || status.roomId !== roomId) return;
    if (state && (read ? status.version < state.version : status.version <= state.version)) return;
    state = status;
    render();
  }

  async function refresh() {
    try {
      apply(await api('GET', '/rooms/' + encodeURIComponent(roomId) + '/status'), true);
    } catch (err) {
      if (err.status === 401 || err.status === 403) say('This display is not signed in: ' + err.message, true);
    }
  }

  function render() {
    var s = state;
    document.body.dataset.status = s.status;
    $('status').dataset.status = s.status;
    $('status').textContent = LABELS[s.status] || s.status;
    $('room-name').textContent = s.room.name;
    document.title = s.room.name + ' · ' + (LABELS[s.status] || s.status);

    var cur = s.current;
    $('current').hidden = !cur;
    if (cur) {
      $('current-title').textContent = cur.title;
      $('current-organizer').textContent = cur.organizer.name;
      $('current-time').textContent = span(cur);
    }

    var list = $('today');
    list.textContent = '';
    s.today.forEach(function (b) {
      var li = document.createElement('li');
      li.dataset.bookingId = b.id;
      var time = document.createElement('span');
      time.className = 'time';
      time.textContent = span(b);
      var title = document.createElement('span');
      title.className = 'title';
      title.textContent = b.title;
      var who = document.createElement('span');
      who.className = 'who';
      who.textContent = ' · ' + b.organizer.name;
      li.append(time, title, who);
      list.append(li);
    });
    $('today-empty').hidden = s.today.length > 0;
    tick();
  }

  /** Once a second: the clock, countdowns, and what may be pressed right now. */
  function tick() {
    var now = Date.now();
    $('clock').textContent = fmt(new Date(now).toISOString());
    var s = state;
    if (!s) return;
    var cur = s.current;
    var detail = '';
    var count = '';
    if (s.status === 'free') {
      detail = s.freeUntil ? 'Free until ' + fmt(s.freeUntil) + (dayOf(s.freeUntil) !== dayOf(new Date(now).toISOString()) ? ' on ' + dayOf(s.freeUntil) : '') : 'Free for the rest of the day';
    } else if (s.status === 'awaiting_check_in' && cur) {
      var deadline = Date.parse(cur.checkInDeadline || cur.end);
      detail = now < Date.parse(cur.start) ? 'Starts in ' + countdown(Date.parse(cur.start) - now) : 'Started ' + fmt(cur.start);
      count = now < deadline ? 'Check in within ' + countdown(deadline - now) : 'Check-in closed: releasing the room';
    } else if (s.status === 'in_use' && cur) {
      detail = 'Until ' + fmt(cur.end);
      count = 'Ends in ' + countdown(Date.parse(cur.end) - now);
    } else if (s.status === 'reserved' && cur) {
      detail = cur.status === 'pending_approval' ? 'Waiting for approval' : 'Held';
      count = 'Ends in ' + countdown(Date.parse(cur.end) - now);
    } else if (s.status === 'out_of_service') {
      detail = 'This room cannot be booked right now.';
    }
    $('status-detail').textContent = detail;
    $('countdown').textContent = count;

    var canCheckIn = s.status === 'awaiting_check_in' && cur && now < Date.parse(cur.checkInDeadline || cur.end);
    $('check-in').hidden = !canCheckIn;
    $('check-in').disabled = busy;

    $('book-now').hidden = s.status !== 'free';
    if (s.status === 'free') {
      var step = (s.room.slotGranularitySeconds || 60) * 1000;
      var start = Math.ceil(now / step) * step;
      var limit = s.freeUntil ? Date.parse(s.freeUntil) : Infinity;
      document.querySelectorAll('#book-now button').forEach(function (button) {
        var end = start + Number(button.dataset.minutes) * 60000;
        button.disabled = busy || end > limit;
      });
    }
  }

  async function act(work, done) {
    if (busy) return;
    busy = true;
    tick();
    try {
      await work();
      say(done);
    } catch (err) {
      say(err.code === 'SLOT_CONFLICT' ? 'Someone just booked this time. ' + err.message : err.message || 'That did not work; try again.');
    } finally {
      busy = false;
      await refresh();
      tick();
    }
  }

  $('check-in').addEventListener('click', function () {
    var cur = state && state.current;
    if (!cur) return;
    act(function () { return api('POST', '/bookings/' + cur.id + '/check-in', {}); }, 'Checked in. Enjoy your meeting.');
  });

  document.querySelectorAll('#book-now button').forEach(function (button) {
    button.addEventListener('click', function () {
      var minutes = Number(button.dataset.minutes);
      act(function () { return api('POST', '/rooms/' + encodeURIComponent(roomId) + '/walk-up', { minutes: minutes }); }, 'Booked for ' + minutes + ' minutes.');
    });
  });

  // Report a problem: one Idempotency-Key per opened form, so a double tap or a retry is one ticket.
  var reportKey = '';
  $('report-problem').addEventListener('click', function () {
    var form = $('report');
    form.hidden = !form.hidden;
    if (!form.hidden) {
      reportKey = 'display-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 12);
      $('report-title').focus();
    }
  });
  $('report').addEventListener('submit', function (event) {
    event.preventDefault();
    var body = {
      category: $('report-category').value,
      severity: $('report-severity').value,
      title: $('report-title').value.trim(),
    };
    if (!body.title) { say('Say in a few words what is wrong.'); return; }
    act(function () {
      return api('POST', '/rooms/' + encodeURIComponent(roomId) + '/tickets', body, { 'idempotency-key': reportKey }).then(function () {
        $('report').reset();
        $('report').hidden = true;
      });
    }, 'Thank you: the facility team has your report.');
  });

  function connect() {
    var socket = io({ auth: { token: token }, transports: ['websocket', 'polling'] });
    socket.on('connect', function () {
      online(true);
      socket.emit('room:subscribe', { roomId: roomId }, function (ack) {
        if (ack && ack.ok) apply(ack.status, true);
        else say('Cannot follow this room: ' + (ack && ack.error ? ack.error.message : 'no answer'), true);
      });
    });
    socket.on('disconnect', function (reason) {
      online(false);
      // The server closed it (a restart, a revoked token): Socket.IO does not retry that by itself.
      if (reason === 'io server disconnect') setTimeout(function () { socket.connect(); }, 2000);
    });
    socket.on('connect_error', function (err) {
      online(false);
      var code = err && err.data && err.data.code;
      if (code === 'UNAUTHORIZED') say('This display token is invalid or was revoked: ask a facility manager for a new display link.', true);
      // Refused by the server (not a network failure): the client does not retry by itself.
      if (!socket.active) setTimeout(function () { socket.connect(); }, code === 'UNAUTHORIZED' ? 30000 : 3000);
    });
    socket.on('room.status', function (status) { apply(status, false); });
    socket.on('auth:expired', function (e) { say(e.message, true); });
    return socket;
  }

  if (!token) {
    $('status').textContent = 'No token';
    say('Open this page with its display link: /display/<room id>#token=<display token>.', true);
    return;
  }
  setInterval(tick, 1000);
  window.addEventListener('offline', function () { online(false); });
  refresh().then(connect);
})();
