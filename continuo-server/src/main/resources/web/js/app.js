// Continuo UI: state lives in the URL (path + query string), every change goes through navigate(), and
// apply() reloads only what the changed keys affect. Views: explore (trend + flame graph + table + sandwich),
// diff (comparison) and trace (/trace/<id>).

import {
  el, clear, $, fmtValue, fmtPercent, fmtDuration, fmtTime, resolveTime, isRelative, toLocalInput, describeRange,
  selector, debounce, download,
} from './util.js';
import { api, apiUrl, ApiError, getBlob } from './api.js';
import { apiKey, setApiKey } from './auth.js';
import { FlameGraph } from './flame.js';
import { Chart } from './charts.js';
import { TopTable, ChangesTable, topFromLevels } from './table.js';
import { InsightsView } from './insights.js';

const FLAME_MAX_NODES = 16384;
const HIDDEN_LABELS = new Set(['service', 'trace_id', 'span_id', '__name__']);
const PREFERRED_LABELS = ['env', 'version', 'instance', 'endpoint', 'thread'];
const METRICS = [
  { name: 'process_cpu_ratio', title: 'Process CPU', map: (v) => v * 100, fmt: (v) => trimNum(v) + '%' },
  { name: 'heap_used_after_gc_bytes', title: 'Heap after GC', fmt: (v) => fmtValue(v, 'bytes') },
  { name: 'alloc_rate_bytes_per_second', title: 'Allocation rate', fmt: (v) => fmtValue(v, 'bytes') + '/s' },
  { name: 'gc_pause_ns', title: 'GC time', fmt: (v) => fmtValue(v, 'nanoseconds') },
  { name: 'live_threads', title: 'Live threads', fmt: (v) => fmtValue(v, 'count') },
];
const REFRESH_MS = { '10s': 10_000, '30s': 30_000, '1m': 60_000, '5m': 300_000 };

const DEFAULTS = {
  view: 'explore', service: '', type: '', labels: {}, from: 'now-1h', until: 'now', refresh: '', groupBy: '',
  focus: [], q: '', layout: 'icicle', color: 'package', panel: 'both', fn: '',
  cmp: '1h', mode: 'diff', bFrom: '', bUntil: '', bLabels: '', cFrom: '', cUntil: '', cLabels: '',
  traceId: '',
};
const SIMPLE_KEYS = ['service', 'type', 'from', 'until', 'refresh', 'groupBy', 'q', 'layout', 'color', 'panel', 'fn',
  'cmp', 'mode', 'bFrom', 'bUntil', 'bLabels', 'cFrom', 'cUntil', 'cLabels'];
const TRACE_DEFAULT_FROM = 'now-7d';

function trimNum(v) {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 10) return v.toFixed(0);
  if (a >= 1) return v.toFixed(1);
  return String(Number(v.toPrecision(2)));
}

// ---- URL state --------------------------------------------------------------------------------

