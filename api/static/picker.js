// The slot picker of the booking and manage pages: free slots by day in
// the visitor's zone, a week at a time (a day per row on phones), night
// hours hidden on request, then book or move through the JSON API.
// User-written text is only ever set with textContent.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('page-data').textContent);
  var S = data.strings;
  var locale = data.locale;
  var ns = window.rendezvous;
  var $ = function (id) { return document.getElementById(id); };
  var daysEl = $('days'), statusEl = $('pick-status'), nightBox = $('hide-night');
  var prevBtn = $('prev-week'), nextBtn = $('next-week'), weekLabel = $('week-label');
  var picker = $('picker'), confirmEl = $('confirm'), chosenEl = $('chosen'), formError = $('form-error');
  var confirmBtn = $('confirm-button');
  // A weekly series (booking page only): how many sessions, how often,
  // and the preview of each in the visitor's zone.
  var repeatEl = $('repeat'), intervalEl = $('interval'), seriesBox = $('series-preview'), seriesList = $('series-list');
  var seriesAsked = null;

  var zone = ns.browserZone();
  var allSlots = [];   // the slots of the horizon, in zone
  var byDate = {};     // "YYYY-MM-DD" (in zone) -> [{start, end}], night hours left out if asked
  var dates = [];      // sorted dates with slots shown
  var weekStart = null;
  var chosen = null;   // the chosen slot's start (RFC 3339 with offset)
  var requestKey = null;

  // Night hours (22:00 to 07:00 in the shown zone) can be hidden; the
  // choice is kept in a cookie, per visitor, for every picker.
  var nightCookie = 'rdv_hide_night';
  function hideNight() { return (' ' + document.cookie + ';').indexOf(' ' + nightCookie + '=1;') >= 0; }
  function rememberHideNight(on) {
    document.cookie = nightCookie + '=' + (on ? '1' : '0') + '; path=/; max-age=31536000; samesite=lax' +
      (location.protocol === 'https:' ? '; secure' : '');
  }
  function isNight(slot) {
    var hour = parseInt(slot.start.slice(11, 13), 10); // the API answers in our zone
    return hour < 7 || hour >= 22;
  }

  function fmt(opts, when) {
    opts.timeZone = zone;
    return new Intl.DateTimeFormat(locale, opts).format(when);
  }
  function addDays(date, n) {
    var d = new Date(date + 'T12:00:00Z');
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }
  function today() {
    return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  }
  function dayLabel(date) { return partOf(date, { weekday: 'long', day: 'numeric', month: 'long' }); }
  function partOf(date, opts) {
    opts.timeZone = 'UTC';
    return new Intl.DateTimeFormat(locale, opts).format(new Date(date + 'T12:00:00Z'));
  }
  function fullLabel(start) { return fmt({ dateStyle: 'full', timeStyle: 'short' }, new Date(start)); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
  }

  // fresh asks the server again instead of reusing the browser's copy
  // (slot answers may be kept ten seconds): after a refusal the slot just
  // taken must go, even when the page asks within the same second.
  function loadSlots(fresh) {
    statusEl.textContent = '…';
    daysEl.replaceChildren();
    var from = new Date();
    var to = new Date(from.getTime() + (data.horizon_days + 2) * 86400000);
    var url = data.slots_url + '?from=' + encodeURIComponent(from.toISOString().replace(/\.\d+Z$/, 'Z')) +
      '&to=' + encodeURIComponent(to.toISOString().replace(/\.\d+Z$/, 'Z')) + '&tz=' + encodeURIComponent(zone);
    return fetch(url, { headers: { Accept: 'application/json' }, cache: fresh ? 'no-cache' : 'default' }).then(function (res) {
      if (!res.ok) { throw new Error('slots ' + res.status); }
      return res.json();
    }).then(function (body) {
      allSlots = body.slots;
      group();
      weekStart = dates.length ? dates[0] : today();
      renderWeek();
    }).catch(function () {
      statusEl.textContent = S['pick.error'];
    });
  }

  function group() {
    byDate = {};
    var hide = nightBox.checked;
    allSlots.forEach(function (slot) {
      if (hide && isNight(slot)) { return; }
      var date = slot.start.slice(0, 10);
      (byDate[date] = byDate[date] || []).push(slot);
    });
    dates = Object.keys(byDate).sort();
  }

  function renderWeek() {
    daysEl.replaceChildren();
    var count = 0;
    for (var i = 0; i < 7; i++) {
      var date = addDays(weekStart, i);
      var day = document.createElement('div');
      day.className = 'day';
      var h = document.createElement('h3');
      // The weekday over the date: seven headings of one height.
      var weekday = document.createElement('span');
      weekday.className = 'weekday';
      weekday.textContent = partOf(date, { weekday: 'long' });
      var dm = document.createElement('span');
      dm.className = 'date';
      dm.textContent = partOf(date, { day: 'numeric', month: 'short' });
      h.append(weekday, ' ', dm);
      day.appendChild(h);
      var slots = byDate[date] || [];
      if (!slots.length) {
        var none = document.createElement('p');
        none.className = 'none';
        none.textContent = S['pick.day_none'];
        day.appendChild(none);
      } else {
        var list = document.createElement('ul');
        slots.forEach(function (slot) {
          var li = document.createElement('li');
          var b = document.createElement('button');
          b.type = 'button';
          b.className = 'slot secondary';
          b.dataset.start = slot.start;
          // The visible time first, then the day for screen readers: the
          // name read out starts with what is seen (WCAG 2.5.3).
          b.textContent = fmt({ hour: 'numeric', minute: '2-digit' }, new Date(slot.start));
          var day = document.createElement('span');
          day.className = 'visually-hidden';
          day.textContent = ', ' + dayLabel(date);
          b.appendChild(day);
          b.setAttribute('aria-pressed', String(slot.start === chosen));
          b.addEventListener('click', function () { choose(slot.start); });
          li.appendChild(b);
          list.appendChild(li);
          count++;
        });
        day.appendChild(list);
      }
      daysEl.appendChild(day);
    }
    weekLabel.textContent = dayLabel(weekStart) + ' – ' + dayLabel(addDays(weekStart, 6));
    prevBtn.disabled = weekStart <= today();
    nextBtn.disabled = !dates.length || addDays(weekStart, 7) > dates[dates.length - 1];
    if (!dates.length) {
      statusEl.textContent = allSlots.length ? S['pick.none_night'] : S['pick.none'];
    } else {
      statusEl.textContent = count ? count + ' ' + S['pick.count'] : S['pick.none_week'];
    }
  }

  function choose(start) {
    chosen = start;
    requestKey = newKey();
    chosenEl.textContent = fullLabel(start) + ' (' + ns.zoneLabel(zone) + ')';
    formError.textContent = '';
    confirmEl.hidden = false;
    renderWeek();
    previewSeries();
    $('confirm-heading').focus();
  }

  function seriesCount() { return repeatEl ? parseInt(repeatEl.value, 10) : 1; }
  function reasonText(code) { return S['series.reason.' + code] || S['series.not_free']; }

  // previewSeries lists the series' sessions as the server plans them,
  // each in the visitor's zone (so a DST change of either zone shows), the
  // ones not free with why and the nearest free time that day.
  function previewSeries() {
    if (!repeatEl) { return; }
    var n = seriesCount();
    $('interval-field').hidden = n < 2;
    requestKey = newKey();
    if (n < 2 || !chosen) {
      seriesAsked = null;
      seriesBox.hidden = true;
      seriesList.replaceChildren();
      return;
    }
    var url = data.series_url + '?start=' + encodeURIComponent(chosen) + '&count=' + n + '&interval_weeks=' + intervalEl.value +
      '&tz=' + encodeURIComponent(zone);
    seriesAsked = url;
    fetch(url, { headers: { Accept: 'application/json', 'Accept-Language': locale } }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { return { res: res, json: json }; });
    }).then(function (r) {
      if (seriesAsked !== url) { return; }
      if (!r.res.ok) { formError.textContent = r.json.detail || S['pick.error']; return; }
      formError.textContent = '';
      seriesList.replaceChildren();
      r.json.occurrences.forEach(function (o) {
        var li = document.createElement('li');
        li.dataset.start = o.start;
        li.textContent = fullLabel(o.start);
        if (!o.available) {
          li.className = 'not-free';
          li.textContent += ' — ' + S['series.not_free'] + ' (' + reasonText(o.reason) + ')';
          if (o.alternative) {
            li.textContent += '; ' + S['series.alternative'] + ' ' + fmt({ hour: 'numeric', minute: '2-digit' }, new Date(o.alternative.start));
          }
        }
        seriesList.appendChild(li);
      });
      seriesBox.hidden = false;
    }).catch(function () { formError.textContent = S['pick.error']; });
  }

  function back() {
    chosen = null;
    confirmEl.hidden = true;
    renderWeek();
    var first = daysEl.querySelector('button');
    (first || $('tz')).focus();
  }

  function post(url, body) {
    // The API answers problems in the page's language, whatever the browser's.
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json', 'Accept-Language': locale };
    if (data.mode === 'book') { headers['Idempotency-Key'] = requestKey; }
    return fetch(url, { method: 'POST', headers: headers, body: JSON.stringify(body) }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { return { res: res, json: json }; });
    });
  }

  // A slot refused (taken meanwhile, or no longer offered): say why and
  // show the slots as they are now.
  function slotTaken(detail) {
    chosen = null;
    confirmEl.hidden = true;
    loadSlots(true).then(function () {
      statusEl.textContent = detail || S['pick.taken'];
      statusEl.focus();
    });
  }

  // refused shows a 409 with its own message and the way forward: a
  // refused time goes back to the slots; a full caseload, an existing
  // mentorship or the upcoming-sessions limit stay on the form.
  function refused(json) {
    if (json.code === 'slot_unavailable') { return slotTaken(json.detail); }
    var way = data.mode === 'book' ? S['book.way.' + json.code] || '' : '';
    formError.textContent = (json.detail || S['pick.error']) + (way ? ' ' + way : '');
    formError.tabIndex = -1;
    formError.focus();
  }

  function submitBooking(ev) {
    ev.preventDefault();
    var name = $('name').value.trim(), email = $('email').value.trim();
    var bad = [];
    if (!name) { bad.push($('name')); }
    if (!email || !$('email').checkValidity()) { bad.push($('email')); }
    [$('name'), $('email')].forEach(function (field) {
      if (bad.indexOf(field) >= 0) {
        field.setAttribute('aria-invalid', 'true');
        field.setAttribute('aria-describedby', 'form-error');
      } else {
        field.removeAttribute('aria-invalid');
        field.removeAttribute('aria-describedby');
      }
    });
    if (bad.length) {
      formError.textContent = S['book.required'];
      bad[0].focus();
      return;
    }
    confirmBtn.disabled = true;
    confirmBtn.textContent = S['book.sending'];
    var body = { start: chosen, name: name, email: email, timezone: zone, language: locale, note: $('note').value };
    var url = data.action_url, series = seriesCount() > 1;
    if (series) {
      url = data.series_url;
      body.count = seriesCount();
      body.interval_weeks = parseInt(intervalEl.value, 10);
      body.skip_unavailable = true;
    }
    post(url, body)
      .then(function (r) {
        if (series && r.res.status === 201) { return showSeries(r.json, name); }
        if (r.res.status === 201 || r.res.status === 200) { return showBooked(r.json, name); }
        if (r.res.status === 409) { return refused(r.json); }
        formError.textContent = r.json.detail || S['pick.error'];
      })
      .catch(function () { formError.textContent = S['pick.error']; })
      .then(function () { confirmBtn.disabled = false; confirmBtn.textContent = S['book.confirm']; });
  }

  function showBooked(b, name) {
    picker.hidden = true;
    confirmEl.hidden = true;
    var done = $('done');
    $('done-name').textContent = name;
    $('done-when').textContent = fullLabel(b.start) + ' (' + ns.zoneLabel(zone) + ')';
    var video = $('done-video');
    video.href = b.video_url;
    video.textContent = b.video_url;
    $('done-ics').href = b.ics_url;
    $('done-manage').href = b.manage_url;
    done.hidden = false;
    $('done-heading').focus();
  }

  // showSeries shows a booked series: every session in the visitor's zone
  // with its manage link, and the ones skipped with why.
  function showSeries(s, name) {
    showBooked(s.bookings[0], name);
    var list = $('done-list');
    list.replaceChildren();
    s.bookings.forEach(function (b) {
      var li = document.createElement('li');
      li.dataset.start = b.start;
      li.append(fullLabel(b.start) + ' ');
      var a = document.createElement('a');
      a.href = b.manage_url;
      a.textContent = S['done.manage'];
      var when = document.createElement('span');
      when.className = 'visually-hidden';
      when.textContent = ', ' + fullLabel(b.start);
      a.appendChild(when);
      li.appendChild(a);
      list.appendChild(li);
    });
    var skipped = $('done-skipped');
    skipped.replaceChildren();
    (s.skipped || []).forEach(function (k) {
      var li = document.createElement('li');
      li.textContent = fullLabel(k.start) + ' — ' + reasonText(k.reason);
      skipped.appendChild(li);
    });
    $('done-skipped-box').hidden = !(s.skipped || []).length;
    $('done-series').hidden = false;
  }

  function submitMove(ev) {
    ev.preventDefault();
    confirmBtn.disabled = true;
    confirmBtn.textContent = S['manage.moving'];
    post(data.action_url, { start: chosen }).then(function (r) {
      if (r.res.ok) {
        window.location.assign(window.location.pathname + '?done=rescheduled');
        return;
      }
      if (r.res.status === 409) { return refused(r.json); }
      formError.textContent = r.json.detail || S['pick.error'];
    }).catch(function () { formError.textContent = S['pick.error']; })
      .then(function () { confirmBtn.disabled = false; confirmBtn.textContent = S['manage.move']; });
  }

  // The script runs: the picker replaces the plain form.
  picker.hidden = false;
  ['plain-book', 'plain-move'].forEach(function (id) { if ($(id)) { $(id).hidden = true; } });
  statusEl.tabIndex = -1;
  nightBox.checked = hideNight();
  nightBox.addEventListener('change', function () {
    rememberHideNight(nightBox.checked);
    group();
    if (dates.length && (weekStart < dates[0] || !Object.keys(byDate).some(function (d) { return d >= weekStart && d < addDays(weekStart, 7); }))) {
      weekStart = dates.find(function (d) { return d >= weekStart; }) || dates[0];
    }
    renderWeek();
  });
  prevBtn.addEventListener('click', function () { weekStart = addDays(weekStart, -7); if (weekStart < today()) { weekStart = today(); } renderWeek(); });
  nextBtn.addEventListener('click', function () { weekStart = addDays(weekStart, 7); renderWeek(); });
  confirmEl.querySelectorAll('[data-action=back]').forEach(function (b) { b.addEventListener('click', back); });
  var bookForm = $('book-form'), moveForm = $('move-form');
  if (bookForm) { bookForm.addEventListener('submit', submitBooking); }
  if (moveForm) { moveForm.addEventListener('submit', submitMove); }
  if (repeatEl) {
    repeatEl.addEventListener('change', previewSeries);
    intervalEl.addEventListener('change', previewSeries);
  }
  // The zone table names the detected zone canonically (Europe/Kyiv, not
  // Europe/Kiev) before the first slots load.
  ns.zones().then(function (table) {
    zone = ns.canonicalZone(table, zone);
    ns.zonePicker({
      input: $('tz'), list: $('tz-list'), now: $('tz-now'), count: $('tz-count'), locale: locale, strings: S, table: table,
      initial: zone, mentor: data.mentor_zone,
      onChange: function (z) { zone = z; chosen = null; confirmEl.hidden = true; loadSlots(); }
    });
    loadSlots();
  });
})();
