// The query API client. Every failure becomes an ApiError whose `kind` the views turn into a clear state:
// "unreachable" (no answer), "unauthorized" (401: the server wants an API key), "too-large" (413/429 or a limit
// message), "bad-request" (4xx) or "server" (5xx).

import { authHeaders, announceUnauthorized } from './auth.js';

export class ApiError extends Error {
  constructor(kind, message, status) {
    super(message);
    this.kind = kind;
    this.status = status || 0;
  }
}

export function apiUrl(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return path + (s ? '?' + s : '');
}

const timings = new Map();

/** How long the last answer for `key` took to parse (and its size when the server said): for the docs' numbers. */
export function lastTiming(key) {
  return timings.get(key) || {};
}

/** GET a JSON API path; aborts the previous request with the same `key` (a newer query supersedes it). */
const inflight = new Map();

export async function getJson(path, params, key) {
  let controller;
  if (key) {
    inflight.get(key)?.abort();
    controller = new AbortController();
    inflight.set(key, controller);
  }
  let res;
  try {
    res = await fetch(apiUrl(path, params), {
      headers: { Accept: 'application/json', ...authHeaders() },
      signal: controller?.signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError('unreachable', 'The Continuo server is unreachable. Is it running?', 0);
  } finally {
    if (key && inflight.get(key) === controller) inflight.delete(key);
  }
  let body = null;
  const t0 = performance.now();
  try {
    body = await res.json();
    if (key) timings.set(key, { parseMs: performance.now() - t0, bytes: Number(res.headers.get('Content-Length')) || 0 });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    body = null;
  }
  if (!res.ok) throw failure(res, body);
  if (body === null) throw new ApiError('server', 'The server answered with something that is not JSON.', res.status);
  return body;
}

function failure(res, body) {
  const message = (body && body.error) || `HTTP ${res.status} ${res.statusText}`;
  if (res.status === 401) {
    announceUnauthorized(message);
    return new ApiError('unauthorized', message, 401);
  }
  let kind = res.status >= 500 ? 'server' : 'bad-request';
  if (res.status === 413 || res.status === 429 || /too (large|many)|limit/i.test(message)) kind = 'too-large';
  return new ApiError(kind, message, res.status);
}

/** A download (pprof, collapsed) as a Blob, with the API key when one is set. */
export async function getBlob(url) {
  let res;
  try {
    res = await fetch(url, { headers: authHeaders() });
  } catch (e) {
    throw new ApiError('unreachable', 'The Continuo server is unreachable. Is it running?', 0);
  }
  if (!res.ok) {
    let body = null;
    try {
      body = await res.json();
    } catch (e) {
      body = null;
    }
    throw failure(res, body);
  }
  return res.blob();
}

/** POST or DELETE with a JSON body; resolves to the answer's JSON (or null for 204). */
export async function sendJson(method, path, payload) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: { Accept: 'application/json', ...(payload ? { 'Content-Type': 'application/json' } : {}), ...authHeaders() },
      body: payload ? JSON.stringify(payload) : undefined,
    });
  } catch (e) {
    throw new ApiError('unreachable', 'The Continuo server is unreachable. Is it running?', 0);
  }
  let body = null;
  try {
    body = res.status === 204 ? null : await res.json();
  } catch (e) {
    body = null;
  }
  if (!res.ok) throw failure(res, body);
  return body;
}

export const api = {
  services: (from, until, key = 'services') => getJson('/api/v1/services', { from, until }, key),
  labels: (query, from, until) => getJson('/api/v1/labels', { query, from, until }, 'labels'),
  labelValues: (name, query, from, until) =>
    getJson('/api/v1/label/' + encodeURIComponent(name) + '/values', { query, from, until, limit: 500 }),
  flame: (p, key = 'flame') => getJson('/api/v1/query/flamegraph', p, key),
  timeseries: (p, key = 'timeseries') => getJson('/api/v1/query/timeseries', p, key),
  metricNames: (query, from, until) => getJson('/api/v1/metrics/names', { query, from, until }, 'metricNames'),
  metric: (p, key) => getJson('/api/v1/query/metric', p, key),
  top: (p, key = 'top') => getJson('/api/v1/query/top', p, key),
  sandwich: (p, key = 'sandwich') => getJson('/api/v1/query/sandwich', p, key),
  diff: (p, key = 'diff') => getJson('/api/v1/query/diff', p, key),
  trace: (p, key = 'trace') => getJson('/api/v1/query/trace', p, key),
  traces: (p, key = 'traces') => getJson('/api/v1/query/traces', p, key),
};
