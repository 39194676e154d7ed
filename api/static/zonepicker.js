// The time-zone combobox of the slot picker (the WAI-ARIA combobox
// pattern with a listbox popup): type a city, a country, a zone name (old
// or current) or an offset; arrows move, Enter picks, Escape closes. Each
// zone shows its current UTC offset and local time; the visitor's detected
// zone and the mentor's come first. Text is only set with textContent.
(function () {
  'use strict';
  var ns = window.rendezvous;

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  // fold makes text comparable: no accents, no case, words apart.
  function fold(s) {
    return String(s).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
      .replace(/[_/,()'’.-]+/g, ' ').replace(/\s+/g, ' ').trim();
  }
  function offsetLabel(min) {
    var a = Math.abs(min);
    return 'UTC' + (min < 0 ? '−' : '+') + pad(Math.floor(a / 60)) + ':' + pad(a % 60);
  }
  // offsetNow is the zone's offset east of UTC in minutes, or null when
  // this browser does not know the zone.
  function offsetNow(name, when) {
    try {
      var parts = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' }).formatToParts(when);
      var v = parts.filter(function (p) { return p.type === 'timeZoneName'; })[0].value;
      var m = /([+-])(\d{1,2}):?(\d{2})?/.exec(v);
      if (!m) { return 0; }
      var n = parseInt(m[2], 10) * 60 + parseInt(m[3] || '0', 10);
      return m[1] === '-' ? -n : n;
    } catch (e) { return null; }
  }
  function genericName(name, locale) {
    try {
      var parts = new Intl.DateTimeFormat(locale, { timeZone: name, timeZoneName: 'longGeneric' }).formatToParts(new Date());
      return parts.filter(function (p) { return p.type === 'timeZoneName'; })[0].value;
    } catch (e) { return ''; }
  }

  // zonePicker wires the combobox. o: input, list, now (the line under
  // it), count (a status for screen readers), locale, strings, table
  // (/static/zones.json), initial and mentor (canonical names), onChange.
  ns.zonePicker = function (o) {
    var input = o.input, list = o.list, S = o.strings, locale = o.locale;
    var regions = null, regionsEn = null;
    try {
      regions = new Intl.DisplayNames([locale], { type: 'region' });
      regionsEn = new Intl.DisplayNames(['en'], { type: 'region' });
    } catch (e) { /* countries by code only */ }
    var rows = o.table.zones && o.table.zones.length ? o.table.zones : fallbackRows();
    var oldNames = {};
    Object.keys(o.table.aliases || {}).forEach(function (old) {
      var c = o.table.aliases[old];
      (oldNames[c] = oldNames[c] || []).push(old);
    });

    var now = new Date();
    var zones = [], byName = {};
    rows.forEach(function (r) {
      var off = offsetNow(r.name, now);
      if (off === null) { return; }
      var country = r.country && regions ? regions.of(r.country) : (r.country || '');
      var countryEn = r.country && regionsEn ? regionsEn.of(r.country) : '';
      var z = {
        name: r.name, city: r.city, country: country, countryEn: countryEn, offset: off,
        place: r.name === 'Etc/UTC' ? 'UTC' : r.city + (country ? ', ' + country : ''),
        extra: [countryEn, r.description || '', (oldNames[r.name] || []).join(' ')].join(' ')
      };
      zones.push(z);
      byName[z.name] = z;
    });
    function zoneOf(name) {
      if (byName[name]) { return byName[name]; }
      var off = offsetNow(name, now);
      var z = { name: name, city: ns.zoneLabel(name), country: '', countryEn: '', offset: off || 0, place: ns.zoneLabel(name), extra: '' };
      zones.push(z);
      byName[name] = z;
      return z;
    }
    var current = zoneOf(o.initial);
    var tags = {};
    tags[o.initial] = S['pick.zone_detected'];
    if (o.mentor) {
      zoneOf(o.mentor);
      tags[o.mentor] = tags[o.mentor] ? tags[o.mentor] + ' · ' + S['pick.zone_mentor'] : S['pick.zone_mentor'];
    }
    // The suggested zones first, then all by offset and place.
    var ordered = zones.slice().sort(function (a, b) {
      var sa = a.name === o.initial ? 0 : tags[a.name] ? 1 : 2, sb = b.name === o.initial ? 0 : tags[b.name] ? 1 : 2;
      return sa - sb || a.offset - b.offset || a.place.localeCompare(b.place, locale);
    });

    var hay = {};
    function hayOf(z) {
      if (!hay[z.name]) {
        hay[z.name] = ' ' + fold([z.place, z.name, z.extra, genericName(z.name, locale), genericName(z.name, 'en'),
          offsetLabel(z.offset).replace('−', '-'), 'gmt' + (z.offset < 0 ? '-' : '+') + Math.abs(z.offset / 60)].join(' ')) + ' ';
      }
      return hay[z.name];
    }
    function matches(query) {
      var q = fold(query);
      if (!q) { return ordered.slice(); }
      var words = q.split(' ');
      var found = [];
      ordered.forEach(function (z, i) {
        var h = hayOf(z);
        if (!words.every(function (w) { return h.indexOf(w) >= 0; })) { return; }
        // The place's own words (the country: "india" before Indiana),
        // then a city that starts so, then whole words elsewhere (zone
        // names), then words that start so, then the rest.
        var place = ' ' + fold(z.place + ' ' + z.countryEn) + ' ';
        var whole = function (text) { return words.every(function (w) { return text.indexOf(' ' + w + ' ') >= 0; }); };
        var score = whole(place) ? 0 : fold(z.city).indexOf(q) === 0 ? 1 : whole(h) ? 2 :
          words.every(function (w) { return h.indexOf(' ' + w) >= 0; }) ? 3 : 4;
        found.push({ z: z, score: score, i: i });
      });
      found.sort(function (a, b) { return a.score - b.score || a.i - b.i; });
      return found.map(function (f) { return f.z; });
    }

    var formatters = {};
    function timeIn(z, when) {
      if (!formatters[z.name]) {
        formatters[z.name] = new Intl.DateTimeFormat(locale, { timeZone: z.name, hour: 'numeric', minute: '2-digit' });
      }
      return formatters[z.name].format(when);
    }

    var shown = [], active = -1, editing = false, announceTimer = null;
    function isOpen() { return !list.hidden; }
    function showLabel() {
      input.value = current.place;
      input.dataset.zone = current.name;
      o.now.textContent = S['pick.zone_now'].replace('{time}', timeIn(current, new Date())).replace('{offset}', offsetLabel(current.offset));
    }
    function setActive(i) {
      active = i;
      list.querySelectorAll('[role=option]').forEach(function (li, j) { li.setAttribute('aria-selected', String(j === i)); });
      if (i >= 0 && list.children[i]) {
        input.setAttribute('aria-activedescendant', list.children[i].id);
        list.children[i].scrollIntoView({ block: 'nearest' });
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    }
    function open(query) {
      shown = matches(query);
      var when = new Date();
      list.replaceChildren();
      shown.forEach(function (z, i) {
        var li = document.createElement('li');
        li.id = 'tz-opt-' + i;
        li.setAttribute('role', 'option');
        li.dataset.zone = z.name;
        var place = document.createElement('span');
        place.className = 'tz-place';
        place.textContent = z.place + (tags[z.name] ? ' — ' + tags[z.name] : '');
        var meta = document.createElement('span');
        meta.className = 'tz-meta';
        meta.textContent = offsetLabel(z.offset) + ' · ' + timeIn(z, when);
        li.append(place, ' ', meta);
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      setActive(shown.length ? 0 : -1);
      clearTimeout(announceTimer);
      announceTimer = setTimeout(function () {
        o.count.textContent = shown.length ? shown.length + ' ' + S['pick.zone_matches'] : S['pick.zone_nomatch'];
      }, 400);
    }
    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      editing = false;
      active = -1;
      clearTimeout(announceTimer);
    }
    function choose(z) {
      close();
      var changed = z.name !== current.name;
      current = z;
      showLabel();
      if (changed) { o.onChange(z.name); }
    }

    input.addEventListener('focus', function () { input.select(); });
    input.addEventListener('click', function () { if (!isOpen()) { open(''); } });
    input.addEventListener('input', function () { editing = true; open(input.value); });
    input.addEventListener('blur', function () { close(); showLabel(); });
    input.addEventListener('keydown', function (ev) {
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        ev.preventDefault();
        if (!isOpen()) { open(editing ? input.value : ''); return; }
        var n = shown.length;
        if (n) { setActive(ev.key === 'ArrowDown' ? (active + 1) % n : (active - 1 + n) % n); }
      } else if (ev.key === 'Enter') {
        if (isOpen()) {
          ev.preventDefault();
          if (active >= 0) { choose(shown[active]); }
        }
      } else if (ev.key === 'Escape') {
        if (isOpen()) {
          ev.preventDefault();
          close();
          showLabel();
          input.select();
        }
      }
    });
    // A press on an option must not blur the input before the click picks.
    list.addEventListener('mousedown', function (ev) { ev.preventDefault(); });
    list.addEventListener('click', function (ev) {
      var li = ev.target.closest('[role=option]');
      if (li) { choose(byName[li.dataset.zone]); }
    });
    showLabel();
    setInterval(function () { if (!isOpen()) { showLabel(); } }, 30000);
    return { zone: function () { return current.name; } };
  };

  // Without the server's table (it failed to load), the browser's names.
  function fallbackRows() {
    var names = [];
    try { names = Intl.supportedValuesOf('timeZone'); } catch (e) { names = []; }
    return names.map(function (n) { return { name: n, city: n.slice(n.lastIndexOf('/') + 1).replace(/_/g, ' ') }; });
  }
})();
