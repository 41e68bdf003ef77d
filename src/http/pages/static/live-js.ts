import { ASSET_STATUSES } from '../../../core/domain/enums.js';
import { STREAMED_EVENT_TYPES } from '../../../core/domain/events.js';

/**
 * The watch floor's live script, served as /assets/live.js (no inline script: strict CSP).
 * Listens to /events/stream (EventSource reconnects by itself and sends Last-Event-ID) and
 * patches tiles, rows and map marks in place; what it cannot patch (a new incident, a drill
 * starting or ending, a changed inventory) it re-reads: it fetches the page and swaps the
 * #watch-floor element, never while someone is typing in a form.
 */
export const LIVE_JS = String.raw`(function () {
  'use strict';
  var root = document.getElementById('watch-floor');
  if (!root || typeof EventSource === 'undefined') return;

  var ASSET_STATUSES = ${JSON.stringify(ASSET_STATUSES)};
  var FUNCTION_STATUSES = ['operational', 'degraded', 'lost'];
  var REDUNDANCY = ['N', 'N-1', 'SPOF', 'none'];
  var PATCH_SETTLE_MS = 2500;  // after a patch: re-read the page once things settle (counts, groups, labels)
  var REFRESH_SOON_MS = 150;   // after an event that cannot be patched in place
  var PERIODIC_MS = 60000;     // passes, latencies and clocks move on by themselves
  // The event types the watch floor listens for: generated from the event catalog.
  var TYPES = ${JSON.stringify(STREAMED_EVENT_TYPES)};

  function current() { return document.getElementById('watch-floor'); }
  function esc(value) { return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, '\\$&'); }
  function oneOf(value, list) { return list.indexOf(value) >= 0; }

  function setLiveState(text, cls) {
    var el = document.getElementById('live-state');
    if (!el) return;
    el.textContent = text;
    el.className = 'live-state ' + (cls || '');
  }

  function swapClass(el, prefix, value) {
    var keep = [];
    el.classList.forEach(function (c) { if (c.indexOf(prefix) !== 0) keep.push(c); });
    keep.push(prefix + value);
    el.setAttribute('class', keep.join(' '));
  }

  function setStatusBadge(container, status) {
    var badge = container.querySelector('[data-role="status"]');
    if (!badge) return;
    badge.textContent = status;
    swapClass(badge, 's-', status);
  }

  function addDrillTag(container, runId) {
    if (runId === null || runId === undefined || container.querySelector('.drill-tag')) return;
    var tag = document.createElement('span');
    tag.className = 'drill-tag';
    tag.textContent = 'DRILL';
    tag.title = 'Affected by drill run ' + runId + ': not a real outage';
    var anchor = container.querySelector('.asset-name, .tile-state');
    if (anchor && anchor.classList.contains('asset-name')) {
      anchor.parentNode.insertBefore(tag, anchor.parentNode.firstChild);
      tag.insertAdjacentText('afterend', ' ');
    } else if (anchor) anchor.appendChild(tag);
  }

  function patchAsset(ev) {
    if (!oneOf(ev.status, ASSET_STATUSES) || !ev.subjectKey) return false;
    var key = esc(ev.subjectKey);
    var rows = document.querySelectorAll('[data-subject="asset"][data-key="' + key + '"]');
    rows.forEach(function (row) {
      row.setAttribute('data-status', ev.status);
      swapClass(row, 'st-', ev.status);
      setStatusBadge(row, ev.status);
      addDrillTag(row, ev.drillRunId);
    });
    document.querySelectorAll('[data-asset="' + key + '"]').forEach(function (mark) {
      mark.setAttribute('data-status', ev.status);
      swapClass(mark, 'd-', ev.status);
      var title = mark.querySelector('title');
      if (title) title.textContent = title.textContent.replace(/: [a-z]+( \(DRILL\))?$/, ': ' + ev.status + (ev.drillRunId != null ? ' (DRILL)' : '$1'));
    });
    return rows.length > 0;
  }

  function patchFunction(ev) {
    if (!ev.subjectKey) return false;
    var tiles = document.querySelectorAll('[data-subject="function"][data-key="' + esc(ev.subjectKey) + '"]');
    tiles.forEach(function (tile) {
      if (oneOf(ev.status, FUNCTION_STATUSES)) {
        tile.setAttribute('data-status', ev.status);
        swapClass(tile, 'st-', ev.status);
        setStatusBadge(tile, ev.status);
      }
      if (oneOf(ev.redundancy, REDUNDANCY)) {
        tile.setAttribute('data-redundancy', ev.redundancy);
        var red = tile.querySelector('[data-role="redundancy"]');
        if (red) {
          swapClass(red, 'r-', ev.redundancy);
          var strong = red.querySelector('strong');
          if (strong) strong.textContent = ev.redundancy;
        }
      }
      addDrillTag(tile, ev.drillRunId);
    });
    return tiles.length > 0;
  }

  function endDrill(ev) {
    if (ev.drillRunId == null) return;
    document.querySelectorAll('[data-drill-run="' + esc(String(ev.drillRunId)) + '"]').forEach(function (b) { b.remove(); });
  }

  // ── re-reading the page ─────────────────────────────────────────────────────
  var refreshTimer = null;
  var refreshDue = Infinity;
  var refreshing = false;

  function busy() {
    var el = current();
    if (!el) return false;
    var active = document.activeElement;
    if (active && el.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) return true;
    // An edit not yet sent (typed text, a changed choice) must survive a re-read.
    var fields = el.querySelectorAll('input[type="text"], textarea');
    for (var i = 0; i < fields.length; i++) if (fields[i].value !== fields[i].defaultValue) return true;
    var choices = el.querySelectorAll('select');
    for (var j = 0; j < choices.length; j++) {
      var options = choices[j].options, initial = 0;
      for (var k = 0; k < options.length; k++) if (options[k].defaultSelected) initial = k;
      if (choices[j].selectedIndex !== initial) return true;
    }
    return false;
  }

  function scheduleRefresh(ms) {
    var due = Date.now() + ms;
    if (refreshTimer !== null && due >= refreshDue) return;
    if (refreshTimer !== null) clearTimeout(refreshTimer);
    refreshDue = due;
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      refreshDue = Infinity;
      refresh();
    }, ms);
  }

  function refresh() {
    if (refreshing) { scheduleRefresh(500); return; }
    if (busy()) { scheduleRefresh(2000); return; }
    refreshing = true;
    fetch(location.href, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'text/html' } })
      .then(function (res) {
        if (res.redirected && /\/login(\?|$)/.test(new URL(res.url).pathname + new URL(res.url).search)) { location.assign(res.url); return null; }
        if (!res.ok) throw new Error('status ' + res.status);
        return res.text();
      })
      .then(function (html) {
        if (html === null) return;
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('watch-floor');
        var old = current();
        if (!fresh || !old) return;
        if (busy()) { scheduleRefresh(2000); return; }
        var focusedId = document.activeElement && old.contains(document.activeElement) ? document.activeElement.id : '';
        var liveText = document.getElementById('live-state');
        var adopted = document.importNode(fresh, true);
        old.replaceWith(adopted);
        if (liveText) setLiveState(liveText.textContent, liveText.className.replace('live-state', '').trim());
        if (focusedId) {
          var again = document.getElementById(focusedId);
          if (again) again.focus();
        }
      })
      .catch(function () { scheduleRefresh(5000); })
      .then(function () { refreshing = false; });
  }

  // ── the stream ──────────────────────────────────────────────────────────────
  function onEvent(message) {
    var ev;
    try { ev = JSON.parse(message.data); } catch (e) { return; }
    // The last event applied, for anyone (a test, a wall-screen monitor) checking the page keeps up.
    if (message.lastEventId) document.documentElement.setAttribute('data-live-event', message.lastEventId);
    var type = ev.type || message.type;
    var patched = false;
    if (/^asset\./.test(type) && oneOf(type.slice(6), ASSET_STATUSES)) patched = patchAsset(ev);
    else if (/^function\.(operational|degraded|lost)$/.test(type) || /^redundancy\./.test(type)) patched = patchFunction(ev);
    if (/^drill\.(completed|aborted|failed)$/.test(type)) endDrill(ev);
    scheduleRefresh(patched ? PATCH_SETTLE_MS : REFRESH_SOON_MS);
  }

  var after = root.getAttribute('data-last-event') || '0';
  var url = (root.getAttribute('data-stream') || '/events/stream') + '?after=' + encodeURIComponent(after);
  var source = new EventSource(url);
  TYPES.forEach(function (t) { source.addEventListener(t, onEvent); });
  source.onopen = function () { setLiveState('live', 'live-on'); };
  source.onerror = function () {
    if (source.readyState === EventSource.CLOSED) {
      // Refused (signed out, session expired): the page itself will say what to do.
      setLiveState('live updates stopped; reloading', 'live-off');
      setTimeout(function () { location.reload(); }, 10000);
    } else {
      setLiveState('reconnecting…', 'live-off');
    }
  };
  setInterval(function () { scheduleRefresh(0); }, PERIODIC_MS);
})();
`;
