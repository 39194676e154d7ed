// Shared page behaviour: local times and copy buttons. Text from the
// server is only ever written with textContent.
(function () {
  'use strict';
  var dataEl = document.getElementById('page-data');
  var data = dataEl ? JSON.parse(dataEl.textContent) : {};
  var locale = data.locale || document.documentElement.lang || 'en';
  var strings = data.strings || {};

  // <time data-local datetime="..."> shows the instant in the visitor's
  // zone, or in data-tz (the mentor's zone in the mentor area).
  document.querySelectorAll('time[data-local]').forEach(function (el) {
    var when = new Date(el.getAttribute('datetime'));
    if (isNaN(when)) { return; }
    var opts = { dateStyle: 'full', timeStyle: 'short' };
    if (el.dataset.tz) { opts.timeZone = el.dataset.tz; }
    try {
      var zone = opts.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone;
      // dateStyle cannot be combined with timeZoneName: name the zone apart.
      el.textContent = new Intl.DateTimeFormat(locale, opts).format(when) + ' (' + zone.replace(/_/g, ' ') + ')';
    } catch (e) { /* keep the server's UTC text */ }
  });

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
