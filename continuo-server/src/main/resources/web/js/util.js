// Small helpers shared by every view. Data strings only ever reach the DOM through textContent or
// attribute setters here, never through innerHTML: a function called "<img onerror=...>" stays text.

/** Creates an element; `attrs` keys starting with "on" become listeners, "text" becomes textContent. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') node.textContent = String(v);
      else if (k === 'class') node.className = v;
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
      else if (k in node && typeof v !== 'string') node[k] = v;
      else node.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function $(sel, root = document) {
  return root.querySelector(sel);
}

// ---- number and unit formatting -------------------------------------------------------------

const NS_UNITS = [[86400e9, 'd'], [3600e9, 'h'], [60e9, 'min'], [1e9, 's'], [1e6, 'ms'], [1e3, 'µs'], [1, 'ns']];
const BYTE_UNITS = [[2 ** 40, 'TiB'], [2 ** 30, 'GiB'], [2 ** 20, 'MiB'], [2 ** 10, 'KiB'], [1, 'B']];
const COUNT_UNITS = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k'], [1, '']];

function scaled(v, units, sep) {
  const a = Math.abs(v);
  for (const [f, name] of units) {
    if (a >= f) return trim(v / f) + sep + name;
  }
  return trim(v) + (units[units.length - 1][1] ? sep + units[units.length - 1][1] : '');
}

function trim(x) {
  const a = Math.abs(x);
  const s = a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** A value in the profile's base unit (nanoseconds, bytes or count) for people. */
export function fmtValue(v, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (unit === 'nanoseconds') return scaled(v, NS_UNITS, ' ');
  if (unit === 'bytes') return scaled(v, BYTE_UNITS, ' ');
  return scaled(v, COUNT_UNITS, '');
}

export function fmtPercent(part, whole) {
  if (!whole) return '0%';
  const p = (100 * part) / whole;
  if (p === 0) return '0%';
  if (Math.abs(p) < 0.01) return (p < 0 ? '>-' : '<') + '0.01%';
  return (Math.abs(p) >= 10 ? p.toFixed(1) : p.toFixed(2)) + '%';
}

export function fmtSignedPercent(ratio) {
  const p = ratio * 100;
  const s = Math.abs(p) >= 10 ? p.toFixed(1) : p.toFixed(2);
  return (p > 0 ? '+' : '') + s + ' pp';
}

export function fmtDuration(ms) {
  if (ms < 1) return '<1 ms';
  return scaled(ms * 1e6, NS_UNITS, ' ');
}

