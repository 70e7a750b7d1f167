// The query controls above every view: service, type, label filters, range presets, auto-refresh, split-by.

import { el, clear, resolveTime, toLocalInput, describeRange, selector } from './util.js';
import { api } from './api.js';
import { state, navigate, refresh, DEFAULTS, TRACE_DEFAULT_FROM } from './state.js';
import { ui, services, setPressed, showBanner, rangeMs, isAbort } from './common.js';

const HIDDEN_LABELS = new Set(['service', 'trace_id', 'span_id', '__name__']);
const PREFERRED_LABELS = ['env', 'version', 'instance', 'endpoint', 'thread'];

/** The type a service opens on, the first it has of these (else its first type). */
const PREFERRED_TYPES = ['cpu', 'wall', 'alloc_bytes', 'inuse_bytes', 'lock_duration'];
const REFRESH_MS = { '10s': 10_000, '30s': 30_000, '1m': 60_000, '5m': 300_000 };

// ---- controls ---------------------------------------------------------------------------------

/** @param onThemeChange redraws canvases after the theme changes (colours come from CSS) */
export function initControls(onThemeChange) {
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
    onThemeChange();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', onThemeChange);
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

/** @param allowAll the insights view: "(all services)" and "(all types)" are choices too */
export function renderServiceSelect(allowAll = false) {
  clear(ui.service);
  const names = services.map((s) => s.name);
  if (state.service && !names.includes(state.service)) names.unshift(state.service);
  if (allowAll) ui.service.append(el('option', { value: '', text: '(all services)' }));
  else if (!names.length) ui.service.append(el('option', { value: '', text: '(no services)' }));
  for (const n of names) ui.service.append(el('option', { value: n, text: n, selected: n === state.service }));
  ui.service.value = state.service;
  clear(ui.type);
  const svc = services.find((s) => s.name === state.service);
  const types = svc ? svc.types.map((t) => t.name)
    : allowAll ? [...new Set(services.flatMap((s) => s.types.map((t) => t.name)))] : [];
  if (state.type && !types.includes(state.type)) types.unshift(state.type);
  if (allowAll) ui.type.append(el('option', { value: '', text: '(all types)' }));
  for (const t of types) ui.type.append(el('option', { value: t, text: t }));
  ui.type.value = state.type;
}

/** Picks a service and type when the URL names none: continuo-server cpu, else the first of each. */
export function defaultSelection() {
  if (!services.length) return null;
  let service = state.service;
  if (!service || !services.some((s) => s.name === service)) {
    if (service) return null; // the URL named a service with no data here: keep it, show the empty state
    service = (services.find((s) => s.name === 'continuo-server') || services[0]).name;
  }
  const svc = services.find((s) => s.name === service);
  let type = state.type;
  const names = svc.types.map((t) => t.name);
  // A type the service has: a Node.js app sends wall and samples but no cpu, and "cpu" showed it empty.
  if (!type || (names.length && !names.includes(type))) {
    type = PREFERRED_TYPES.find((t) => names.includes(t)) || names[0] || 'cpu';
  }
  if (service === state.service && type === state.type) return null;
  return { service, type };
}

let labelsKey = '';

export async function loadLabelFilters() {
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

export function syncFilterValues() {
  for (const sel of ui.filters.querySelectorAll('select[data-label]')) sel.value = state.labels[sel.dataset.label] || '';
  ui.groupBy.value = state.groupBy;
}

export function renderRange() {
  const preset = state.until === 'now' ? state.from : '';
  setPressed(ui.rangePresets, 'data-from', preset);
  ui.customToggle.setAttribute('aria-pressed', String(!['now-15m', 'now-1h', 'now-24h', 'now-7d'].includes(preset)));
  ui.rangeSummary.textContent = describeRange(state.from, state.until);
  ui.refresh.value = state.refresh;
  ui.refresh.disabled = state.until !== 'now';
  ui.refresh.title = state.until !== 'now' ? 'Auto-refresh works for ranges ending now' : '';
}

let refreshTimer = null;

/** True when the page reloads itself on a timer (so "retrying with the next refresh" is true). */
export function autoRefreshing() {
  return refreshTimer !== null;
}

export function scheduleRefresh() {
  clearInterval(refreshTimer);
  refreshTimer = null;
  const ms = REFRESH_MS[state.refresh];
  if (!ms || state.until !== 'now' || state.view === 'trace') return;
  refreshTimer = setInterval(() => {
    if (document.hidden) return;
    refresh();
  }, ms);
}