function parseLocation() {
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

function toUrl(s) {
  const p = new URLSearchParams();
  const defaults = { ...DEFAULTS, from: s.view === 'trace' ? TRACE_DEFAULT_FROM : DEFAULTS.from };
  if (s.view === 'diff' || s.view === 'insights') p.set('view', s.view);
  const keys = s.view === 'trace' ? ['type', 'from', 'until', 'q', 'layout', 'color'] : SIMPLE_KEYS.filter((k) => {
    if (s.view === 'explore') return !['cmp', 'mode', 'bFrom', 'bUntil', 'bLabels', 'cFrom', 'cUntil', 'cLabels'].includes(k);
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

let state = null;

function navigate(patch, { replace = false } = {}) {
  const next = { ...state, ...patch };
  if (patch.labels) next.labels = { ...patch.labels };
  const url = toUrl(next);
  if (url !== location.pathname + location.search) {
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
  }
  apply(next);
}

function changed(prev, next, keys) {
  if (!prev) return true;
  return keys.some((k) => JSON.stringify(prev[k]) !== JSON.stringify(next[k]));
}

// ---- shared UI pieces -------------------------------------------------------------------------

const ui = {};
let services = [];
let servicesKey = '';
let refreshTimer = null;

function setPressed(group, attr, value) {
  for (const b of group.querySelectorAll('button[' + attr + ']')) {
    b.setAttribute('aria-pressed', String(b.getAttribute(attr) === value));
  }
}

function showBanner(message, kind = 'error') {
  ui.banner.className = 'banner' + (kind === 'info' ? ' info' : '');
  ui.banner.textContent = message;
  ui.banner.hidden = !message;
}

/** Fills a state box for an error or an empty result; returns true when something was shown. */
function showState(box, err, emptyTitle, emptyBody) {
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
    if (err.kind === 'unreachable') box.append(el('p', { text: 'Retrying with the next refresh. Check that "continuo server" is running.' }));
    return true;
  }
  box.append(el('h3', { text: emptyTitle }));
  if (emptyBody) box.append(emptyBody);
  return true;
}

function noDataHelp() {
  const origin = location.origin;
  return el('div', {},
    el('p', { text: 'Nothing has been ingested in this time range. Point an agent at this server, or push a profile:' }),
    el('pre', { text: `curl -X POST --data-binary @cpu.pb.gz \\\n  '${origin}/api/v1/ingest?service=my-app&format=pprof'` }),
    el('p', { text: 'The server profiles itself as "continuo-server"; its first profiles arrive within about 15 seconds.' }));
}

function rangeMs(s) {
  const now = Date.now();
  return [resolveTime(s.from, now), resolveTime(s.until, now)];
}

function unitOfType(type) {
  for (const svc of services) for (const t of svc.types) if (t.name === type) return t.unit;
  return { cpu: 'nanoseconds', wall: 'nanoseconds', alloc_bytes: 'bytes', inuse_bytes: 'bytes', lock_duration: 'nanoseconds' }[type] || 'count';
}

function isAbort(e) {
  return e && e.name === 'AbortError';
}

// ---- controls ---------------------------------------------------------------------------------

function initControls() {
  ui.service.addEventListener('change', () => navigate({ service: ui.service.value, type: '', labels: {}, focus: [], fn: '', groupBy: '' }));
  ui.type.addEventListener('change', () => navigate({ type: ui.type.value, focus: [], fn: '' }));
  ui.refresh.addEventListener('change', () => navigate({ refresh: ui.refresh.value }, { replace: true }));
  ui.groupBy.addEventListener('change', () => navigate({ groupBy: ui.groupBy.value }));
  for (const b of ui.rangePresets.querySelectorAll('button[data-from]')) {
    b.addEventListener('click', () => navigate({ from: b.dataset.from, until: 'now', focus: [] }));
  }
  ui.customToggle.addEventListener('click', () => {
    const open = ui.customRange.hidden;
    ui.customRange.hidden = !open;
    ui.customToggle.setAttribute('aria-expanded', String(open));
    if (open) {
      const [f, u] = rangeMs(state);
      ui.customFrom.value = toLocalInput(f);
      ui.customUntil.value = toLocalInput(u);
      ui.customFromText.value = state.from;
      ui.customUntilText.value = state.until;
      ui.customFrom.focus();
    }
  });
  ui.customRange.addEventListener('submit', (e) => {
    e.preventDefault();
    let from = ui.customFromText.value.trim();
    let until = ui.customUntilText.value.trim();
    if (!from || from === state.from) from = String(new Date(ui.customFrom.value).getTime());
    if (!until || until === state.until) until = String(new Date(ui.customUntil.value).getTime());
    if (Number.isNaN(resolveTime(from)) || Number.isNaN(resolveTime(until)) || resolveTime(from) >= resolveTime(until)) {
      showBanner('Invalid time range: "from" must be before "until".');
      return;
    }
    ui.customRange.hidden = true;
    ui.customToggle.setAttribute('aria-expanded', 'false');
    navigate({ from, until, focus: [] });
  });
  ui.themeToggle.addEventListener('click', () => {
    const root = document.documentElement;
    const dark = root.dataset.theme ? root.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    root.dataset.theme = dark ? 'light' : 'dark';
    try { localStorage.setItem('continuo.theme', root.dataset.theme); } catch (e) { /* storage disabled */ }
    rerenderCanvases();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', rerenderCanvases);
  ui.traceForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const id = ui.traceInput.value.trim();
    if (id) navigate({ view: 'trace', traceId: id, from: TRACE_DEFAULT_FROM, until: 'now', q: '', focus: [] });
  });
  for (const a of document.querySelectorAll('.views a')) {
    a.addEventListener('click', (e) => {
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      const view = a.dataset.view;
      if (view === 'trace') {
        navigate({ view: 'trace', from: state.view === 'trace' ? state.from : TRACE_DEFAULT_FROM });
        ui.traceInput.focus();
      } else {
        navigate({ view, from: state.view === 'trace' ? DEFAULTS.from : state.from, focus: [] });
      }
    });
  }
  document.addEventListener('keydown', (e) => {
    if (e.key === '/' && !/INPUT|SELECT|TEXTAREA/.test(document.activeElement?.tagName || '')) {
      e.preventDefault();
      const box = state.view === 'diff' ? ui.diffSearch : state.view === 'trace' ? ui.traceSearch : ui.search;
      box.focus();
    }
  });
}

function renderServiceSelect() {
  clear(ui.service);
  const names = services.map((s) => s.name);
  if (state.service && !names.includes(state.service)) names.unshift(state.service);
  if (!names.length) ui.service.append(el('option', { value: '', text: '(no services)' }));
  for (const n of names) ui.service.append(el('option', { value: n, text: n, selected: n === state.service }));
  ui.service.value = state.service;
  clear(ui.type);
  const svc = services.find((s) => s.name === state.service);
  const types = svc ? svc.types.map((t) => t.name) : [];
  if (state.type && !types.includes(state.type)) types.unshift(state.type);
  for (const t of types) ui.type.append(el('option', { value: t, text: t }));
  ui.type.value = state.type;
}

async function loadServices(force) {
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

/** Picks a service and type when the URL names none: continuo-server cpu, else the first of each. */
function defaultSelection() {
  if (!services.length) return null;
  let service = state.service;
  if (!service || !services.some((s) => s.name === service)) {
    if (service) return null; // the URL named a service with no data here: keep it, show the empty state
    service = (services.find((s) => s.name === 'continuo-server') || services[0]).name;
  }
  const svc = services.find((s) => s.name === service);
  let type = state.type;
  if (!type) {
    const names = svc.types.map((t) => t.name);
    type = names.includes('cpu') ? 'cpu' : names[0] || 'cpu';
  }
  if (service === state.service && type === state.type) return null;
  return { service, type };
}

let labelsKey = '';

async function loadLabelFilters() {
  const key = [state.service, state.from, state.until].join('|');
  if (key === labelsKey) {
    syncFilterValues();
    return;
  }
  labelsKey = key;
  const q = selector(state.service, {});
  let names = [];
  try {
    names = (await api.labels(q, state.from, state.until)).names || [];
  } catch (e) {
    if (isAbort(e)) return;
    names = [];
  }
  names = names.filter((n) => !HIDDEN_LABELS.has(n) && !n.startsWith('__'));
  names.sort((a, b) => {
    const ia = PREFERRED_LABELS.indexOf(a);
    const ib = PREFERRED_LABELS.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  for (const n of Object.keys(state.labels)) if (!names.includes(n)) names.push(n);
  const values = await Promise.all(names.map((n) => api.labelValues(n, q, state.from, state.until)
    .then((b) => b.values || []).catch(() => [])));
  clear(ui.filters);
  names.forEach((n, i) => {
    const id = 'filter-' + n;
    const sel = el('select', { id, dataset: { label: n } });
    sel.append(el('option', { value: '', text: 'any' }));
    const vals = values[i].slice();
    if (state.labels[n] && !vals.includes(state.labels[n])) vals.unshift(state.labels[n]);
    for (const v of vals) sel.append(el('option', { value: v, text: v }));
    sel.value = state.labels[n] || '';
    sel.addEventListener('change', () => {
      const labels = { ...state.labels };
      if (sel.value) labels[n] = sel.value;
      else delete labels[n];
      navigate({ labels, focus: [] });
    });
    ui.filters.append(el('div', { class: 'control' }, el('label', { for: id, text: n }), sel));
  });
  ui.labelValues = Object.fromEntries(names.map((n, i) => [n, values[i]]));
  clear(ui.groupBy);
  ui.groupBy.append(el('option', { value: '', text: '(none)' }));
  for (const n of names) ui.groupBy.append(el('option', { value: n, text: n }));
  ui.groupBy.value = state.groupBy;
}

function syncFilterValues() {
  for (const sel of ui.filters.querySelectorAll('select[data-label]')) sel.value = state.labels[sel.dataset.label] || '';
  ui.groupBy.value = state.groupBy;
}

function renderRange() {
  const preset = state.until === 'now' ? state.from : '';
  setPressed(ui.rangePresets, 'data-from', preset);
  ui.customToggle.setAttribute('aria-pressed', String(!['now-15m', 'now-1h', 'now-24h', 'now-7d'].includes(preset)));
  ui.rangeSummary.textContent = describeRange(state.from, state.until);
  ui.refresh.value = state.refresh;
  ui.refresh.disabled = state.until !== 'now';
  ui.refresh.title = state.until !== 'now' ? 'Auto-refresh works for ranges ending now' : '';
}

function scheduleRefresh() {
  clearInterval(refreshTimer);
  refreshTimer = null;
  const ms = REFRESH_MS[state.refresh];
  if (!ms || state.until !== 'now' || state.view === 'trace') return;
  refreshTimer = setInterval(() => {
    if (document.hidden) return;
    apply(state, { refresh: true });
  }, ms);
}

// ---- explore view -------------------------------------------------------------------------------

const explore = {};

function initExplore() {
  explore.flame = new FlameGraph(ui.flame, {
    onFocus: (path) => navigate({ focus: path }, { replace: false }),
    onPick: (fn) => navigate({ panel: 'sandwich', fn }),
  });
  explore.top = new TopTable(ui.top, {
    id: 'top-table',
    onSelect: (name) => navigate({ q: state.q === name ? '' : name }, { replace: true }),
    onSandwich: (fn) => navigate({ panel: 'sandwich', fn }),
  });
  explore.totalChart = new Chart(ui.chartTotal, {
    title: 'Total',
    height: 160,
    sync: 'continuo',
    onSelect: (f, u) => navigate({ from: String(f), until: String(u), focus: [], refresh: '' }),
  });
  explore.metricCharts = new Map();
  const onSearch = debounce(() => navigate({ q: ui.search.value }, { replace: true }), 150);
  ui.search.addEventListener('input', onSearch);
  ui.search.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      ui.search.value = '';
      navigate({ q: '' }, { replace: true });
    }
  });
  for (const b of ui.panelTabs.querySelectorAll('button')) b.addEventListener('click', () => navigate({ panel: b.dataset.panel }));
  for (const b of ui.layoutTabs.querySelectorAll('button')) b.addEventListener('click', () => navigate({ layout: b.dataset.layout }, { replace: true }));
  ui.colorMode.addEventListener('change', () => navigate({ color: ui.colorMode.value }, { replace: true }));
  ui.exportPng.addEventListener('click', async () => {
    const blob = await explore.flame.toBlob();
    if (blob) download(blob, `${state.service || 'profile'}.${state.type}.png`);
  });
}

function exploreParams() {
  return { type: state.type, query: selector(state.service, state.labels), from: state.from, until: state.until };
}

function renderExploreChrome() {
  setPressed(ui.panelTabs, 'data-panel', state.panel);
  setPressed(ui.layoutTabs, 'data-layout', state.layout);
  ui.colorMode.value = state.color;
  if (ui.search.value !== state.q && document.activeElement !== ui.search) ui.search.value = state.q;
  ui.flameLayout.className = 'flame-layout' + ({ flame: ' only-flame', table: ' only-table', sandwich: ' sandwich' }[state.panel] || '');
  ui.sandwich.hidden = state.panel !== 'sandwich';
  const p = exploreParams();
  ui.exportCollapsed.href = apiUrl('/api/v1/query/flamegraph', { ...p, format: 'collapsed' });
  ui.exportCollapsed.setAttribute('download', `${state.service}.${state.type}.collapsed.txt`);
  ui.exportPprof.href = apiUrl('/api/v1/query/flamegraph', { ...p, format: 'pprof' });
  ui.exportPprof.setAttribute('download', `${state.service}.${state.type}.pb.gz`);
}

function applySearch(flame, output, q, table) {
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

async function loadExploreData(opts = {}) {
  const p = exploreParams();
  const range = rangeMs(state);
  const unit = unitOfType(state.type);
  loadTrend(p, range, unit);
  loadMetrics(p, range);
  loadFlame(p, opts);
  if (opts.refresh) tracesKey = '';
  loadTraces();
}

async function loadTrend(p, range, unit) {
  const chart = explore.totalChart;
  const step = Math.max(1, (range[1] - range[0]) / 1000 / 120);
  try {
    const body = await api.timeseries({ ...p, groupBy: state.groupBy });
    const stepS = body.step || step;
    let map = (v) => v / stepS;
    let fmt = (v) => fmtValue(v, unit) + '/s';
    let title = `${state.type} per second`;
    if (unit === 'nanoseconds') {
      map = (v) => v / (stepS * 1e9);
      // below a hundredth of a core "cores" reads as 0: label the whole axis in CPU time per second instead
      let max = 0;
      for (const s of body.series || []) for (const pt of s.points) max = Math.max(max, Math.abs(pt[1]) / (stepS * 1e9));
      fmt = max >= 0.01 ? (v) => trimNum(v) + ' cores' : (v) => fmtValue(v * 1e9, 'nanoseconds') + '/s';
      title = max >= 0.01 ? `${state.type} (cores)` : `${state.type} (time per second)`;
    }
    chart.opts.fmt = fmt;
    chart.setTitle(title + (state.groupBy ? ` by ${state.groupBy}` : ''));
    chart.setSeries(body.series || [], range, map);
  } catch (e) {
    if (isAbort(e)) return;
    chart.showMessage(e.message);
  }
}

async function loadMetrics(p, range) {
  let names = [];
  try {
    names = (await api.metricNames(p.query, p.from, p.until)).names || [];
  } catch (e) {
    if (isAbort(e)) return;
    names = [];
  }
  const wanted = METRICS.filter((m) => names.includes(m.name));
  for (const [name, chart] of explore.metricCharts) {
    if (!wanted.some((m) => m.name === name)) {
      chart.destroy();
      explore.metricCharts.delete(name);
    }
  }
  for (const m of wanted) {
    let chart = explore.metricCharts.get(m.name);
    if (!chart) {
      chart = new Chart(ui.chartMetrics, {
        title: m.title,
        fmt: m.fmt,
        height: 110,
        sync: 'continuo',
        onSelect: (f, u) => navigate({ from: String(f), until: String(u), focus: [], refresh: '' }),
      });
      chart.box.dataset.metric = m.name;
      explore.metricCharts.set(m.name, chart);
    }
    api.metric({ name: m.name, query: p.query, from: p.from, until: p.until, groupBy: state.groupBy }, 'metric-' + m.name)
      .then((b) => chart.setSeries(b.series || [], range, m.map))
      .catch((e) => { if (!isAbort(e)) chart.showMessage(e.message); });
  }
}

async function loadFlame(p, opts) {
  const unit = unitOfType(state.type);
  try {
    const [flame, top] = await Promise.all([
      api.flame({ ...p, maxNodes: FLAME_MAX_NODES }),
      api.top({ ...p, sort: 'self', limit: 300 }),
    ]);
    const empty = !flame.total;
    showState(ui.flameState, null, empty ? 'No profiles for this selection' : '', empty ? noDataHelp() : null);
    ui.flameLayout.hidden = empty;
    ui.flameSummary.textContent = empty ? '' : `${flame.type} · total ${fmtValue(flame.total, flame.unit || unit)} · ${flame.numNodes} nodes shown${flame.numNodes >= FLAME_MAX_NODES ? ' (pruned)' : ''} · ${describeRange(state.from, state.until)}`;
    explore.flame.setData(flame, state.focus);
    explore.top.setData(top.functions || [], top.total, top.unit || unit);
    applySearch(explore.flame, ui.searchResult, state.q, explore.top);
    if (state.panel === 'sandwich') loadSandwich();
    explore.loaded = true;
  } catch (e) {
    if (isAbort(e)) return;
    showState(ui.flameState, e);
    if (!opts.refresh) ui.flameLayout.hidden = true;
  }
}

async function loadSandwich() {
  clear(ui.sandwich);
  explore.sandwichGraphs?.forEach((g) => g.destroy());
  explore.sandwichGraphs = [];
  if (!state.fn) {
    ui.sandwich.append(el('div', { class: 'state' },
      el('h3', { text: 'Pick a function' }),
      el('p', { text: 'Right-click a frame in the flame graph (or press S on it), or use ⇅ in the table, to see its callers and callees.' })));
    return;
  }
  const head = el('div', { class: 'sandwich-head' }, el('h3', {}, 'Callers of ', el('span', { class: 'sandwich-fn', text: state.fn })));
  const callersHost = el('div', { class: 'flame-host', id: 'sandwich-callers' });
  const calleesHost = el('div', { class: 'flame-host', id: 'sandwich-callees' });
  ui.sandwich.append(head, callersHost,
    el('h3', {}, 'Callees of ', el('span', { class: 'sandwich-fn', text: state.fn })), calleesHost,
    el('button', { type: 'button', text: 'Back to the flame graph', onclick: () => navigate({ panel: 'both' }) }));
  try {
    const body = await api.sandwich({ ...exploreParams(), function: state.fn, maxNodes: 4096 });
    const unit = body.unit || unitOfType(state.type);
    const callers = new FlameGraph(callersHost, { layout: 'flame', colorMode: state.color, showBreadcrumb: false, label: 'Callers flame graph' });
    const callees = new FlameGraph(calleesHost, { layout: 'icicle', colorMode: state.color, showBreadcrumb: true, label: 'Callees flame graph' });
    callers.setData({ ...body.callers, unit });
    callees.setData({ ...body.callees, unit });
    explore.sandwichGraphs = [callers, callees];
  } catch (e) {
    if (isAbort(e)) return;
    const box = el('div', { class: 'state' });
    showState(box, e);
    ui.sandwich.append(box);
  }
}

function traceRows(traces, unit) {
  if (!traces.length) return el('div', { class: 'state', text: 'No trace ids in these samples. Traces appear when profiles carry trace_id/span_id labels (e.g. from the OpenTelemetry integration).' });
  const body = el('tbody');
  for (const t of traces) {
    body.append(el('tr', {},
      el('td', {}, el('a', { href: '/trace/' + encodeURIComponent(t.traceId), class: 'mono trace-link', text: t.traceId, onclick: (e) => {
        if (e.metaKey || e.ctrlKey) return;
        e.preventDefault();
        navigate({ view: 'trace', traceId: t.traceId, from: TRACE_DEFAULT_FROM, until: 'now', q: '', focus: [] });
      } })),
      el('td', { text: t.endpoint || '–' }),
      el('td', { text: fmtDuration(Math.max(0, t.lastMillis - t.firstMillis)) }),
      el('td', { text: fmtValue(t.value, unit) }),
      el('td', { text: fmtTime(t.firstMillis, true) })));
  }
  return el('table', { class: 'data traces-table' },
    el('thead', {}, el('tr', {}, ...['Trace', 'Endpoint', 'Sampled span', 'Profile value', 'First sample'].map((h) => el('th', { scope: 'col', text: h })))),
    body);
}

let tracesKey = '';

/** The trace ids sampled in the current selection; rendered once per selection (the list is kept while open). */
async function loadTraces() {
  const p = exploreParams();
  const key = JSON.stringify(p);
  if (key === tracesKey) return;
  tracesKey = key;
  try {
    const body = await api.traces({ ...p, limit: 100 });
    const traces = body.traces || [];
    ui.tracesCount.textContent = String(traces.length) + (traces.length >= 100 ? '+' : '');
    clear(ui.traces).append(traceRows(traces, body.unit || unitOfType(state.type)));
  } catch (e) {
    if (isAbort(e)) return;
    tracesKey = '';
    ui.tracesCount.textContent = '';
    const box = el('div', { class: 'state' });
    showState(box, e);
    clear(ui.traces).append(box);
  }
}

// ---- diff view ----------------------------------------------------------------------------------

const diffView = {};

function initDiff() {
  // Zoom is part of the URL in every view, so a shared comparison link opens on the same frame.
  diffView.flame = new FlameGraph(ui.diffFlame, { onFocus: (path) => navigate({ focus: path }, { replace: false }) });
  diffView.changes = new ChangesTable(ui.diffChanges, {
    onSelect: (name) => navigate({ q: state.q === name ? '' : name }, { replace: true }),
  });
  for (const b of ui.cmpPresets.querySelectorAll('button')) b.addEventListener('click', () => navigate({ cmp: b.dataset.cmp }));
  for (const b of ui.diffMode.querySelectorAll('button')) b.addEventListener('click', () => navigate({ mode: b.dataset.mode }, { replace: true }));
  ui.diffCustom.addEventListener('submit', (e) => {
    e.preventDefault();
    navigate({
      cmp: 'custom',
      bFrom: ui.bFrom.value.trim(), bUntil: ui.bUntil.value.trim(), bLabels: ui.bLabels.value.trim(),
      cFrom: ui.cFrom.value.trim(), cUntil: ui.cUntil.value.trim(), cLabels: ui.cLabels.value.trim(),
    });
  });
  ui.diffSearch.addEventListener('input', debounce(() => navigate({ q: ui.diffSearch.value }, { replace: true }), 150));
}

/** Parses `a="b", c="d"` (or a=b) into an object; values may not contain commas unless quoted. */
function parseLabelList(text) {
  const out = {};
  const re = /([A-Za-z_][\w.]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))/g;
  let m;
  while ((m = re.exec(text || ''))) out[m[1]] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim();
  return out;
}

function formatLabelList(obj) {
  return Object.entries(obj).map(([k, v]) => `${k}="${v}"`).join(', ');
}

/** Both sides of the comparison: {baseline:{query, from, until, label}, comparison:{...}} or {error}. */
async function diffSides() {
  const [f, u] = rangeMs(state);
  const cur = { query: selector(state.service, state.labels), from: state.from, until: state.until, label: describeRange(state.from, state.until) };
  const shifted = (ms, label) => ({
    baseline: { query: cur.query, from: String(f - ms), until: String(u - ms), label: `${label}: ${describeRange(String(f - ms), String(u - ms))}` },
    comparison: { ...cur, label: `Selection: ${cur.label}` },
  });
  if (state.cmp === '1h') return shifted(3_600_000, '1 hour earlier');
  if (state.cmp === '1d') return shifted(86_400_000, '1 day earlier');
  if (state.cmp === 'version') {
    let versions;
    try {
      versions = (await api.labelValues('version', selector(state.service, {}), state.from, state.until)).values || [];
    } catch (e) {
      versions = [];
    }
    versions = versions.slice().sort(compareVersions);
    const current = state.labels.version || versions[versions.length - 1];
    const idx = versions.indexOf(current);
    if (!current || idx <= 0) {
      return { error: versions.length < 2 ? `Needs at least two values of the "version" label in this range (found ${versions.length}).` : `"${current}" is the oldest version in this range.` };
    }
    const prev = versions[idx - 1];
    return {
      baseline: { query: selector(state.service, { ...state.labels, version: prev }), from: state.from, until: state.until, label: `version ${prev}` },
      comparison: { query: selector(state.service, { ...state.labels, version: current }), from: state.from, until: state.until, label: `version ${current}` },
    };
  }
  const side = (from, until, labels, fallbackFrom, fallbackUntil) => {
    const fr = from || fallbackFrom;
    const un = until || fallbackUntil;
    const lbl = { ...state.labels, ...parseLabelList(labels) };
    return { query: selector(state.service, lbl), from: fr, until: un, label: `${describeRange(fr, un)}${labels ? ' · ' + formatLabelList(parseLabelList(labels)) : ''}` };
  };
  return {
    baseline: side(state.bFrom, state.bUntil, state.bLabels, state.from, state.until),
    comparison: side(state.cFrom, state.cUntil, state.cLabels, state.from, state.until),
  };
}

function compareVersions(a, b) {
  const pa = String(a).split(/[.\-+]/);
  const pb = String(b).split(/[.\-+]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    const c = !Number.isNaN(nx) && !Number.isNaN(ny) && x !== '' && y !== '' ? nx - ny : x.localeCompare(y);
    if (c) return c;
  }
  return 0;
}

function renderDiffChrome() {
  setPressed(ui.cmpPresets, 'data-cmp', state.cmp);
  setPressed(ui.diffMode, 'data-mode', state.mode);
  ui.diffCustom.hidden = state.cmp !== 'custom';
  ui.bFrom.value = state.bFrom;
  ui.bUntil.value = state.bUntil;
  ui.bLabels.value = state.bLabels;
  ui.cFrom.value = state.cFrom;
  ui.cUntil.value = state.cUntil;
  ui.cLabels.value = state.cLabels;
  ui.diffMain.hidden = state.mode !== 'diff';
  ui.diffLegend.hidden = state.mode !== 'diff';
  ui.sideMain.hidden = state.mode !== 'side';
  if (ui.diffSearch.value !== state.q && document.activeElement !== ui.diffSearch) ui.diffSearch.value = state.q;
}

async function loadDiff() {
  const sides = await diffSides();
  clear(ui.diffSides);
  if (sides.error) {
    showState(ui.diffState, null, 'Nothing to compare', el('p', { text: sides.error }));
    ui.diffMain.hidden = true;
    ui.sideMain.hidden = true;
    return;
  }
  for (const [name, s] of [['Baseline', sides.baseline], ['Comparison', sides.comparison]]) {
    ui.diffSides.append(el('div', { class: 'side' }, el('strong', { text: name }), el('span', { text: s.label }), el('div', { class: 'mono hint', text: s.query })));
  }
  renderDiffChrome();
  const type = state.type;
  try {
    if (state.mode === 'side') {
      const [l, r] = await Promise.all([
        api.flame({ type, query: sides.baseline.query, from: sides.baseline.from, until: sides.baseline.until, maxNodes: 4096 }, 'side-left'),
        api.flame({ type, query: sides.comparison.query, from: sides.comparison.from, until: sides.comparison.until, maxNodes: 4096 }, 'side-right'),
      ]);
      showState(ui.diffState, null);
      diffView.left?.destroy();
      diffView.right?.destroy();
      // Zoom is synchronised: focusing a frame on one side focuses the same call path (or its deepest
      // prefix that exists) on the other, so the two sides stay comparable.
      const follow = (other) => (path) => {
        const g = diffView[other];
        if (g) g.setFocus(g.resolvePath(path), false);
        navigate({ focus: path }, { replace: false });
      };
      diffView.left = new FlameGraph(ui.sideLeft, { onFocus: follow('right') });
      diffView.right = new FlameGraph(ui.sideRight, { onFocus: follow('left') });
      ui.sideLeftTitle.textContent = `Baseline · ${fmtValue(l.total, l.unit)}`;
      ui.sideRightTitle.textContent = `Comparison · ${fmtValue(r.total, r.unit)}`;
      diffView.left.setData(l, state.focus);
      diffView.right.setData(r, state.focus);
      diffView.left.setLayout(state.layout);
      diffView.right.setLayout(state.layout);
      diffView.left.setSearch(state.q);
      diffView.right.setSearch(state.q);
      return;
    }
    const body = await api.diff({
      type,
      leftQuery: sides.baseline.query, leftFrom: sides.baseline.from, leftUntil: sides.baseline.until,
      rightQuery: sides.comparison.query, rightFrom: sides.comparison.from, rightUntil: sides.comparison.until,
      maxNodes: FLAME_MAX_NODES,
    });
    const bt = body.baseline.total;
    const ct = body.comparison.total;
    if (!bt && !ct) {
      showState(ui.diffState, null, 'No profiles on either side', noDataHelp());
      ui.diffMain.hidden = true;
      return;
    }
    const notes = [];
    if (!bt) notes.push('The baseline has no profiles: everything shows as new.');
    if (!ct) notes.push('The comparison has no profiles: everything shows as removed.');
    showState(ui.diffState, null, notes.length ? 'One side is empty' : '', notes.length ? el('p', { text: notes.join(' ') }) : null);
    ui.diffMain.hidden = false;
    const sideTotals = ui.diffSides.querySelectorAll('.side');
    sideTotals[0].append(el('div', { text: 'total ' + fmtValue(bt, body.unit) }));
    sideTotals[1].append(el('div', { text: 'total ' + fmtValue(ct, body.unit) + (body.scale !== 1 ? ` · normalised ×${body.scale.toPrecision(3)}` : '') }));
    diffView.flame.setData(body, state.focus);
    diffView.flame.setLayout(state.layout);
    diffView.changes.setData(body.changes || [], body.unit, bt, ct);
    applySearch(diffView.flame, ui.diffSearchResult, state.q);
  } catch (e) {
    if (isAbort(e)) return;
    showState(ui.diffState, e);
    ui.diffMain.hidden = true;
  }
}

// ---- trace view ---------------------------------------------------------------------------------

const traceView = {};

function initTrace() {
  traceView.flame = new FlameGraph(ui.traceFlame, {});
  traceView.top = new TopTable(ui.traceTop, {
    id: 'trace-top-table',
    onSelect: (name) => navigate({ q: state.q === name ? '' : name }, { replace: true }),
  });
  ui.traceType.addEventListener('change', () => navigate({ type: ui.traceType.value }));
  ui.traceSearch.addEventListener('input', debounce(() => navigate({ q: ui.traceSearch.value }, { replace: true }), 150));
}

async function loadTrace() {
  const id = state.traceId;
  clear(ui.traceSummary);
  clear(ui.traceSpans);
  ui.traceTitle.textContent = id ? 'Trace ' + id : 'Trace';
  ui.traceInput.value = id;
  if (!id) {
    showState(ui.traceState, null, 'Open a trace', el('p', { text: 'Paste a trace id in the box above, or pick one from "Traces sampled in this selection" in Explore.' }));
    ui.traceFlame.parentElement.hidden = true;
    return;
  }
  const type = state.type || 'cpu';
  try {
    await loadServices(false);
  } catch (e) {
    // the trace query below reports an unreachable server
  }
  const types = [...new Set(['cpu', type, ...services.flatMap((s) => s.types.map((t) => t.name))])];
  clear(ui.traceType);
  for (const t of types) ui.traceType.append(el('option', { value: t, text: t }));
  ui.traceType.value = type;
  try {
    const body = await api.trace({ traceId: id, type, from: state.from, until: state.until, maxNodes: FLAME_MAX_NODES });
    let spans = body.spans || [];
    const unit = body.unit || unitOfType(type);
    if (!spans.length && body.total) {
      // A server that answers without spans: find this trace among the range's traces (bounded) for its endpoint.
      try {
        const all = await api.traces({ type, query: '{}', from: state.from, until: state.until, limit: 1000 }, 'trace-spans');
        spans = (all.traces || []).filter((t) => t.traceId === id);
      } catch (e) {
        spans = [];
      }
    }
    if (!body.total) {
      showState(ui.traceState, null, 'No profile samples for this trace',
        el('p', { text: `No ${type} samples carry trace_id "${id}" between ${describeRange(state.from, state.until)}. The trace may be older, sampled by another profile type, or its spans too short to be sampled.` }));
      ui.traceFlame.parentElement.hidden = true;
      return;
    }
    showState(ui.traceState, null);
    ui.traceFlame.parentElement.hidden = false;
    const endpoints = [...new Set(spans.map((s) => s.endpoint).filter(Boolean))];
    const first = Math.min(...spans.map((s) => s.firstMillis));
    const last = Math.max(...spans.map((s) => s.lastMillis));
    const item = (k, v) => el('div', {}, el('span', { class: 'k', text: k }), el('span', { class: 'v', text: v }));
    ui.traceSummary.append(
      item('Endpoint', endpoints.join(', ') || '–'),
      item('Sampled duration', spans.length ? fmtDuration(Math.max(0, last - first)) : '–'),
      item(type + ' in trace', fmtValue(body.total, unit)),
      item('Spans', String(spans.length)),
      item('Profile type', type));
    if (spans.length) {
      const tb = el('tbody');
      for (const s of spans) {
        tb.append(el('tr', {},
          el('td', { class: 'mono', text: s.spanId || '–' }),
          el('td', { text: s.endpoint || '–' }),
          el('td', { text: fmtDuration(Math.max(0, s.lastMillis - s.firstMillis)) }),
          el('td', { text: fmtValue(s.value, unit) }),
          el('td', { text: fmtTime(s.firstMillis, true) })));
      }
      ui.traceSpans.append(el('details', {}, el('summary', { text: `Spans (${spans.length})` }),
        el('table', { class: 'data spans-table' },
          el('thead', {}, el('tr', {}, ...['Span', 'Endpoint', 'Sampled duration', 'Value', 'First sample'].map((h) => el('th', { scope: 'col', text: h })))),
          tb)));
    }
    traceView.flame.setData(body);
    traceView.flame.setLayout(state.layout);
    const top = topFromLevels(body);
    traceView.top.setData(top.functions, top.total, unit);
    applySearch(traceView.flame, ui.traceSearchResult, state.q, traceView.top);
  } catch (e) {
    if (isAbort(e)) return;
    showState(ui.traceState, e);
    ui.traceFlame.parentElement.hidden = true;
  }
}

// ---- apply ---------------------------------------------------------------------------------------

function rerenderCanvases() {
  explore.flame?.draw();
  diffView.flame?.draw();
  traceView.flame?.draw();
  if (state) apply(state, { refresh: true });
}

function renderNav() {
  for (const a of document.querySelectorAll('.views a')) {
    if (a.dataset.view === state.view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  ui.viewExplore.hidden = state.view !== 'explore';
  ui.viewDiff.hidden = state.view !== 'diff';
  ui.viewTrace.hidden = state.view !== 'trace';
  ui.viewInsights.hidden = state.view !== 'insights';
  ui.controls.hidden = state.view === 'trace';
  document.title = state.view === 'trace' ? `Trace ${state.traceId} · Continuo`
    : `${state.service || 'Continuo'}${state.type ? ' ' + state.type : ''}${state.view === 'diff' ? ' · compare' : ''} · Continuo`;
}

let applySeq = 0;
let insightsView = null;

async function apply(next, opts = {}) {
  const prev = opts.refresh ? null : state;
  state = next;
  const seq = ++applySeq;
  renderNav();
  renderRange();
  scheduleRefresh();
  if (state.view === 'insights') {
    showBanner('');
    if (changed(prev, state, ['view', 'from', 'until']) || opts.refresh) await insightsView.load({ from: state.from, until: state.until });
    return;
  }
  if (state.view === 'trace') {
    showBanner('');
    if (changed(prev, state, ['view', 'traceId', 'type', 'from', 'until'])) await loadTrace();
    else {
      traceView.flame.setLayout(state.layout);
      applySearch(traceView.flame, ui.traceSearchResult, state.q, traceView.top);
    }
    return;
  }
  try {
    await loadServices(opts.refresh);
    if (seq !== applySeq) return;
    showBanner('');
  } catch (e) {
    if (seq !== applySeq) return;
    showBanner(e.kind === 'unreachable' ? 'The Continuo server is unreachable. Retrying on the next refresh.' : 'Could not list services: ' + e.message);
    if (e.kind === 'unreachable' && !refreshTimer) setTimeout(() => { if (seq === applySeq) apply(state, { refresh: true }); }, 10_000);
    return;
  }
  const pick = defaultSelection();
  if (pick) {
    navigate(pick, { replace: true });
    return;
  }
  renderServiceSelect();
  if (state.view === 'explore') renderExploreChrome();
  if (!services.length && !state.service) {
    const box = state.view === 'diff' ? ui.diffState : ui.flameState;
    showState(box, null, 'No data yet', noDataHelp());
    ui.flameLayout.hidden = true;
    explore.totalChart.showMessage('No data yet');
    // a fresh server profiles itself within seconds: look again soon
    setTimeout(() => { if (seq === applySeq) apply(state, { refresh: true }); }, 5_000);
    return;
  }
  const dataKeys = ['view', 'service', 'type', 'labels', 'from', 'until', 'groupBy'];
  if (changed(prev, state, ['service', 'from', 'until'])) loadLabelFilters();
  else syncFilterValues();
  if (state.view === 'explore') {
    renderExploreChrome();
    if (changed(prev, state, dataKeys)) {
      await loadExploreData(opts);
      return;
    }
    if (changed(prev, state, ['focus'])) {
      const target = explore.flame.resolvePath(state.focus);
      if (target !== explore.flame.focus) explore.flame.setFocus(target, false);
    }
    if (changed(prev, state, ['layout'])) explore.flame.setLayout(state.layout);
    if (changed(prev, state, ['color'])) explore.flame.setColorMode(state.color);
    if (changed(prev, state, ['q'])) applySearch(explore.flame, ui.searchResult, state.q, explore.top);
    if (changed(prev, state, ['panel', 'fn']) && state.panel === 'sandwich') loadSandwich();
    return;
  }
  renderDiffChrome();
  if (changed(prev, state, [...dataKeys, 'cmp', 'mode', 'bFrom', 'bUntil', 'bLabels', 'cFrom', 'cUntil', 'cLabels'])) {
    await loadDiff();
    return;
  }
  if (changed(prev, state, ['focus'])) {
    const graphs = state.mode === 'side' ? [diffView.left, diffView.right] : [diffView.flame];
    for (const g of graphs) {
      if (!g || g.isEmpty()) continue;
      const target = g.resolvePath(state.focus);
      if (target !== g.focus) g.setFocus(target, false);
    }
  }
  if (changed(prev, state, ['layout'])) diffView.flame.setLayout(state.layout);
  if (changed(prev, state, ['q'])) applySearch(diffView.flame, ui.diffSearchResult, state.q);
}

// ---- start -----------------------------------------------------------------------------------------

function bindUi() {
  const ids = {
    banner: 'banner', controls: 'controls', service: 'service', type: 'type', filters: 'filters', refresh: 'refresh',
    groupBy: 'group-by', rangePresets: 'range-presets', customToggle: 'custom-toggle', customRange: 'custom-range',
    customFrom: 'custom-from', customUntil: 'custom-until', customFromText: 'custom-from-text', customUntilText: 'custom-until-text',
    rangeSummary: 'range-summary', themeToggle: 'theme-toggle', traceForm: 'trace-form', traceInput: 'trace-input',
    viewExplore: 'view-explore', viewDiff: 'view-diff', viewTrace: 'view-trace', viewInsights: 'view-insights',
    chartTotal: 'chart-total', chartMetrics: 'chart-metrics', search: 'search', searchResult: 'search-result',
    panelTabs: 'panel-tabs', layoutTabs: 'layout-tabs', colorMode: 'color-mode', exportPng: 'export-png',
    exportCollapsed: 'export-collapsed', exportPprof: 'export-pprof', flameSummary: 'flame-summary', flameState: 'flame-state',
    flameLayout: 'flame-layout', flame: 'flame', top: 'top', sandwich: 'sandwich', tracesDetails: 'traces-details',
    tracesCount: 'traces-count', traces: 'traces',
    cmpPresets: 'cmp-presets', diffMode: 'diff-mode', diffCustom: 'diff-custom', bFrom: 'b-from', bUntil: 'b-until',
    bLabels: 'b-labels', cFrom: 'c-from', cUntil: 'c-until', cLabels: 'c-labels', diffSides: 'diff-sides',
    diffState: 'diff-state', diffLegend: 'diff-legend', diffMain: 'diff-main', diffSearch: 'diff-search',
    diffSearchResult: 'diff-search-result', diffFlame: 'diff-flame', diffChanges: 'diff-changes', sideMain: 'side-main',
    sideLeft: 'side-left', sideRight: 'side-right', sideLeftTitle: 'side-left-title', sideRightTitle: 'side-right-title',
    traceTitle: 'trace-title', traceSummary: 'trace-summary', traceState: 'trace-state', traceSpans: 'trace-spans',
    traceType: 'trace-type', traceSearch: 'trace-search', traceSearchResult: 'trace-search-result', traceFlame: 'trace-flame', traceTop: 'trace-top',
  };
  for (const [k, id] of Object.entries(ids)) {
    ui[k] = document.getElementById(id);
    if (!ui[k]) throw new Error('missing #' + id);
  }
}

function start() {
  bindUi();
  initControls();
  initExplore();
  initDiff();
  initTrace();
  insightsView = new InsightsView(ui.viewInsights);
  initSignIn();
  initDownloads();
  window.addEventListener('popstate', () => apply(parseLocation()));
  const initial = parseLocation();
  // "/" is the explore view: normalise the address so a copied link carries the state
  if (location.pathname === '/' || location.pathname === '/index.html') history.replaceState(null, '', toUrl(initial));
  apply(initial);
}

// ---- API key sign-in -------------------------------------------------------------------------------

/** A 401 from any query opens the sign-in dialog; a key that is then refused says so in the dialog. */
function initSignIn() {
  const dialog = document.getElementById('signin');
  const input = document.getElementById('signin-key');
  const message = document.getElementById('signin-message');
  const signOut = document.getElementById('sign-out');
  signOut.hidden = !apiKey();
  window.addEventListener('continuo:unauthorized', (e) => {
    message.textContent = apiKey() ? 'The server refused this key: ' + e.detail : '';
    if (!dialog.open) {
      dialog.showModal();
      input.focus();
    }
  });
  document.getElementById('signin-form').addEventListener('submit', () => {
    setApiKey(input.value.trim());
    input.value = '';
    signOut.hidden = !apiKey();
    apply(state, { refresh: true });
  });
  signOut.addEventListener('click', () => {
    setApiKey('');
    location.reload();
  });
}

/** Export links download through fetch, so they carry the API key like every other request. */
function initDownloads() {
  for (const a of [ui.exportCollapsed, ui.exportPprof]) {
    a.addEventListener('click', async (e) => {
      if (!apiKey()) return; // no key: the plain link works and the browser shows its own progress
      e.preventDefault();
      try {
        download(await getBlob(a.href), a.getAttribute('download'));
      } catch (err) {
        showBanner('Download failed: ' + err.message);
      }
    });
  }
}

// uPlot is a classic deferred script; modules run after deferred scripts, so it is loaded by now.
window.continuo = { get state() { return state; }, explore, diffView, traceView };
start();
void $; void isRelative; void ApiError;
