// Sortable tables: top functions (self/total) and, for a comparison, the functions whose share changed most.
// Headers are buttons (keyboard-sortable, aria-sort); rows are focusable and act on Enter.

import { el, clear, fmtValue, fmtPercent, fmtSignedPercent } from './util.js';

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

  setActive(name) {
    this.active = name || '';
    for (const tr of this.host.querySelectorAll('tbody tr')) {
      tr.classList.toggle('active', tr.dataset.fn === this.active);
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
    const max = Math.max(1, ...rows.slice(0, 1).map((r) => r[key === 'name' ? 'self' : key]));
    for (const r of rows.slice(0, 500)) {
      const metric = key === 'total' ? r.total : r.self;
      const tr = el('tr', {
        tabindex: '0',
        dataset: { fn: r.name },
        class: r.name === this.active ? 'active' : null,
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
      el('td', { title: fmtPercent(r.self, this.total) },
        fmtValue(r.self, this.unit), el('span', { class: 'bar', style: `width:${Math.round((40 * metric) / max) || 0}px`, 'aria-hidden': 'true' })),
      el('td', { title: fmtPercent(r.total, this.total) }, fmtValue(r.total, this.unit) + ' · ' + fmtPercent(r.total, this.total)),
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

export class ChangesTable {
  constructor(host, opts = {}) {
    this.host = host;
    this.opts = opts;
    this.sort = { key: 'selfShareChange', dir: -1, abs: true };
  }

  setData(changes, unit, baselineTotal, comparisonTotal) {
    this.changes = changes.slice();
    this.unit = unit;
    this.bt = baselineTotal;
    this.ct = comparisonTotal;
    this.render();
  }

  render() {
    clear(this.host);
    if (!this.changes.length) {
      this.host.append(el('div', { class: 'state', text: 'No functions on either side.' }));
      return;
    }
    const { key, dir, abs } = this.sort;
    const val = (r) => (abs ? Math.abs(r[key]) : r[key]);
    const rows = this.changes.slice().sort((a, b) => (key === 'name' ? dir * a.name.localeCompare(b.name) : dir * (val(a) - val(b))));
    const cols = [
      ['name', 'Function'],
      ['baselineSelf', 'Baseline self'],
      ['comparisonSelf', 'Comparison self'],
      ['selfShareChange', 'Self share Δ'],
      ['totalShareChange', 'Total share Δ'],
    ];
    const headRow = el('tr');
    for (const [k, label] of cols) {
      headRow.append(el('th', { scope: 'col', 'aria-sort': k === key ? (dir > 0 ? 'ascending' : 'descending') : null },
        el('button', {
          type: 'button',
          text: label,
          onclick: () => {
            this.sort = { key: k, dir: k === key ? -dir : k === 'name' ? 1 : -1, abs: k.endsWith('Change') && k !== key ? true : k === key ? this.sort.abs : false };
            this.render();
          },
        })));
    }
    const body = el('tbody');
    for (const r of rows) {
      const cell = (v) => el('td', { class: v > 0 ? 'up' : v < 0 ? 'down' : null, text: fmtSignedPercent(v) });
      body.append(el('tr', {
        tabindex: '0',
        onclick: () => this.opts.onSelect?.(r.name),
        onkeydown: (e) => { if (e.key === 'Enter') this.opts.onSelect?.(r.name); },
      },
      el('td', { class: 'fn', text: r.name, title: r.name }),
      el('td', { text: `${fmtValue(r.baselineSelf, this.unit)} · ${fmtPercent(r.baselineSelf, this.bt)}` }),
      el('td', { text: `${fmtValue(r.comparisonSelf, this.unit)} · ${fmtPercent(r.comparisonSelf, this.ct)}` }),
      cell(r.selfShareChange),
      cell(r.totalShareChange)));
    }
    this.host.append(el('table', { class: 'data changes-table' },
      el('caption', { class: 'sr-only', text: 'Functions whose share changed most' }), el('thead', {}, headRow), body));
  }
}
