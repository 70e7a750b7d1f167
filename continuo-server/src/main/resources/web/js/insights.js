// Insights view: what the detectors found in the selected range, the alerts that fire, and cost per service.
// Every string from the server is set with textContent (through el's `text`), never as HTML.

import { el, clear, fmtTime, selector } from './util.js';
import { getJson, sendJson } from './api.js';

const SILENCE_FOR = '1h';

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 };

function pct(v) {
  return (v * 100).toFixed(Math.abs(v) >= 0.1 ? 0 : 1) + '%';
}

function money(v) {
  return '$' + (v >= 100 ? v.toFixed(0) : v.toFixed(2));
}

export class InsightsView {
  constructor(root) {
    this.root = root;
  }

  /**
   * @param range from, until, and the service and type the controls select (either may be empty: all). Each
   *   section is drawn as soon as its own answer arrives, so one slow query does not hold the page.
   */
  async load(range) {
    this.range = range;
    const seq = (this.seq = (this.seq || 0) + 1);
    const root = clear(this.root);
    const scope = [range.service, range.type].filter(Boolean).join(' · ');
    root.append(el('p', { class: 'hint insights-scope', text: scope ? 'Showing ' + scope + '. Pick another service or type above.' : 'All services.' }));
    const slots = ['insights', 'alerts', 'silences', 'cost'].map((name) => {
      const slot = el('section', { class: 'panel', 'aria-busy': 'true', dataset: { section: name, busyLabel: 'Loading…' } },
        el('p', { class: 'hint', text: 'Loading ' + name + '…' }));
      root.append(slot);
      return slot;
    });
    const query = range.service ? selector(range.service, {}) : undefined;
    const sections = [
      [getJson('/api/v1/insights', { from: range.from, until: range.until, service: range.service, type: range.type }, 'insights'),
        (b) => this.renderInsights(b)],
      [getJson('/api/v1/alerts', {}, 'alerts'),
        (b) => this.renderAlerts((b.alerts || []).filter((a) => !range.service || !a.labels?.service || a.labels.service === range.service))],
      [getJson('/api/v1/alerts/silences', {}, 'silences'), (b) => this.renderSilences(b.silences || [])],
      [getJson('/api/v1/cost', { from: range.from, until: range.until, groupBy: 'service', query }, 'cost'), (b) => this.renderCost(b)],
    ];
    await Promise.all(sections.map(([pending, render], i) => pending.then((body) => {
      if (seq === this.seq) slots[i].replaceWith(render(body));
    }, (e) => {
      if (e.name === 'AbortError' || seq !== this.seq) return;
      slots[i].removeAttribute('aria-busy');
      clear(slots[i]).append(el('p', { class: 'hint', role: 'status', text: 'Could not load ' + slots[i].dataset.section + ': ' + e.message }));
    })));
  }

  /** Runs one change (silence, expire), then shows the result; a failure is said next to the alerts. */
  async act(change) {
    try {
      await change();
    } catch (e) {
      const status = this.root.querySelector('.alerts-status');
      if (status) status.textContent = 'Could not change the silences: ' + e.message;
      return;
    }
    await this.load(this.range);
  }

