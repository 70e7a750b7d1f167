// Trace view (/trace/<id>): what one trace's spans were doing, as a flame graph and a table of its samples.

import { el, clear, fmtValue, fmtDuration, fmtTime, describeRange, debounce, exactQuery } from './util.js';
import { api } from './api.js';
import { FlameGraph } from './flame.js';
import { TopTable, topFromLevels } from './table.js';
import { state, navigate, changed } from './state.js';
import { ui, FLAME_MAX_NODES, services, showState, unitOfType, isAbort, applySearch, loadServices, setBusy } from './common.js';

export const traceView = {};

export function initTrace() {
  traceView.flame = new FlameGraph(ui.traceFlame, {});
  traceView.top = new TopTable(ui.traceTop, {
    id: 'trace-top-table',
    onSelect: (name) => navigate({ q: state.q === exactQuery(name) ? '' : exactQuery(name) }, { replace: true }),
  });
  ui.traceType.addEventListener('change', () => navigate({ type: ui.traceType.value }));
  ui.traceSearch.addEventListener('input', debounce(() => navigate({ q: ui.traceSearch.value }, { replace: true }), 150));
}

let loadSeq = 0;

async function loadTrace() {
  const panel = ui.traceFlame.closest('.panel');
  const seq = ++loadSeq;
  setBusy(panel, true, 'Loading the trace…');
  try {
    await showTrace();
  } finally {
    if (seq === loadSeq) setBusy(panel, false);
  }
}

async function showTrace() {
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


/** Brings the view up to `state` from `prev` (null: everything changed). */
export async function updateTrace(prev) {
  if (changed(prev, state, ['view', 'traceId', 'type', 'from', 'until'])) {
    await loadTrace();
    return;
  }
  traceView.flame.setLayout(state.layout);
  applySearch(traceView.flame, ui.traceSearchResult, state.q, traceView.top);
}
