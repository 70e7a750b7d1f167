// Canvas flame graph for the API's level layout (see FlameJson.java): levels[d] is a flat list of groups,
// [x, total, self, name] per node, or [x, baseTotal, baseSelf, cmpTotal, cmpSelf, name] for a diff, where x is
// absolute in width units. The levels are unpacked once into flat typed arrays with parent and first-child
// links, so drawing 10,000+ nodes is a tight loop over numbers and hit-testing is a binary search per row.

import { el, clear, fmtValue, fmtPercent, packageOf, hash, fmtSignedPercent, middleTruncate, rgbOf, contrast } from './util.js';

const ROW = 18;
const FONT = '12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
const MIN_PX = 0.35;

export class FlameGraph {
  /**
   * @param {HTMLElement} host where the breadcrumb and canvas go
   * @param {object} opts layout ('flame'|'icicle'), colorMode ('package'|'name'), onFocus(path), onPick(name),
   *   label (aria label), showBreadcrumb
   */
  constructor(host, opts = {}) {
    this.opts = opts;
    this.layout = opts.layout || 'icicle';
    this.colorMode = opts.colorMode || 'package';
    this.nameColors = [];
    this.palette = opts.palette || 'rg';
    this.textColors = new Map();
    this.host = host;
    this.crumbs = el('nav', { class: 'breadcrumb', 'aria-label': 'Flame graph zoom path' });
    this.canvas = el('canvas', {
      class: 'flame-canvas',
      tabindex: '0',
      role: 'img',
      'aria-label': opts.label || 'Flame graph. Arrow keys move, Enter zooms, Escape resets, S opens the sandwich view.',
    });
    this.wrap = el('div', { class: 'flame-wrap' }, this.canvas);
    clear(host);
    if (opts.showBreadcrumb !== false) host.append(this.crumbs);
    host.append(this.wrap);
    this.tooltip = FlameGraph.sharedTooltip();
    this.data = null;
    this.focus = 0;
    this.selected = -1;
    this.hover = -1;
    this.matcher = null;
    this.canvas.addEventListener('mousemove', (e) => this.onMove(e));
    this.canvas.addEventListener('mouseleave', () => {
      this.hover = -1;
      this.hideTooltip();
    });
    this.canvas.addEventListener('click', (e) => this.onClick(e));
    this.canvas.addEventListener('dblclick', () => this.setFocus(0));
    this.canvas.addEventListener('contextmenu', (e) => {
      const i = this.nodeAt(e);
      if (i > 0 && this.opts.onPick) {
        e.preventDefault();
        this.opts.onPick(this.name(i));
      }
    });
    this.canvas.addEventListener('keydown', (e) => this.onKey(e));
    this.canvas.addEventListener('blur', () => this.hideTooltip());
    this.resizeObserver = new ResizeObserver(() => {
      // redraw on the next frame, not inside the observer callback (which would resize what it observes)
      cancelAnimationFrame(this.raf);
      this.raf = requestAnimationFrame(() => this.draw());
    });
    this.resizeObserver.observe(this.wrap);
  }

  static sharedTooltip() {
    let t = document.getElementById('flame-tooltip');
    if (!t) {
      t = el('div', { id: 'flame-tooltip', class: 'tooltip', role: 'tooltip', hidden: true });
      document.body.append(t);
    }
    return t;
  }

  destroy() {
    this.resizeObserver.disconnect();
    this.hideTooltip();
  }

