// Sortable tables: top functions (self/total) and, for a comparison, the functions whose share changed most.
// Headers are buttons (keyboard-sortable, aria-sort); rows are focusable and act on Enter.

import { el, clear, fmtValue, fmtPercent, fmtSignedPercent, exactQuery } from './util.js';

/** Functions of a level-layout flame graph: self summed, total counted once per stack (recursion-safe). */
export function topFromLevels(data) {
  const levels = data.levels || [];
  const names = data.names || [];
  const byName = new Map();
  // parent pointers per level, then walk ancestors to skip recursive re-counting of total
  const nodes = [];
  let prevStart = 0;
  for (let d = 0; d < levels.length; d++) {
    const lv = levels[d];
    const start = nodes.length;
    let p = prevStart;
    for (let j = 0; j < lv.length; j += 4) {
      const node = { x: lv[j], total: lv[j + 1], self: lv[j + 2], name: lv[j + 3], parent: -1 };
      if (d > 0) {
        while (p < start - 1 && node.x >= nodes[p].x + nodes[p].total) p++;
        node.parent = p;
      }
      nodes.push(node);
    }
    prevStart = start;
  }
  for (let i = 1; i < nodes.length; i++) {
    const n = nodes[i];
    if (nodes[n.parent] === undefined) continue;
    let e = byName.get(n.name);
    if (!e) {
      e = { name: names[n.name] ?? '?', self: 0, total: 0 };
      byName.set(n.name, e);
    }
    e.self += n.self;
    let recursive = false;
    for (let p = n.parent; p > 0; p = nodes[p].parent) {
      if (nodes[p].name === n.name) {
        recursive = true;
        break;
      }
    }
    if (!recursive) e.total += n.total;
  }
  return { total: nodes.length ? nodes[0].total : 0, functions: [...byName.values()] };
}

function isActive(name, q) {
  return !!q && (q === name || q === exactQuery(name));
}

export class TopTable {
  /**
   * @param host container
   * @param opts onSelect(name) (row click: highlight), onSandwich(name)
   */
  constructor(host, opts = {}) {
    this.host = host;
    this.opts = opts;
    this.sort = { key: 'self', dir: -1 };
    this.rows = [];
    this.total = 0;
    this.unit = '';
    this.active = '';
  }

  setData(functions, total, unit) {
    this.rows = functions.slice();
    this.total = total;
    this.unit = unit;
    this.render();
  }

  /** Marks the row the search selects: a row click searches for exactly its function (see exactQuery). */
  setActive(q) {
    this.active = q || '';
    for (const tr of this.host.querySelectorAll('tbody tr')) {
      tr.classList.toggle('active', isActive(tr.dataset.fn, this.active));
    }
  }

  render() {
    clear(this.host);
    if (!this.rows.length) {
      this.host.append(el('div', { class: 'state', text: 'No functions in this selection.' }));
      return;
    }
    const { key, dir } = this.sort;
    const rows = this.rows.slice().sort((a, b) => {
      if (key === 'name') return dir * a.name.localeCompare(b.name);
      return dir * (a[key] - b[key]) || a.name.localeCompare(b.name);
    });
    const cols = [
      ['name', 'Function'],
      ['self', 'Self'],
      ['total', 'Total'],
    ];
    const headRow = el('tr');
    for (const [k, label] of cols) {
      headRow.append(el('th', {
        scope: 'col',
        'aria-sort': k === key ? (dir > 0 ? 'ascending' : 'descending') : null,
      }, el('button', {
        type: 'button',
        text: label,
        onclick: () => {
          this.sort = { key: k, dir: k === key ? -dir : k === 'name' ? 1 : -1 };
          this.render();
        },
      })));
    }
    headRow.append(el('th', { scope: 'col' }, el('span', { class: 'sr-only', text: 'Actions' })));
    const body = el('tbody');
    // The bar scale is the largest value of the column in the whole table, not of the first row: sorted by name,
    // the first row may have 0 self, and bars scaled to it were 2e9 px wide.
    const barKey = key === 'total' ? 'total' : 'self';
    let max = 1;
    for (const r of rows) max = Math.max(max, r[barKey]);
    for (const r of rows.slice(0, 500)) {
      const metric = r[barKey];
      const tr = el('tr', {
        tabindex: '0',
        dataset: { fn: r.name },
        class: isActive(r.name, this.active) ? 'active' : null,
        onclick: (e) => {
          if (e.target.closest('button')) return;
          this.opts.onSelect?.(r.name);
        },
        onkeydown: (e) => {
          if (e.key === 'Enter') this.opts.onSelect?.(r.name);
          if (e.key === 's' || e.key === 'S') this.opts.onSandwich?.(r.name);
        },
      },
      el('td', { class: 'fn', text: r.name, title: r.name }),
      el('td', { title: fmtPercent(r.self, this.total), dataset: { v: r.self } },
        fmtValue(r.self, this.unit), el('span', { class: 'bar', style: `width:${Math.min(40, Math.round((40 * metric) / max)) || 0}px`, 'aria-hidden': 'true' })),
      el('td', { title: fmtPercent(r.total, this.total), dataset: { v: r.total } }, fmtValue(r.total, this.unit) + ' · ' + fmtPercent(r.total, this.total)),
      el('td', {}, this.opts.onSandwich ? el('button', {
        type: 'button',
        class: 'row-action',
        title: 'Callers and callees of this function',
        'aria-label': 'Sandwich view of ' + r.name,
        text: '⇅',
        onclick: () => this.opts.onSandwich(r.name),
      }) : null));
      body.append(tr);
    }
    const table = el('table', { class: 'data top-table', id: this.opts.id || null },
      el('caption', { class: 'sr-only', text: 'Top functions' }), el('thead', {}, headRow), body);
    this.host.append(table);
  }
}

