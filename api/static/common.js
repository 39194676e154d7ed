// Shared page behaviour: zone names, local times and copy buttons. Text
// from the server is only ever written with textContent.
(function () {
  'use strict';
  var dataEl = document.getElementById('page-data');
  var data = dataEl ? JSON.parse(dataEl.textContent) : {};
  var locale = data.locale || document.documentElement.lang || 'en';
  var strings = data.strings || {};
  var ns = window.rendezvous = window.rendezvous || {};

  // zones loads the server's zone table once: canonical CLDR names, their
  // places, and the old names (Europe/Kiev) browsers may still report.
  var zonesPromise = null;
  ns.zones = function () {
    if (!zonesPromise) {
      zonesPromise = fetch('/static/zones.json', { headers: { Accept: 'application/json' } })
        .then(function (res) { if (!res.ok) { throw new Error('zones ' + res.status); } return res.json(); })
        .catch(function () { return { zones: [], aliases: {} }; });
    }
    return zonesPromise;
  };
  ns.canonicalZone = function (table, name) { return (table.aliases && table.aliases[name]) || name; };
  ns.zoneLabel = function (name) { return name === 'Etc/UTC' || name === 'UTC' ? 'UTC' : name.replace(/_/g, ' '); };
  ns.browserZone = function () {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'Etc/UTC'; } catch (e) { return 'Etc/UTC'; }
  };

  // The server writes times in the visitor's zone once it knows it.
  if (document.cookie.indexOf('rdv_tz=') < 0) {
    document.cookie = 'rdv_tz=' + encodeURIComponent(ns.browserZone()) + '; path=/; max-age=31536000; samesite=lax';
  }

  // <time data-local datetime="..."> shows the instant in the visitor's
  // zone, or in data-tz (the mentor's zone in the mentor area).
  var times = document.querySelectorAll('time[data-local]');
  function showTimes(zoneName) {
    times.forEach(function (el) {
      var when = new Date(el.getAttribute('datetime'));
      if (isNaN(when)) { return; }
      var zone = el.dataset.tz || zoneName;
      try {
        // dateStyle cannot be combined with timeZoneName: name the zone apart.
        el.textContent = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone: zone }).format(when) +
          ' (' + ns.zoneLabel(zone) + ')';
      } catch (e) { /* keep the server's UTC text */ }
    });
  }
  if (times.length) {
    showTimes(ns.browserZone());
    if (Array.prototype.some.call(times, function (el) { return !el.dataset.tz; })) {
      ns.zones().then(function (table) { showTimes(ns.canonicalZone(table, ns.browserZone())); });
    }
  }

  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var input = document.getElementById(button.dataset.copy);
      input.select();
      var done = function () {
        button.textContent = strings['mentor.copied'] || 'Copied';
        setTimeout(function () { button.textContent = strings['mentor.copy'] || 'Copy'; }, 2000);
      };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand('copy'); done(); });
      } else {
        document.execCommand('copy');
        done();
      }
    });
  });
})();
