// Continuo UI router. State lives in the URL (state.js); every change goes through navigate(), which calls
// apply() here. apply() draws the chrome shared by all views, makes sure the service list is loaded, and hands
// over to the active view's update(prev): explore.js, diff.js, trace.js or insights.js. Each view reloads only
// what the keys it depends on changed.

import { el, clear, contrast, rgbOf } from './util.js';
import { getBlob } from './api.js';
import { apiKey, setApiKey } from './auth.js';
import { InsightsView } from './insights.js';
import { DEFAULTS, state, setState, setRouter, parseLocation, toUrl, navigate, refresh, changed } from './state.js';
import { ui, services, showBanner, showState, noDataHelp, loadServices } from './common.js';
import {
  initControls, renderServiceSelect, defaultSelection, loadLabelFilters, syncFilterValues, renderRange, scheduleRefresh,
  autoRefreshing,
} from './controls.js';
import { explore, initExplore, renderExploreChrome, updateExplore } from './explore.js';
import { diffView, initDiff, updateDiff } from './diff.js';
import { traceView, initTrace, updateTrace } from './trace.js';

/** Every key of the state: a navigation that changes none of them is not a navigation. */
const ALL_KEYS = Object.keys(DEFAULTS);

function rerenderCanvases() {
  explore.flame?.draw();
  diffView.flame?.draw();
  traceView.flame?.draw();
  refresh();
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
/**
 * The last state whose loads were started. Views compare against it, not against the state of the previous
 * call: when a newer call supersedes an older one before it started loading (six synced charts each report
 * the same drag selection), the newer call must still see the change the older one never acted on.
 */
let applied = null;
let insightsView = null;
let retryTimer = null;

function unreachable(seq) {
  const auto = autoRefreshing();
  clear(ui.banner);
  ui.banner.className = 'banner';
  ui.banner.hidden = false;
  ui.banner.append(el('span', { text: 'The Continuo server is unreachable. ' + (auto ? 'Retrying with the next refresh.' : 'Retrying in 10 s.') + ' ' }),
    el('button', { type: 'button', class: 'retry', text: 'Retry now', onclick: () => refresh() }));
  clearTimeout(retryTimer);
  if (!auto) retryTimer = setTimeout(() => { if (seq === applySeq) refresh(); }, 10_000);
}

async function apply(next, opts = {}) {
  const prev = opts.refresh ? null : applied;
  if (!opts.refresh && prev && !changed(prev, next, ALL_KEYS)) return;
  setState(next);
  const seq = ++applySeq;
  renderNav();
  renderRange();
  scheduleRefresh();
  if (state.view === 'insights') {
    try {
      await loadServices(opts.refresh);
    } catch (e) {
      // the insights queries below say when the server is unreachable
    }
    if (seq !== applySeq) return;
    showBanner('');
    applied = state;
    renderServiceSelect(true);
    if (changed(prev, state, ['view', 'service', 'type', 'from', 'until'])) {
      await insightsView.load({ from: state.from, until: state.until, service: state.service, type: state.type });
    }
    return;
  }
  if (state.view === 'trace') {
    showBanner('');
    applied = state;
    await updateTrace(prev);
    return;
  }
  try {
    await loadServices(opts.refresh);
    if (seq !== applySeq) return;
    clearTimeout(retryTimer);
    showBanner('');
  } catch (e) {
    if (seq !== applySeq) return;
    if (e.kind === 'unreachable') unreachable(seq);
    else showBanner('Could not list services: ' + e.message);
    return;
  }
  const pick = defaultSelection();
  if (pick) {
    navigate(pick, { replace: true });
    return;
  }
  applied = state;
  renderServiceSelect();
  if (state.view === 'explore') renderExploreChrome();
  if (!services.length && !state.service) {
    const box = state.view === 'diff' ? ui.diffState : ui.flameState;
    showState(box, null, 'No data yet', noDataHelp());
    ui.flameLayout.hidden = true;
    explore.totalChart.showMessage('No data yet');
    // a fresh server profiles itself within seconds: look again soon
    setTimeout(() => { if (seq === applySeq) refresh(); }, 5_000);
    return;
  }
  if (changed(prev, state, ['service', 'from', 'until'])) loadLabelFilters();
  else syncFilterValues();
  if (state.view === 'explore') await updateExplore(prev, opts);
  else await updateDiff(prev);
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
    bLabels: 'b-labels', diffPalette: 'diff-palette', cFrom: 'c-from', cUntil: 'c-until', cLabels: 'c-labels', diffSides: 'diff-sides',
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
  setRouter(apply);
  initControls(rerenderCanvases);
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
    refresh();
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
window.continuo = { get state() { return state; }, explore, diffView, traceView, util: { contrast, rgbOf } };
start();