  /**
   * @param data API body: names, levels, unit, total; for a diff also baseline, comparison, scale. With
   *   format "flamebearer" each node's x is relative to the end of the previous node in its level.
   */
  setData(data, focusPath) {
    const levels = data.levels || [];
    const diff = !!data.baseline;
    const g = diff ? 6 : 4;
    let n = 0;
    for (const lv of levels) n += lv.length / g;
    const x = new Float64Array(n);
    const w = new Float64Array(n);
    const total = new Float64Array(n);
    const self = new Float64Array(n);
    const cmpTotal = diff ? new Float64Array(n) : null;
    const cmpSelf = diff ? new Float64Array(n) : null;
    const name = new Int32Array(n);
    const parent = new Int32Array(n).fill(-1);
    const firstChild = new Int32Array(n).fill(-1);
    const childCount = new Int32Array(n);
    const depth = new Int32Array(n);
    const levelStart = new Int32Array(levels.length + 1);
    const scale = diff ? data.scale || 1 : 1;
    const relative = data.format === 'flamebearer';
    // flamebearer values come divided by their common divisor (one column only)
    const vu = relative && !diff ? data.valueUnit || 1 : 1;
    let k = 0;
    for (let d = 0; d < levels.length; d++) {
      levelStart[d] = k;
      const lv = levels[d];
      let p = d > 0 ? levelStart[d - 1] : -1;
      const pEnd = d > 0 ? levelStart[d] : -1;
      let cursor = 0;
      for (let j = 0; j < lv.length; j += g, k++) {
        // flamebearer: x is the gap after the previous node of the level (mostly 0: short numbers on the wire)
        x[k] = relative ? cursor + lv[j] * vu : lv[j];
        total[k] = lv[j + 1] * vu;
        self[k] = lv[j + 2] * vu;
        if (diff) {
          cmpTotal[k] = lv[j + 3];
          cmpSelf[k] = lv[j + 4];
          w[k] = lv[j + 1] + Math.round(lv[j + 3] * scale);
        } else {
          w[k] = total[k];
        }
        cursor = x[k] + w[k];
        name[k] = lv[j + g - 1];
        depth[k] = d;
        if (d > 0) {
          // Children are laid out left to right inside their parent: advance the parent cursor monotonically.
          while (p < pEnd - 1 && x[k] >= x[p] + w[p] && !(w[p] === 0 && x[k] === x[p])) p++;
          parent[k] = p;
          if (firstChild[p] < 0) firstChild[p] = k;
          childCount[p]++;
        }
      }
    }
    levelStart[levels.length] = k;
    this.data = data;
    this.diff = diff;
    this.n = n;
    this.a = { x, w, total, self, cmpTotal, cmpSelf, name, parent, firstChild, childCount, depth, levelStart };
    this.depthCount = levels.length;
    this.names = data.names || [];
    this.unit = data.unit;
    this.focus = 0;
    this.selected = -1;
    this.pkgColor = new Map();
    this.nameColors = [];
    if (focusPath && focusPath.length) this.focus = this.resolvePath(focusPath);
    if (this.matcher) this.computeMatches();
    this.draw();
    this.renderCrumbs();
  }

  isEmpty() {
    return !this.data || this.n === 0 || this.a.w[0] === 0;
  }

  name(i) {
    return i === 0 ? 'total' : this.names[this.a.name[i]] ?? '?';
  }

  /** Names from the root's child down to node i. */
  pathOf(i) {
    const out = [];
    for (let p = i; p > 0; p = this.a.parent[p]) out.push(this.name(p));
    return out.reverse();
  }

  resolvePath(path) {
    let cur = 0;
    for (const nm of path) {
      const fc = this.a.firstChild[cur];
      let found = -1;
      for (let c = fc; c >= 0 && c < fc + this.a.childCount[cur]; c++) {
        if (this.name(c) === nm) {
          found = c;
          break;
        }
      }
      if (found < 0) break;
      cur = found;
    }
    return cur;
  }

  setFocus(i, notify = true) {
    if (!this.data || i < 0 || i >= this.n) return;
    this.focus = i;
    this.selected = i;
    this.draw();
    this.renderCrumbs();
    if (notify && this.opts.onFocus) this.opts.onFocus(this.pathOf(i));
  }

  setLayout(layout) {
    this.layout = layout;
    this.draw();
  }

  /** Diff colours: 'rg' (red grew, green shrank) or 'cb' (colour-blind safe: orange grew, blue shrank). */
  setPalette(palette) {
    this.palette = palette === 'cb' ? 'cb' : 'rg';
    this.draw();
  }

