/**
 * The console's only browser code and style sheet, served as files
 * (/ui/console.js, /ui/console.css) so the CSP allows no inline script or
 * style. The script: confirm-by-typing forms (the submit button stays
 * disabled until the typed text equals data-confirm; the server checks it
 * again) and live updates from the SSE stream named by body[data-live] (host
 * summaries, on a host page with its Armed field from the tree, and each new
 * timeline event), written with textContent only.
 */
export const CONSOLE_JS = `'use strict';
(function () {
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    var input = form.querySelector('input.confirm');
    var button = form.querySelector('button[type=submit]');
    if (!input || !button) return;
    var check = function () { button.disabled = input.value !== form.dataset.confirm; };
    input.addEventListener('input', check);
    check();
  });
  var live = document.body.dataset.live;
  if (!live || typeof EventSource === 'undefined') return;
  var url = live.indexOf('host:') === 0 ? '/ui/live?mac=' + encodeURIComponent(live.slice(5)) : '/ui/live';
  var source = new EventSource(url);
  source.addEventListener('host', function (e) {
    var h = JSON.parse(e.data);
    document.querySelectorAll('[data-mac]').forEach(function (el) {
      if (el.dataset.mac !== h.mac) return;
      var state = el.querySelector('.state');
      if (state) state.textContent = h.state;
      var bar = el.querySelector('progress');
      if (bar) { bar.value = h.progress; bar.title = h.state; bar.textContent = h.state; }
      var last = el.querySelector('.last');
      if (last && h.last) last.textContent = h.last.kind + ' ' + h.last.at;
      var armed = el.querySelector('.armed-value');
      if (armed && typeof h.armed === 'string') armed.textContent = h.armed;
    });
    // a host the tree no longer arms has nothing to disarm
    var disarm = document.querySelector('form.disarm');
    if (disarm && live === 'host:' + h.mac && h.armed === 'no') disarm.remove();
  });
  source.addEventListener('event', function (e) {
    var ev = JSON.parse(e.data);
    var timeline = document.querySelector('table.timeline tbody');
    if (!timeline || timeline.querySelector('tr[data-event-id="' + Number(ev.id) + '"]')) return;
    var row = document.createElement('tr');
    row.dataset.eventId = String(Number(ev.id));
    [ev.at, ev.kind, ev.remote || '', ev.detail || ''].forEach(function (text) {
      var cell = document.createElement('td');
      cell.textContent = text;
      row.appendChild(cell);
    });
    timeline.appendChild(row);
  });
})();
`;

export const CONSOLE_CSS = `body { font: 15px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; }
nav { background: #1d2330; color: #fff; padding: .6em 1em; display: flex; gap: 1em; align-items: center; }
nav a { color: #cfe3ff; } nav .who { margin-left: auto; }
main { padding: 1em 1.5em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { text-align: left; border-bottom: 1px solid #dde; padding: .3em .5em; vertical-align: top; }
progress { width: 10em; }
pre { background: #f4f5f8; padding: .6em; overflow: auto; max-height: 30em; white-space: pre-wrap; }
form.inline { display: inline; }
form { margin: .5em 0; } label { margin-right: .8em; }
.error { color: #a00; font-weight: bold; }
dl.host { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; }
dl.host dd { margin: 0; }
button[disabled] { opacity: .5; }
`;
