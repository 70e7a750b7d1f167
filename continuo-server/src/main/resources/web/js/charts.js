// Time-series charts on uPlot (vendored, MIT). Each chart takes the API's series ({labels, points:[[ms, v]]}),
// aligns them on one x axis, and reports a drag selection as an absolute [fromMs, untilMs] range.

import { el, clear, fmtTime } from './util.js';

const PALETTE = ['#3b82f6', '#ef4444', '#10b981', '#f59e0b', '#8b5cf6', '#ec4899', '#14b8a6', '#f97316', '#64748b', '#84cc16'];

export function seriesName(labels, fallback) {
  const entries = Object.entries(labels || {});
  if (!entries.length) return fallback;
  return entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

/** Aligns series on the union of their timestamps (uPlot's data shape), values mapped through `map`. */
export function align(series, map = (v) => v) {
  const xs = new Set();
  for (const s of series) for (const p of s.points) xs.add(p[0]);
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const y = new Array(x.length).fill(null);
    for (const [t, v] of s.points) y[index.get(t)] = map(v);
    return y;
  });
  return [x.map((t) => t / 1000), ...ys];
}

export class Chart {
  /**
   * @param host container element
   * @param opts title, fmt (value → string), onSelect(fromMs, untilMs), height, sync (cursor sync key)
   */
  constructor(host, opts) {
    this.host = host;
    this.opts = opts;
    this.plot = null;
    this.box = el('div', { class: 'chart' });
    this.titleEl = el('div', { class: 'chart-title', text: opts.title });
    this.legend = el('div', { class: 'chart-legend' });
    this.readout = el('div', { class: 'chart-readout', 'aria-live': 'off' });
    this.body = el('div', { class: 'chart-body' });
    this.box.append(el('div', { class: 'chart-head' }, this.titleEl, this.readout, this.legend), this.body);
    host.append(this.box);
    this.resizeObserver = new ResizeObserver(() => {
      cancelAnimationFrame(this.raf);
      this.raf = requestAnimationFrame(() => {
        if (this.plot) this.plot.setSize({ width: this.width(), height: this.opts.height || 140 });
      });
    });
    this.resizeObserver.observe(this.body);
  }

  width() {
    return Math.max(200, this.body.clientWidth || 600);
  }

  setTitle(t) {
    this.titleEl.textContent = t;
  }

  /** @param series API series; @param range [fromMs, untilMs] for the x scale; @param map value transform */
  setSeries(series, range, map) {
    if (this.plot) {
      this.plot.destroy();
      this.plot = null;
    }
    clear(this.body);
    clear(this.legend);
    const nonEmpty = series.filter((s) => s.points && s.points.length);
    if (!nonEmpty.length) {
      this.body.append(el('div', { class: 'chart-empty', text: 'No data in this range' }));
      return;
    }
    const data = align(nonEmpty, map);
    const fmt = this.opts.fmt || ((v) => String(v));
    const css = getComputedStyle(document.documentElement);
    const axisColor = css.getPropertyValue('--muted').trim() || '#888';
    const gridColor = css.getPropertyValue('--grid').trim() || 'rgba(128,128,128,.2)';
    const uSeries = [{}];
    nonEmpty.forEach((s, i) => {
      const color = PALETTE[i % PALETTE.length];
      const label = seriesName(s.labels, this.opts.title);
      uSeries.push({ label, stroke: color, width: 1.5, fill: nonEmpty.length === 1 ? color + '22' : undefined, spanGaps: false, points: { show: false } });
      if (nonEmpty.length > 1) {
        this.legend.append(el('span', { class: 'legend-item' }, el('span', { class: 'swatch', style: `background:${color}` }), label));
      }
    });
    const onSelect = this.opts.onSelect;
    const opts = {
      width: this.width(),
      height: this.opts.height || 140,
      legend: { show: false },
      cursor: {
        drag: { x: true, y: false, setScale: false },
        sync: this.opts.sync ? { key: this.opts.sync } : undefined,
      },
      select: { show: true },
      scales: { x: { time: true, range: range ? [range[0] / 1000, range[1] / 1000] : undefined } },
      axes: [
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } },
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor }, size: 84, values: (u, vals) => vals.map((v) => fmt(v)) },
      ],
      series: uSeries,
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 3 || !onSelect) return;
            const f = u.posToVal(u.select.left, 'x') * 1000;
            const t = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
            u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
            onSelect(Math.round(f), Math.round(t));
          },
        ],
        setCursor: [
          (u) => {
            const idx = u.cursor.idx;
            if (idx === null || idx === undefined) {
              this.readout.textContent = '';
              return;
            }
            const parts = [fmtTime(u.data[0][idx] * 1000, true)];
            for (let s = 1; s < u.data.length; s++) {
              const v = u.data[s][idx];
              if (v !== null && v !== undefined) parts.push(`${u.series[s].label}: ${fmt(v)}`);
            }
            this.readout.textContent = parts.join(' · ');
          },
        ],
      },
    };
    // eslint-disable-next-line no-undef
    this.plot = new uPlot(opts, data, this.body);
  }

  showMessage(text) {
    if (this.plot) {
      this.plot.destroy();
      this.plot = null;
    }
    clear(this.body);
    clear(this.legend);
    this.body.append(el('div', { class: 'chart-empty', text }));
  }

  destroy() {
    this.resizeObserver.disconnect();
    if (this.plot) this.plot.destroy();
    this.box.remove();
  }
}
