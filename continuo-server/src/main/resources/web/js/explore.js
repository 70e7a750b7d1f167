// Explore view: the trend and runtime-metric charts, the flame graph with its top-functions table, the sandwich
// view of one function, and the traces sampled in the selection.

import { el, clear, fmtValue, fmtDuration, fmtTime, describeRange, selector, debounce, download, exactQuery } from './util.js';
import { api, apiUrl, lastTiming } from './api.js';
import { FlameGraph } from './flame.js';
import { Chart } from './charts.js';
import { TopTable } from './table.js';
import { state, navigate, changed, TRACE_DEFAULT_FROM } from './state.js';
import {
  ui, FLAME_MAX_NODES, trimNum, setPressed, showState, rangeMs, unitOfType, isAbort, applySearch, setBusy, emptyState,
} from './common.js';

const METRICS = [
  { name: 'process_cpu_ratio', title: 'Process CPU', map: (v) => v * 100, fmt: (v) => trimNum(v) + '%' },
  { name: 'heap_used_after_gc_bytes', title: 'Heap after GC', fmt: (v) => fmtValue(v, 'bytes') },
  { name: 'alloc_rate_bytes_per_second', title: 'Allocation rate', fmt: (v) => fmtValue(v, 'bytes') + '/s' },
  { name: 'gc_pause_ns', title: 'GC time', fmt: (v) => fmtValue(v, 'nanoseconds') },
  { name: 'live_threads', title: 'Live threads', fmt: (v) => fmtValue(v, 'count') },
];

// ---- explore view -------------------------------------------------------------------------------

export const explore = {};

export function initExplore() {
  explore.flame = new FlameGraph(ui.flame, {
    onFocus: (path) => navigate({ focus: path }, { replace: false }),
    onPick: (fn) => navigate({ panel: 'sandwich', fn }),
  });
  explore.top = new TopTable(ui.top, {
    id: 'top-table',
    onSelect: (name) => navigate({ q: state.q === exactQuery(name) ? '' : exactQuery(name) }, { replace: true }),
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

export function renderExploreChrome() {
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



export async function loadExploreData(opts = {}) {
  const p = exploreParams();
  const range = rangeMs(state);
  const unit = unitOfType(state.type);
  loadTrend(p, range, unit);
  loadMetrics(p, range);
  loadFlame(p);
  if (opts.refresh) tracesKey = '';
  loadTraces();
}

/** Types that are levels (a snapshot of what is held), not amounts accumulated over time: never divided by time. */
const GAUGES = new Set(['inuse_bytes', 'inuse_objects', 'goroutines']);

/**
 * How the trend plots a type: CPU time as cores; other times (wall, lock) as seconds per second; bytes as bytes
 * per second; counts per second; levels as they are. Each with its unit on the axis and in the title.
 */
export function trendScale(type, unit, stepS, maxPerStep) {
  if (GAUGES.has(type)) {
    return { map: (v) => v, fmt: (v) => fmtValue(v, unit), title: `${type} (${unit === 'bytes' ? 'bytes' : 'level'})` };
  }
  if (unit === 'nanoseconds') {
    const perSecond = maxPerStep / (stepS * 1e9);
    const map = (v) => v / (stepS * 1e9);
    // below a hundredth "0.00 cores" reads as nothing: the axis then shows time per second (ms/s, µs/s)
    const small = perSecond < 0.01;
    if (type === 'cpu' && !small) return { map, fmt: (v) => trimNum(v) + ' cores', title: 'cpu (cores)' };
    return {
      map,
      fmt: small ? (v) => fmtValue(v * 1e9, 'nanoseconds') + '/s' : (v) => trimNum(v) + ' s/s',
      title: `${type} (seconds per second)`,
    };
  }
  const map = (v) => v / stepS;
  if (unit === 'bytes') return { map, fmt: (v) => fmtValue(v, 'bytes') + '/s', title: `${type} (bytes per second)` };
  return { map, fmt: (v) => fmtValue(v, unit) + '/s', title: `${type} per second` };
}

async function loadTrend(p, range, unit) {
  const chart = explore.totalChart;
  const step = Math.max(1, (range[1] - range[0]) / 1000 / 120);
  setBusy(chart.box, true);
  try {
    const body = await api.timeseries({ ...p, groupBy: state.groupBy });
    const stepS = body.step || step;
    let max = 0;
    for (const s of body.series || []) for (const pt of s.points) max = Math.max(max, Math.abs(pt[1]));
    const scale = trendScale(state.type, unit, stepS, max);
    chart.opts.fmt = scale.fmt;
    chart.setTitle(scale.title + (state.groupBy ? ` by ${state.groupBy}` : ''));
    chart.setSeries(body.series || [], range, scale.map);
    setBusy(chart.box, false);
  } catch (e) {
    if (isAbort(e)) return;
    setBusy(chart.box, false);
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
    setBusy(chart.box, true);
    api.metric({ name: m.name, query: p.query, from: p.from, until: p.until, groupBy: state.groupBy }, 'metric-' + m.name)
      .then((b) => {
        chart.setSeries(b.series || [], range, m.map);
        setBusy(chart.box, false);
      })
      .catch((e) => {
        if (isAbort(e)) return;
        setBusy(chart.box, false);
        chart.showMessage(e.message);
      });
  }
}

async function loadFlame(p) {
  const unit = unitOfType(state.type);
  const panel = ui.flameLayout.parentElement;
  setBusy(panel, true, `Loading ${state.type} of ${state.service}…`);
  try {
    const t0 = performance.now();
    const [flame, top] = await Promise.all([
      api.flame({ ...p, maxNodes: FLAME_MAX_NODES, format: 'flamebearer' }),
      api.top({ ...p, sort: 'self', limit: 300 }),
    ]);
    const t1 = performance.now();
    const empty = !flame.total;
    setBusy(panel, false);
    if (empty) await emptyState(ui.flameState);
    else showState(ui.flameState, null);
    ui.flameLayout.hidden = empty;
    ui.flameSummary.textContent = empty ? '' : `${flame.type} · total ${fmtValue(flame.total, flame.unit || unit)} · ${flame.numNodes} nodes shown${flame.numNodes >= FLAME_MAX_NODES ? ' (pruned)' : ''} · ${describeRange(state.from, state.until)}`;
    explore.flame.setData(flame, state.focus);
    explore.top.setData(top.functions || [], top.total, top.unit || unit);
    applySearch(explore.flame, ui.searchResult, state.q, explore.top);
    // what the page spent between the answer and the picture (reported by the tests, documented in docs/ui.md)
    explore.timing = { fetchMs: t1 - t0, ...lastTiming('flame'), renderMs: performance.now() - t1, nodes: explore.flame.n };
    if (state.panel === 'sandwich') loadSandwich();
    explore.loaded = true;
  } catch (e) {
    if (isAbort(e)) return;
    setBusy(panel, false);
    // the previous answer is not the answer to this question: hide it rather than show it as current
    showState(ui.flameState, e);
    ui.flameSummary.textContent = '';
    ui.flameLayout.hidden = true;
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


const DATA_KEYS = ['view', 'service', 'type', 'labels', 'from', 'until', 'groupBy'];

/** Brings the view up to `state` from `prev` (null: everything changed). */
export async function updateExplore(prev, opts) {
  renderExploreChrome();
  if (changed(prev, state, DATA_KEYS)) {
    // the drawing options of a link apply to its first picture too
    explore.flame.layout = state.layout;
    if (explore.flame.colorMode !== state.color) {
      explore.flame.colorMode = state.color;
      explore.flame.nameColors = [];
    }
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
}
