// fetch with the Bearer token, a timeout (a dead link can hang forever), and
// errors sorted into "retry later" and "needs a person".
import { session, markNeedsAuth } from './session.js';

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super((body && (body.detail || body.message)) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

export class NetworkError extends Error {}

export function isRetryable(err) {
  if (err instanceof NetworkError) return true;
  if (err instanceof ApiError) return err.status >= 500 || err.status === 429 || err.status === 408;
  return false;
}

export async function request(path, { method = 'GET', json, body, headers = {}, timeout = 30000, auth = true } = {}) {
  const h = { ...headers };
  if (auth && session.token) h.Authorization = `Bearer ${session.token}`;
  if (json !== undefined) {
    h['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeout);
  let res;
  try {
    res = await fetch(path, { method, headers: h, body, signal: ctrl.signal, cache: 'no-store' });
  } catch (err) {
    throw new NetworkError(err && err.message ? err.message : 'network error');
  } finally {
    clearTimeout(timer);
  }
  if (!res.ok) {
    let data = null;
    try { data = await res.json(); } catch (_) { /* not JSON */ }
    const retryAfter = Number(res.headers.get('Retry-After')) || 0;
    if (res.status === 401 && auth) await markNeedsAuth();
    throw new ApiError(res.status, data, retryAfter);
  }
  return res;
}

export async function getJSON(path, opts) {
  const res = await request(path, opts);
  return res.json();
}

export async function postJSON(path, json, opts = {}) {
  const res = await request(path, { ...opts, method: 'POST', json });
  if (res.status === 204) return null;
  return res.json();
}

// gzip a JSON body where CompressionStream exists; returns [body, headers].
export async function gzipJSON(obj) {
  const text = JSON.stringify(obj);
  if (typeof CompressionStream === 'undefined') return [text, { 'Content-Type': 'application/json' }];
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  const buf = await new Response(stream).arrayBuffer();
  return [buf, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }];
}