  /** Dark or light label text, whichever contrasts more with the frame's fill (WCAG AA on every fill we draw). */
  labelColor(fill) {
    let c = this.textColors.get(fill);
    if (!c) {
      const rgb = rgbOf(fill);
      // pure black, not near-black: against any fill one of black and white reaches 4.58:1
      c = contrast(rgb, [0, 0, 0]) >= contrast(rgb, [255, 255, 255]) ? '#000000' : '#ffffff';
      this.textColors.set(fill, c);
    }
    return c;
  }

  setColorMode(mode) {
    this.colorMode = mode;
    this.nameColors = [];
    this.draw();
  }

  /**
   * Highlights frames whose name contains `text` (case-insensitive; /re/ for a regular expression).
   * Returns {value, total, percent} of the root's value covered by matching frames (outermost only), or null.
   */
  setSearch(text) {
    this.matcher = null;
    if (text) {
      const re = /^\/(.+)\/$/.exec(text);
      if (re) {
        try {
          const r = new RegExp(re[1], 'i');
          this.matcher = (s) => r.test(s);
        } catch (e) {
          this.matcher = () => false;
        }
      } else {
        const t = text.toLowerCase();
        this.matcher = (s) => s.toLowerCase().includes(t);
      }
    }
    const result = this.computeMatches();
    this.draw();
    return result;
  }

  computeMatches() {
    if (!this.matcher || !this.data) {
      this.match = null;
      return null;
    }
    const n = this.n;
    const match = new Uint8Array(n);
    const nameHit = new Map();
    const a = this.a;
    let value = 0;
    let cmpValue = 0;
    for (let i = 1; i < n; i++) {
      const id = a.name[i];
      let hit = nameHit.get(id);
      if (hit === undefined) {
        hit = this.matcher(this.names[id] ?? '');
        nameHit.set(id, hit);
      }
      const p = a.parent[i];
      // bit 1: matches; bit 2: some ancestor matches (so its value is already counted)
      const covered = p > 0 && (match[p] & 3) !== 0;
      match[i] = (hit ? 1 : 0) | (covered ? 2 : 0);
      if (hit && !covered) {
        value += a.total[i];
        if (this.diff) cmpValue += a.cmpTotal[i];
      }
    }
    this.match = match;
    if (this.diff) {
      const bt = this.data.baseline.total || 0;
      const ct = this.data.comparison.total || 0;
      return { value, total: bt, percent: fmtPercent(value, bt), cmpValue, cmpTotal: ct, cmpPercent: fmtPercent(cmpValue, ct) };
    }
    return { value, total: a.total[0], percent: fmtPercent(value, a.total[0]) };
  }

  // ---- drawing ---------------------------------------------------------------------------------

