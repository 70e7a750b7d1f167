// Shared pieces every view uses: the element registry, the service list, state boxes (empty, error with retry),
// the busy marking of panels while their query runs, and unit helpers.

import { el, clear, fmtValue, resolveTime, describeRange } from './util.js';
import { api } from './api.js';
import { state, refresh, navigate } from './state.js';

export const FLAME_MAX_NODES = 16384;

export function trimNum(v) {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 10) return v.toFixed(0);
  if (a >= 1) return v.toFixed(1);
  return String(Number(v.toPrecision(2)));
}

/** Elements by name, filled once by app.js from their ids. */
export const ui = {};
/** The services in the current range (live binding), with their profile types. */
export let services = [];
let servicesKey = '';

export function setPressed(group, attr, value) {
  for (const b of group.querySelectorAll('button[' + attr + ']')) {
    b.setAttribute('aria-pressed', String(b.getAttribute(attr) === value));
  }
}

export function showBanner(message, kind = 'error') {
  ui.banner.className = 'banner' + (kind === 'info' ? ' info' : '');
  ui.banner.textContent = message;
  ui.banner.hidden = !message;
}

/** Fills a state box for an error or an empty result; returns true when something was shown. */
export function showState(box, err, emptyTitle, emptyBody) {
  clear(box);
  box.classList.toggle('error', !!err);
  if (!err && !emptyTitle) {
    box.hidden = true;
    return false;
  }
  box.hidden = false;
  if (err) {
    const titles = {
      unreachable: 'Server unreachable',
      unauthorized: 'API key required',
      'too-large': 'Query too large',
      'bad-request': 'The query was rejected',
      server: 'Server error',
    };
    box.append(el('h3', { text: titles[err.kind] || 'Error' }), el('p', { text: err.message }));
    if (err.kind === 'too-large') box.append(el('p', { text: 'Narrow the time range or add label filters, then try again.' }));
    if (err.kind === 'unreachable') {
      const auto = state && state.refresh && state.until === 'now';
      box.append(el('p', { text: (auto ? 'Retrying with the next refresh. ' : '') + 'Check that "continuo server" is running.' }));
    }
    if (err.kind !== 'bad-request' && err.kind !== 'unauthorized') {
      box.append(el('button', { type: 'button', class: 'retry', text: 'Retry', onclick: () => refresh() }));
    }
    return true;
  }
  box.append(el('h3', { text: emptyTitle }));
  if (emptyBody) box.append(emptyBody);
  return true;
}

export function noDataHelp() {
  const origin = location.origin;
  return el('div', {},
    el('p', { text: 'Nothing has been ingested in this time range. Point an agent at this server, or push a profile:' }),
    el('pre', { text: `curl -X POST --data-binary @cpu.pb.gz \\\n  '${origin}/api/v1/ingest?service=my-app&format=pprof'` }),
    el('p', { text: 'The server profiles itself as "continuo-server"; its first profiles arrive within about 15 seconds.' }));
}

export function rangeMs(s) {
  const now = Date.now();
  return [resolveTime(s.from, now), resolveTime(s.until, now)];
}

export function unitOfType(type) {
  for (const svc of services) for (const t of svc.types) if (t.name === type) return t.unit;
  return { cpu: 'nanoseconds', wall: 'nanoseconds', alloc_bytes: 'bytes', inuse_bytes: 'bytes', lock_duration: 'nanoseconds' }[type] || 'count';
}

export function isAbort(e) {
  return e && e.name === 'AbortError';
}

export function applySearch(flame, output, q, table) {
  const r = flame.setSearch(q);
  if (table) table.setActive(q);
  if (!r) {
    output.textContent = '';
    return;
  }
  const unit = flame.unit;
  output.textContent = r.cmpTotal !== undefined
    ? `matched: baseline ${r.percent}, comparison ${r.cmpPercent}`
    : `matched ${r.percent} (${fmtValue(r.value, unit)} of ${fmtValue(r.total, unit)})`;
}

export async function loadServices(force) {
  const key = state.from + '|' + state.until;
  if (!force && key === servicesKey && services.length) return services;
  try {
    const body = await api.services(state.from, state.until);
    services = body.services || [];
    servicesKey = key;
  } catch (e) {
    if (isAbort(e)) return null;
    throw e;
  }
  return services;
}


/**
 * Marks a panel busy while its query runs: the previous result stays on screen dimmed under a "Loading…" label
 * (CSS on aria-busy), so it is never taken for the answer to the new question.
 */
export function setBusy(node, busy, label = 'Loading…') {
  if (!node) return;
  if (busy) {
    node.setAttribute('aria-busy', 'true');
    node.dataset.busyLabel = label;
  } else {
    node.removeAttribute('aria-busy');
  }
}

let knownServices = null;

/**
 * The empty state of a selection: "No data in this range" (with wider ranges to try) when the service has
 * profiles at some other time in the last 30 days, the onboarding help only when it has none at all.
 */
export async function emptyState(box, what) {
  let known = false;
  try {
    if (!knownServices) knownServices = (await api.services('now-30d', 'now', 'services-30d')).services || [];
    known = knownServices.some((s) => s.name === state.service);
  } catch (e) {
    known = false;
  }
  if (!known) {
    knownServices = null; // look again next time: the first profiles may be on their way
    showState(box, null, 'No profiles for this selection', noDataHelp());
    return;
  }
  const wider = el('p', {}, 'Try a wider range: ',
    ...['now-24h', 'now-7d'].map((f) => el('button', {
      type: 'button', class: 'retry', text: f === 'now-24h' ? 'last 24 hours' : 'last 7 days',
      onclick: () => navigate({ from: f, until: 'now', focus: [] }),
    })));
  const range = describeRange(state.from, state.until);
  const when = range.startsWith('Last') ? 'in the l' + range.slice(1) : 'in ' + range;
  const filtered = Object.keys(state.labels).length ? ' matching these filters' : '';
  showState(box, null, 'No data in this range',
    el('div', {}, el('p', { text: `${state.service} has no ${what || state.type} profiles ${when}${filtered}.` }), wider));
}