export function fmtTime(ms, withDate) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (!withDate) return t;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${t}`;
}

// ---- time ranges -----------------------------------------------------------------------------

const REL_UNITS = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Resolves "now", "now-15m", unix seconds/ms or RFC 3339 to epoch millis; NaN when unreadable. */
export function resolveTime(text, now = Date.now()) {
  if (text === undefined || text === null || text === '') return NaN;
  const s = String(text).trim();
  if (s === 'now') return now;
  const rel = /^now\s*([-+])\s*(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d|w)$/.exec(s);
  if (rel) return now + (rel[1] === '-' ? -1 : 1) * Number(rel[2]) * REL_UNITS[rel[3]];
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n < 1e11 ? n * 1000 : n;
  }
  return Date.parse(s);
}

export function isRelative(text) {
  return typeof text === 'string' && text.startsWith('now');
}

/** Epoch millis → value for <input type="datetime-local"> in local time. */
export function toLocalInput(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function describeRange(from, until) {
  if (until === 'now' && isRelative(from)) {
    const m = /^now-(\d+)(m|h|d|w)$/.exec(from);
    if (m) {
      const names = { m: 'minute', h: 'hour', d: 'day', w: 'week' };
      const n = Number(m[1]);
      return `Last ${n === 1 ? '' : n + ' '}${names[m[2]]}${n === 1 ? '' : 's'}`;
    }
  }
  const f = resolveTime(from);
  const u = resolveTime(until);
  if (Number.isNaN(f) || Number.isNaN(u)) return `${from} → ${until}`;
  const sameDay = new Date(f).toDateString() === new Date(u).toDateString();
  return `${fmtTime(f, true)} → ${fmtTime(u, !sameDay)}`;
}

// ---- selectors -------------------------------------------------------------------------------

function quote(v) {
  return '"' + String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** {service="x",env="prod"} from a service name and an object of label equality filters. */
export function selector(service, labels) {
  const parts = [];
  if (service) parts.push('service=' + quote(service));
  for (const [k, v] of Object.entries(labels || {})) {
    if (v !== undefined && v !== null && v !== '' && k !== 'service') parts.push(k + '=' + quote(v));
  }
  return '{' + parts.join(',') + '}';
}

// ---- colours ---------------------------------------------------------------------------------

/** FNV-1a, for stable colours per package. */
export function hash(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The package or module of a frame name: "java.util.HashMap.get" → "java.util", "net/http.(*conn).serve" →
 * "net/http", "main.work" → "main", "libc.so.6 memcpy" → "libc.so.6"; Java packages to three segments.
 */
export function packageOf(name) {
  if (!name) return '';
  let s = name;
  const paren = s.indexOf('(');
  if (paren > 0 && s[paren - 1] !== '.') s = s.slice(0, paren);
  const space = s.indexOf(' ');
  if (space > 0) return s.slice(0, space);
  const slash = s.lastIndexOf('/');
  const head = slash >= 0 ? s.slice(0, slash + 1) : '';
  const tail = slash >= 0 ? s.slice(slash + 1) : s;
  const dots = tail.split('.');
  // Java: package segments are lower case, the class starts upper case.
  let i = 0;
  while (i < dots.length - 1 && /^[a-z_$][\w$]*$/.test(dots[i]) && !(i > 0 && dots.length - i <= 1)) i++;
  if (head) return head + dots[0];
  if (i === 0) return dots.length > 1 ? dots[0] : '';
  // at most three segments: "org.eclipse.jetty.util.thread" colours as its module, "org.eclipse.jetty"
  return dots.slice(0, Math.min(3, Math.max(1, i))).join('.');
}

export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

export function download(blob, name) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}

/** The search that matches exactly one function name (a table row click), as a /regex/ the search box reads. */
export function exactQuery(name) {
  return '/^' + String(name).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + '$/';
}

/**
 * Shortens a frame name to `fit` characters from the middle, keeping the end where `Class.method` is:
 * "shop.Shop$PriceCalc.compute" → "sho…PriceCalc.compute", not "shop.Shop$PriceCalc…".
 */
export function middleTruncate(name, fit) {
  if (name.length <= fit) return name;
  if (fit <= 1) return '';
  // a trailing parameter list (Java's "bar(int, java.util.List)") is not part of the method's name; Go's
  // "fmt.(*pp).printArg" has its parentheses inside
  const paren = name.endsWith(')') ? name.lastIndexOf('(') : -1;
  const base = paren > 0 ? name.slice(0, paren) : name;
  if (paren > 0 && base.length + 3 <= fit) return base + '(…)';
  // the class and method: the last two dot-separated segments of the name (the package may go)
  const last = base.lastIndexOf('.');
  const dot = base.lastIndexOf('.', last - 1);
  const tail = dot >= 0 ? base.slice(dot + 1) : base;
  const method = last >= 0 ? base.slice(last + 1) : base;
  if (tail.length + 2 <= fit) return base.slice(0, fit - 1 - tail.length) + '…' + tail;
  if (method.length + 2 <= fit) return '…' + tail.slice(tail.length - (fit - 1));
  return method.slice(0, fit - 1) + '…';
}

/** WCAG relative luminance of an [r, g, b] colour (0–255 each). */
export function luminance([r, g, b]) {
  const f = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

/** WCAG contrast ratio of two [r, g, b] colours, 1 to 21. */
export function contrast(a, b) {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** [r, g, b] of a CSS colour (hex, rgb() or hsl()), resolved by the browser. */
export function rgbOf(color) {
  const ctx = rgbOf.ctx || (rgbOf.ctx = document.createElement('canvas').getContext('2d'));
  ctx.fillStyle = '#000';
  ctx.fillStyle = color;
  const v = ctx.fillStyle;
  if (v.startsWith('#')) return [1, 3, 5].map((i) => parseInt(v.slice(i, i + 2), 16));
  const m = /rgba?\(([^)]+)\)/.exec(v);
  return m ? m[1].split(',').slice(0, 3).map((x) => Number(x)) : [0, 0, 0];
}
