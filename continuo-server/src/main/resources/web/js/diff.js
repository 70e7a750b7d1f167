// Compare view: two selections (shifted in time, by version, or custom label sets) as one diff flame graph with
// the functions whose cost changed most, or side by side with synchronised zoom.

import { el, clear, fmtValue, describeRange, selector, debounce, exactQuery } from './util.js';
import { api } from './api.js';
import { FlameGraph } from './flame.js';
import { ChangesTable } from './table.js';
import { state, navigate, changed } from './state.js';
import { ui, FLAME_MAX_NODES, setPressed, showState, noDataHelp, rangeMs, isAbort, applySearch, setBusy } from './common.js';

export const diffView = {};

export function initDiff() {
  // Zoom is part of the URL in every view, so a shared comparison link opens on the same frame.
  diffView.flame = new FlameGraph(ui.diffFlame, { onFocus: (path) => navigate({ focus: path }, { replace: false }) });
  diffView.changes = new ChangesTable(ui.diffChanges, {
    onSelect: (name) => navigate({ q: state.q === exactQuery(name) ? '' : exactQuery(name) }, { replace: true }),
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
  ui.diffPalette.addEventListener('change', () => navigate({ palette: ui.diffPalette.value }, { replace: true }));
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
  let cmp = state.cmp;
  let versions = null;
  if (cmp === 'version' || !cmp) {
    try {
      versions = (await api.labelValues('version', selector(state.service, {}), state.from, state.until)).values || [];
    } catch (e) {
      versions = [];
    }
    versions = versions.slice().sort(compareVersions);
    // No choice made: two versions in range compare with each other (shifting by an hour would leave one side
    // empty more often than not); otherwise the same range an hour earlier.
    if (!cmp) cmp = versions.length >= 2 ? 'version' : '1h';
  }
  diffView.cmp = cmp;
  if (cmp === '1h') return shifted(3_600_000, '1 hour earlier');
  if (cmp === '1d') return shifted(86_400_000, '1 day earlier');
  if (cmp === 'version') {
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
  setPressed(ui.cmpPresets, 'data-cmp', state.cmp || diffView.cmp || '');
  ui.diffPalette.value = state.palette;
  document.documentElement.classList.toggle('palette-cb', state.palette === 'cb');
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

let loadSeq = 0;

async function loadDiff() {
  const panel = ui.diffMain.parentElement;
  const seq = ++loadSeq;
  setBusy(panel, true, 'Comparing…');
  try {
    await compare();
  } finally {
    // a load superseded by a newer one leaves the busy mark to it
    if (seq === loadSeq) setBusy(panel, false);
  }
}

async function compare() {
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
        api.flame({ type, query: sides.baseline.query, from: sides.baseline.from, until: sides.baseline.until, maxNodes: 4096, format: 'flamebearer' }, 'side-left'),
        api.flame({ type, query: sides.comparison.query, from: sides.comparison.from, until: sides.comparison.until, maxNodes: 4096, format: 'flamebearer' }, 'side-right'),
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
      maxNodes: FLAME_MAX_NODES, format: 'flamebearer',
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
    diffView.flame.setPalette(state.palette);
    diffView.flame.setData(body, state.focus);
    diffView.flame.setLayout(state.layout);
    diffView.changes.setData(body.changes || [], body.unit, bt, ct);
    applySearch(diffView.flame, ui.diffSearchResult, state.q, diffView.changes);
  } catch (e) {
    if (isAbort(e)) return;
    showState(ui.diffState, e);
    ui.diffMain.hidden = true;
    ui.sideMain.hidden = true;
  }
}


const DATA_KEYS = ['view', 'service', 'type', 'labels', 'from', 'until', 'groupBy',
  'cmp', 'mode', 'bFrom', 'bUntil', 'bLabels', 'cFrom', 'cUntil', 'cLabels'];

/** Brings the view up to `state` from `prev` (null: everything changed). */
export async function updateDiff(prev) {
  renderDiffChrome();
  if (changed(prev, state, DATA_KEYS)) {
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
  if (changed(prev, state, ['palette'])) diffView.flame.setPalette(state.palette);
  if (changed(prev, state, ['q'])) applySearch(diffView.flame, ui.diffSearchResult, state.q, diffView.changes);
}