  draw() {
    const c = this.canvas;
    const cssW = Math.max(100, this.wrap.clientWidth || 800);
    const rows = Math.max(1, this.depthCount);
    const cssH = rows * ROW + 2;
    const dpr = window.devicePixelRatio || 1;
    if (c.width !== Math.round(cssW * dpr) || c.height !== Math.round(cssH * dpr)) {
      c.width = Math.round(cssW * dpr);
      c.height = Math.round(cssH * dpr);
      c.style.width = cssW + 'px';
      c.style.height = cssH + 'px';
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, cssH);
    if (!this.data || this.n === 0) return;
    const style = getComputedStyle(document.documentElement);
    const dimColor = style.getPropertyValue('--flame-dim').trim() || '#ccc';
    const panel = style.getPropertyValue('--panel').trim();
    if (panel !== this.panelColor) {
      // the theme changed: faded fills (and so their label colours) are mixed with the new background
      this.panelColor = panel;
      this.textColors.clear();
    }
    const a = this.a;
    const x0 = a.x[this.focus];
    const vw = a.w[this.focus] || 1;
    const k = cssW / vw;
    const focusDepth = a.depth[this.focus];
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    const charW = ctx.measureText('m').width || 7;
    for (let d = 0; d < this.depthCount; d++) {
      const y = this.rowY(d, rows);
      const start = a.levelStart[d];
      const end = a.levelStart[d + 1];
      for (let i = start; i < end; i++) {
        const nx = a.x[i];
        const nw = a.w[i];
        if (nx + nw <= x0 || nx >= x0 + vw) continue;
        let px = (nx - x0) * k;
        let pw = nw * k;
        if (pw < MIN_PX) continue;
        if (px < 0) {
          pw += px;
          px = 0;
        }
        if (px + pw > cssW) pw = cssW - px;
        let fill;
        if (this.match && (this.match[i] & 1) === 0) fill = dimColor;
        else if (this.match) fill = '#e040fb';
        else fill = this.color(i);
        ctx.fillStyle = fill;
        ctx.globalAlpha = d < focusDepth ? 0.55 : 1;
        ctx.fillRect(px, y, Math.max(pw - (pw > 3 ? 1 : 0), 0.5), ROW - 1);
        if (pw > 3 * charW) {
          const fit = Math.floor((pw - 6) / charW);
          const label = middleTruncate(this.name(i), fit);
          // the focus path above the zoomed frame is drawn faded: its label keeps full contrast on the faded fill
          ctx.globalAlpha = 1;
          ctx.fillStyle = this.labelColor(d < focusDepth ? this.fadedFill(fill) : fill);
          ctx.fillText(label, px + 3, y + ROW / 2);
        }
      }
    }
    ctx.globalAlpha = 1;
    const mark = this.selected >= 0 ? this.selected : -1;
    if (mark >= 0) {
      const px = Math.max(0, (a.x[mark] - x0) * k);
      const pw = Math.min(cssW - px, a.w[mark] * k);
      ctx.strokeStyle = style.getPropertyValue('--focus-ring').trim() || '#0a66ff';
      ctx.lineWidth = 2;
      ctx.strokeRect(px + 1, this.rowY(a.depth[mark], rows) + 1, Math.max(2, pw - 2), ROW - 3);
    }
  }

  rowY(d, rows) {
    return this.layout === 'icicle' ? d * ROW : (rows - 1 - d) * ROW;
  }

  color(i) {
    if (this.diff) return this.diffColor(i);
    if (i === 0) return '#b8b8b8';
    // one colour per name, computed once per data set and colour mode: a draw of 100,000 frames is then a loop
    // over numbers, not 100,000 package parses
    const id = this.a.name[i];
    let c = this.nameColors[id];
    if (c === undefined) {
      c = this.colorFor(this.names[id] ?? '?');
      this.nameColors[id] = c;
    }
    return c;
  }

  /** The fill of a frame by its name in the current colour mode (no cache; see color(i)). */
  colorFor(nm) {
    if (this.colorMode === 'name') {
      const h = hash(nm);
      // the classic warm flame palette
      // unsigned shifts: a signed one made half the hashes negative and their lightness fell below 58%
      return `hsl(${(h % 55) + 5}, ${70 + (h >>> 8) % 25}%, ${58 + (h >>> 16) % 14}%)`;
    }
    const pkg = packageOf(nm);
    let c = this.pkgColor.get(pkg);
    if (!c) {
      const h = hash(pkg);
      c = `hsl(${h % 360}, ${45 + (h >>> 9) % 30}%, ${66 + (h >>> 17) % 12}%)`;
      this.pkgColor.set(pkg, c);
    }
    return c;
  }

  /** Growth red, shrink green, by the change of the node's normalised total; grey when unchanged. */
  diffColor(i) {
    const a = this.a;
    const base = a.total[i];
    const cmp = a.cmpTotal[i] * (this.data.scale || 1);
    const max = Math.max(base, cmp);
    if (max === 0) return '#bbb';
    const r = (cmp - base) / max;
    const t = Math.min(1, Math.abs(r));
    if (t < 0.02) return 'hsl(0, 0%, 78%)';
    const light = 85 - 35 * t;
    if (this.palette === 'cb') {
      // orange/blue: apart for every kind of colour vision (no red/green pair)
      return r > 0 ? `hsl(30, ${50 + 45 * t}%, ${light}%)` : `hsl(212, ${40 + 45 * t}%, ${light}%)`;
    }
    return r > 0 ? `hsl(0, ${40 + 45 * t}%, ${light}%)` : `hsl(130, ${30 + 40 * t}%, ${light}%)`;
  }

