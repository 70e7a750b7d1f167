// Page state: it lives in the URL (path + query string). Every change goes through navigate(), which writes the
// URL and hands the new state to the router; views read `state` (a live binding) and compare with the previous
// state through changed() to reload only what the changed keys affect.

export const DEFAULTS = {
  view: 'explore', service: '', type: '', labels: {}, from: 'now-1h', until: 'now', refresh: '', groupBy: '',
  focus: [], q: '', layout: 'icicle', color: 'package', panel: 'both', fn: '',
  cmp: '', mode: 'diff', palette: 'rg', bFrom: '', bUntil: '', bLabels: '', cFrom: '', cUntil: '', cLabels: '',
  traceId: '',
};
const SIMPLE_KEYS = ['service', 'type', 'from', 'until', 'refresh', 'groupBy', 'q', 'layout', 'color', 'panel', 'fn',
  'cmp', 'mode', 'bFrom', 'bUntil', 'bLabels', 'cFrom', 'cUntil', 'cLabels', 'palette'];
export const TRACE_DEFAULT_FROM = 'now-7d';

// ---- URL state --------------------------------------------------------------------------------

export function parseLocation() {
  const url = new URL(location.href);
  const p = url.searchParams;
  const s = structuredClone(DEFAULTS);
  if (url.pathname.startsWith('/trace')) {
    s.view = 'trace';
    s.from = TRACE_DEFAULT_FROM;
    const rest = url.pathname.slice('/trace'.length).replace(/^\/+/, '');
    s.traceId = rest ? decodeURIComponent(rest) : p.get('traceId') || '';
  } else {
    s.view = p.get('view') === 'diff' || p.get('view') === 'insights' ? p.get('view') : 'explore';
  }
  for (const k of SIMPLE_KEYS) if (p.has(k)) s[k] = p.get(k);
  for (const [k, v] of p) if (k.startsWith('l.')) s.labels[k.slice(2)] = v;
  // One `focus` parameter per frame: frame names may themselves contain ';' or ','.
  s.focus = p.getAll('focus').filter((f) => f !== '');
  return s;
}

export function toUrl(s) {
  const p = new URLSearchParams();
  const defaults = { ...DEFAULTS, from: s.view === 'trace' ? TRACE_DEFAULT_FROM : DEFAULTS.from };
  if (s.view === 'diff' || s.view === 'insights') p.set('view', s.view);
  const keys = s.view === 'trace' ? ['type', 'from', 'until', 'q', 'layout', 'color'] : SIMPLE_KEYS.filter((k) => {
    if (s.view === 'explore') return !['cmp', 'mode', 'bFrom', 'bUntil', 'bLabels', 'cFrom', 'cUntil', 'cLabels', 'palette'].includes(k);
    return !['panel', 'fn'].includes(k);
  });
  for (const k of keys) if (s[k] && s[k] !== defaults[k]) p.set(k, s[k]);
  if (s.view !== 'trace') {
    for (const [k, v] of Object.entries(s.labels)) if (v) p.set('l.' + k, v);
    for (const f of s.focus) p.append('focus', f);
  }
  const path = s.view === 'trace' ? '/trace/' + encodeURIComponent(s.traceId) : '/explore';
  const q = p.toString();
  return path + (q ? '?' + q : '');
}

/** The current state; a live binding, so every view reads the latest without holding a copy. */
export let state = null;

let router = () => {};

/** The router (app.js) registers the one function that makes the page match a state. */
export function setRouter(fn) {
  router = fn;
}

export function setState(next) {
  state = next;
}

/** Re-runs the router on the current state, reloading data (auto-refresh, retry, sign-in). */
export function refresh() {
  if (state) router(state, { refresh: true });
}

export function navigate(patch, { replace = false } = {}) {
  const next = { ...state, ...patch };
  if (patch.labels) next.labels = { ...patch.labels };
  const url = toUrl(next);
  if (url !== location.pathname + location.search) {
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
  }
  router(next);
}

export function changed(prev, next, keys) {
  if (!prev) return true;
  return keys.some((k) => JSON.stringify(prev[k]) !== JSON.stringify(next[k]));
}