  renderInsights(list) {
    const box = el('section', { class: 'panel insights-list', 'aria-label': 'Insights' }, el('h2', { text: 'Insights' }));
    if (!list.length) {
      box.append(el('p', { class: 'hint', text: 'Nothing unusual in this range: no leaks, spikes or regressions found.' }));
      return box;
    }
    list.sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3) || b.start - a.start);
    const ul = el('ul', { class: 'insights' });
    for (const i of list) {
      const culprits = el('ol', { class: 'culprits' });
      for (const c of (i.culprits || []).slice(0, 3)) {
        culprits.append(el('li', {}, el('code', { text: c.name }),
          el('span', { class: 'hint', text: ` share ${pct(c.share)}, growth ${pct(c.growth)}` })));
      }
      const link = i.link && i.link.startsWith('/') ? el('a', { href: i.link, text: 'Open the comparison' }) : null;
      ul.append(el('li', { class: 'insight severity-' + i.severity, dataset: { kind: i.kind } },
        el('div', { class: 'insight-head' },
          el('span', { class: 'badge', text: i.severity }),
          el('strong', { text: i.kind.replace('_', ' ') }),
          el('span', { text: ' · ' + i.service + ' · ' + fmtTime(i.start, true) })),
        el('p', { text: i.summary }), culprits, link));
    }
    box.append(ul);
    return box;
  }

  renderAlerts(alerts) {
    const box = el('section', { class: 'panel', 'aria-label': 'Alerts' }, el('h2', { text: 'Alerts' }));
    if (!alerts.length) {
      box.append(el('p', { class: 'hint', text: 'No alerts. Rules: GET/POST /api/v1/alerts/rules (see docs/insights.md).' }));
      return box;
    }
    const table = el('table', { class: 'alerts' }, el('thead', {}, el('tr', {},
      ...['State', 'Rule', 'Labels', 'Since', 'Summary', ''].map((h) => el('th', { text: h })))));
    const body = el('tbody');
    for (const a of alerts) {
      const labels = Object.entries(a.labels || {}).map(([k, v]) => `${k}=${v}`).join(', ');
      // a silence matches the alert's labels plus alertname (the rule id): this one silences exactly this alert
      const matchers = selector(a.labels?.service, { alertname: a.rule, ...(a.labels || {}) });
      const silence = a.silenced ? null : el('button', {
        type: 'button', class: 'silence', text: 'Silence ' + SILENCE_FOR,
        onclick: () => this.act(() => sendJson('POST', '/api/v1/alerts/silences',
          { matchers, until: 'now+' + SILENCE_FOR, comment: 'silenced from the UI' })),
      });
      body.append(el('tr', { dataset: { rule: a.rule } },
        el('td', { text: a.state + (a.silenced ? ' (silenced)' : '') }), el('td', { text: a.rule }),
        el('td', { text: labels }), el('td', { text: fmtTime(a.activeSince, true) }), el('td', { text: a.summary }),
        el('td', {}, silence)));
    }
    table.append(body);
    box.append(table, el('p', { class: 'hint alerts-status', role: 'status' }));
    return box;
  }

  renderSilences(silences) {
    const box = el('section', { class: 'panel', 'aria-label': 'Silences' }, el('h2', { text: 'Silences' }));
    if (!silences.length) {
      box.append(el('p', { class: 'hint', text: 'No active silences.' }));
      return box;
    }
    const table = el('table', { class: 'silences' }, el('thead', {}, el('tr', {},
      ...['Matchers', 'Until', 'Comment', ''].map((h) => el('th', { text: h })))));
    const body = el('tbody');
    for (const s of silences) {
      body.append(el('tr', { dataset: { id: s.id } },
        el('td', { class: 'mono', text: s.matchers }), el('td', { text: fmtTime(s.until, true) }),
        el('td', { text: s.comment }),
        el('td', {}, el('button', {
          type: 'button', class: 'expire', text: 'Expire',
          onclick: () => this.act(() => sendJson('DELETE', '/api/v1/alerts/silences/' + encodeURIComponent(s.id))),
        }))));
    }
    table.append(body);
    box.append(table);
    return box;
  }

  renderCost(cost) {
    const box = el('section', { class: 'panel', 'aria-label': 'Cost' }, el('h2', { text: 'Cost in this range' }));
    const items = (cost.items || []).slice(0, 20);
    if (!items.length) {
      box.append(el('p', { class: 'hint', text: 'No CPU or in-use memory profiles in this range.' }));
      return box;
    }
    const table = el('table', { class: 'cost' }, el('thead', {}, el('tr', {},
      ...['Service', 'Core-hours', 'GB-hours', 'Cost', 'Per month'].map((h) => el('th', { text: h })))));
    const body = el('tbody');
    for (const r of items) {
      body.append(el('tr', {}, el('td', { text: r.name }), el('td', { text: r.cpuCoreHours.toFixed(3) }),
        el('td', { text: r.memoryGbHours.toFixed(3) }), el('td', { text: money(r.cost) }), el('td', { text: money(r.monthlyCost) })));
    }
    table.append(body);
    box.append(table, el('p', { class: 'hint', text: `Prices: ${money(cost.prices.perCoreHour)}/core-hour, ${money(cost.prices.perGbHour)}/GB-hour.` }));
    return box;
  }
}