  /** A fill drawn at 55% opacity over the page background, as the eye sees it (for the label's contrast). */
  fadedFill(fill) {
    const key = 'faded:' + fill;
    let c = this.textColors.get(key);
    if (!c) {
      const bg = rgbOf(getComputedStyle(document.documentElement).getPropertyValue('--panel').trim() || '#fff');
      const f = rgbOf(fill);
      c = `rgb(${f.map((v, j) => Math.round(v * 0.55 + bg[j] * 0.45)).join(',')})`;
      this.textColors.set(key, c);
    }
    return c;
  }

  // ---- interaction -----------------------------------------------------------------------------

  nodeAt(e) {
    if (!this.data || this.n === 0) return -1;
    const r = this.canvas.getBoundingClientRect();
    const px = e.clientX - r.left;
    const py = e.clientY - r.top;
    const rows = Math.max(1, this.depthCount);
    const row = Math.floor(py / ROW);
    const d = this.layout === 'icicle' ? row : rows - 1 - row;
    if (d < 0 || d >= this.depthCount) return -1;
    const a = this.a;
    const v = a.x[this.focus] + (px / r.width) * (a.w[this.focus] || 1);
    let lo = a.levelStart[d];
    let hi = a.levelStart[d + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a.x[mid] + a.w[mid] <= v) lo = mid + 1;
      else if (a.x[mid] > v) hi = mid - 1;
      else return a.w[mid] > 0 ? mid : -1;
    }
    return -1;
  }

  onMove(e) {
    const i = this.nodeAt(e);
    this.hover = i;
    if (i < 0) {
      this.hideTooltip();
      this.canvas.style.cursor = 'default';
      return;
    }
    this.canvas.style.cursor = 'pointer';
    this.showTooltip(i, e.clientX, e.clientY);
  }

  onClick(e) {
    const i = this.nodeAt(e);
    if (i >= 0) this.setFocus(i);
  }

  onKey(e) {
    if (!this.data || this.n === 0) return;
    const a = this.a;
    let s = this.selected >= 0 ? this.selected : this.focus;
    const up = this.layout === 'icicle' ? 'parent' : 'child';
    const move = (dir) => {
      if (dir === 'parent') return a.parent[s] >= 0 ? a.parent[s] : s;
      if (dir === 'child') return this.widestChild(s);
      const d = a.depth[s];
      const lo = a.levelStart[d];
      const hi = a.levelStart[d + 1];
      const step = dir === 'left' ? -1 : 1;
      for (let j = s + step; j >= lo && j < hi; j += step) {
        if (this.visible(j)) return j;
      }
      return s;
    };
    let handled = true;
    switch (e.key) {
      case 'ArrowUp': s = move(up); break;
      case 'ArrowDown': s = move(up === 'parent' ? 'child' : 'parent'); break;
      case 'ArrowLeft': s = move('left'); break;
      case 'ArrowRight': s = move('right'); break;
      case 'Enter': case ' ': this.setFocus(s); break;
      case 'Escape': this.setFocus(0); s = 0; break;
      case 'Backspace': this.setFocus(a.parent[this.focus] >= 0 ? a.parent[this.focus] : 0); s = this.focus; break;
      case 's': case 'S':
        if (s > 0 && this.opts.onPick) this.opts.onPick(this.name(s));
        break;
      default: handled = false;
    }
    if (!handled) return;
    e.preventDefault();
    this.selected = s;
    this.draw();
    const r = this.canvas.getBoundingClientRect();
    const k = r.width / (a.w[this.focus] || 1);
    const px = Math.max(0, (a.x[s] - a.x[this.focus]) * k);
    const rows = Math.max(1, this.depthCount);
    this.showTooltip(s, r.left + px + 8, r.top + this.rowY(a.depth[s], rows) + ROW);
  }

  visible(i) {
    const a = this.a;
    const x0 = a.x[this.focus];
    const vw = a.w[this.focus];
    return a.w[i] > 0 && a.x[i] + a.w[i] > x0 && a.x[i] < x0 + vw;
  }

  widestChild(i) {
    const a = this.a;
    let best = -1;
    for (let c = a.firstChild[i]; c >= 0 && c < a.firstChild[i] + a.childCount[i]; c++) {
      if (best < 0 || a.w[c] > a.w[best]) best = c;
    }
    return best >= 0 ? best : i;
  }

  showTooltip(i, cx, cy) {
    const a = this.a;
    const t = this.tooltip;
    clear(t);
    const unit = this.unit;
    t.append(el('div', { class: 'tt-name', text: this.name(i) }));
    const rows = [];
    if (this.diff) {
      const bt = this.data.baseline.total;
      const ct = this.data.comparison.total;
      rows.push(['Baseline total', `${fmtValue(a.total[i], unit)} (${fmtPercent(a.total[i], bt)})`]);
      rows.push(['Comparison total', `${fmtValue(a.cmpTotal[i], unit)} (${fmtPercent(a.cmpTotal[i], ct)})`]);
      rows.push(['Baseline self', `${fmtValue(a.self[i], unit)} (${fmtPercent(a.self[i], bt)})`]);
      rows.push(['Comparison self', `${fmtValue(a.cmpSelf[i], unit)} (${fmtPercent(a.cmpSelf[i], ct)})`]);
      if (bt > 0 && ct > 0) rows.push(['Share change', fmtSignedPercent(a.cmpTotal[i] / ct - a.total[i] / bt)]);
    } else {
      const total = a.total[0];
      rows.push(['Total', `${fmtValue(a.total[i], unit)} (${fmtPercent(a.total[i], total)})`]);
      rows.push(['Self', `${fmtValue(a.self[i], unit)} (${fmtPercent(a.self[i], total)})`]);
      if (this.focus > 0) rows.push(['Of zoomed', fmtPercent(a.total[i], a.total[this.focus])]);
    }
    const dl = el('dl', { class: 'tt-grid' });
    for (const [k, v] of rows) dl.append(el('dt', { text: k }), el('dd', { text: v }));
    t.append(dl);
    t.append(el('div', { class: 'tt-hint', text: 'Click to zoom · right-click or S for callers/callees' }));
    t.hidden = false;
    const tw = t.offsetWidth;
    const th = t.offsetHeight;
    let left = cx + 14;
    let top = cy + 14;
    if (left + tw > window.innerWidth - 8) left = Math.max(8, cx - tw - 14);
    if (top + th > window.innerHeight - 8) top = Math.max(8, cy - th - 14);
    t.style.left = left + 'px';
    t.style.top = top + 'px';
  }

  hideTooltip() {
    this.tooltip.hidden = true;
  }

  renderCrumbs() {
    clear(this.crumbs);
    if (!this.data) return;
    const chain = [];
    for (let p = this.focus; p >= 0; p = this.a.parent[p]) chain.push(p);
    chain.reverse();
    chain.forEach((i, idx) => {
      if (idx > 0) this.crumbs.append(el('span', { class: 'sep', 'aria-hidden': 'true', text: '›' }));
      const last = idx === chain.length - 1;
      this.crumbs.append(el('button', {
        type: 'button',
        class: 'crumb' + (last ? ' current' : ''),
        'aria-current': last ? 'true' : null,
        title: this.name(i),
        text: i === 0 ? 'all' : middleTruncate(this.name(i), 48),
        onclick: () => this.setFocus(i),
      }));
    });
  }

  toBlob() {
    return new Promise((resolve) => this.canvas.toBlob(resolve, 'image/png'));
  }
}