/**
 * The functions whose cost changed between the two sides. Values are absolute (what each side measured) or
 * normalised (the comparison scaled to the baseline's total, so a side that ran longer does not look slower);
 * Δ and the ratio follow the mode, and Δ sorts signed: largest growth first, then largest shrink first.
 */
export class ChangesTable {
  constructor(host, opts = {}) {
    this.host = host;
    this.opts = opts;
    this.sort = { key: 'delta', dir: -1 };
    this.mode = 'absolute';
    this.active = '';
  }

  setData(changes, unit, baselineTotal, comparisonTotal) {
    this.changes = changes.slice();
    this.unit = unit;
    this.bt = baselineTotal;
    this.ct = comparisonTotal;
    this.render();
  }

  setActive(q) {
    this.active = q || '';
    for (const tr of this.host.querySelectorAll('tbody tr')) tr.classList.toggle('active', isActive(tr.dataset.fn, this.active));
  }

  /** Row values in the current mode: base, cmp (scaled when normalised), delta, ratio (cmp / base). */
  values(r) {
    const scale = this.mode === 'normalised' && this.bt > 0 && this.ct > 0 ? this.bt / this.ct : 1;
    const base = r.baselineSelf;
    const cmp = r.comparisonSelf * scale;
    const delta = cmp - base;
    const ratio = base > 0 ? cmp / base : cmp > 0 ? Infinity : 1;
    return { name: r.name, base, cmp, delta, ratio, share: r.selfShareChange };
  }

  render() {
    clear(this.host);
    const toggle = el('div', { class: 'segmented changes-mode', role: 'group', 'aria-label': 'Values' });
    for (const [m, label, title] of [['absolute', 'Absolute', 'What each side measured'],
      ['normalised', 'Normalised', 'The comparison scaled to the baseline total']]) {
      toggle.append(el('button', {
        type: 'button', text: label, title, dataset: { values: m }, 'aria-pressed': String(this.mode === m),
        onclick: () => { this.mode = m; this.render(); },
      }));
    }
    this.host.append(toggle);
    if (!this.changes || !this.changes.length) {
      this.host.append(el('div', { class: 'state', text: 'No functions on either side.' }));
      return;
    }
    const { key, dir } = this.sort;
    const rows = this.changes.map((r) => this.values(r));
    rows.sort((a, b) => {
      if (key === 'name') return dir * a.name.localeCompare(b.name);
      const x = a[key];
      const y = b[key];
      // Infinity (new functions) sorts beyond every finite ratio, in both directions
      const c = x === y ? 0 : x > y ? 1 : -1;
      return dir * c || a.name.localeCompare(b.name);
    });
    const valueTitle = this.mode === 'normalised' ? ' (normalised)' : '';
    const cols = [
      ['name', 'Function'],
      ['base', 'Baseline self'],
      ['cmp', 'Comparison self' + valueTitle],
      ['delta', 'Δ self'],
      ['ratio', 'Ratio'],
      ['share', 'Share Δ'],
    ];
    const headRow = el('tr');
    for (const [k, label] of cols) {
      headRow.append(el('th', { scope: 'col', 'aria-sort': k === key ? (dir > 0 ? 'ascending' : 'descending') : null },
        el('button', {
          type: 'button',
          text: label,
          dataset: { sort: k },
          onclick: () => {
            this.sort = { key: k, dir: k === key ? -dir : k === 'name' ? 1 : -1 };
            this.render();
          },
        })));
    }
    const body = el('tbody');
    const sign = (v) => (v > 0 ? 'up' : v < 0 ? 'down' : null);
    for (const r of rows) {
      const grew = r.delta;
      body.append(el('tr', {
        tabindex: '0',
        dataset: { fn: r.name },
        class: isActive(r.name, this.active) ? 'active' : null,
        onclick: () => this.opts.onSelect?.(r.name),
        onkeydown: (e) => { if (e.key === 'Enter') this.opts.onSelect?.(r.name); },
      },
      el('td', { class: 'fn', text: r.name, title: r.name }),
      el('td', { dataset: { v: r.base }, text: `${fmtValue(r.base, this.unit)} · ${fmtPercent(r.base, this.bt)}` }),
      el('td', { dataset: { v: r.cmp }, text: `${fmtValue(r.cmp, this.unit)} · ${fmtPercent(r.cmp, this.mode === 'normalised' ? this.bt : this.ct)}` }),
      el('td', { class: sign(grew), dataset: { col: 'delta', v: grew }, text: (grew > 0 ? '+' : grew < 0 ? '−' : '') + fmtValue(Math.abs(grew), this.unit) }),
      el('td', { class: sign(grew), dataset: { col: 'ratio', v: r.ratio === Infinity ? 'Infinity' : r.ratio }, text: r.ratio === Infinity ? 'new' : '×' + r.ratio.toFixed(r.ratio >= 10 ? 0 : 2) }),
      el('td', { class: sign(r.share), dataset: { col: 'share', v: r.share }, text: fmtSignedPercent(r.share) })));
    }
    this.host.append(el('table', { class: 'data changes-table' },
      el('caption', { class: 'sr-only', text: 'Functions whose cost changed most' }), el('thead', {}, headRow), body));
  }
}
