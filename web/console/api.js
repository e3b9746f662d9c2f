// The API client and the signed-in session. The bearer token lives in memory and in
// sessionStorage (so a reload in the same tab keeps it; closing the tab forgets it), never in a
// URL. Every call sends it as an Authorization header; a 401 from any call ends the session.

const STORAGE_KEY = 'foresight.session';

/** An error answer in the server's one shape: {"error":{"code","message","field"?}}. */
export class ApiError extends Error {
  constructor(status, error = {}, { sessionEnded = false } = {}) {
    super(error.message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = error.code || 'http_' + status;
    this.field = error.field || '';
    this.retryAfter = 0;
    this.sessionEnded = sessionEnded;
  }
}

let session = loadSession();
let expiryTimer = 0;
const endListeners = [];

function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
    if (s && typeof s.token === 'string' && typeof s.expiresAt === 'number') return s;
  } catch { /* a damaged entry is no session */ }
  return null;
}

function saveSession() {
  if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STORAGE_KEY);
}

/** The current session {token, expiresAt, username, isAdmin} or null (also when expired). */
export function currentSession() {
  if (session && Date.now() >= session.expiresAt) {
    endSession('Your session expired. Please sign in again.');
  }
  return session;
}

/** Calls fn(message) whenever the session ends (sign-out, expiry, a 401). */
export function onSessionEnd(fn) {
  endListeners.push(fn);
}

export function endSession(message = '') {
  const had = session !== null;
  session = null;
  saveSession();
  clearTimeout(expiryTimer);
  if (had) for (const fn of endListeners) fn(message);
}

function armExpiry() {
  clearTimeout(expiryTimer);
  if (!session) return;
  // setTimeout overflows above 2^31-1 ms; tokens live hours at most, but stay safe.
  const ms = Math.min(session.expiresAt - Date.now(), 2 ** 31 - 1);
  expiryTimer = setTimeout(() => currentSession(), Math.max(ms, 0));
}
armExpiry();

/** The `sub` claim of a JWT, for display only (the server verifies the token, not us). */
function tokenSubject(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part)).sub || '';
  } catch {
    return '';
  }
}

/** Exchanges a username and password for a token; the answer also says who signed in. */
export async function signIn(username, password) {
  const res = await fetch('/api/v1/auth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username, password }),
    credentials: 'omit',
    cache: 'no-store',
  });
  const body = await readJson(res);
  if (!res.ok) throw errorFrom(res, body);
  const expiresIn = Number(body.expires_in) || 3600;
  // Renew a little early so a request never leaves with a token about to lapse.
  session = {
    token: body.access_token,
    expiresAt: Date.now() + Math.max(expiresIn - 15, 1) * 1000,
    username: body.user?.id || tokenSubject(body.access_token) || username,
    isAdmin: body.user?.is_admin === true,
  };
  saveSession();
  armExpiry();
  return session;
}

async function readJson(res) {
  const text = await res.text();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: text.slice(0, 200) } };
  }
}

function errorFrom(res, body, opts) {
  const err = new ApiError(res.status, (body && body.error) || {}, opts);
  err.retryAfter = Number(res.headers.get('Retry-After')) || 0;
  return err;
}

/**
 * Calls the API. `query` becomes the query string (empty values are left out), `body` is sent as
 * JSON. Answers the parsed JSON, or with {as: 'blob'} a Blob. Throws ApiError; a 401 ends the
 * session first (err.sessionEnded) so callers need not show it.
 */
export async function api(method, path, { query, body, signal, as = 'json', headers: extra } = {}) {
  const s = currentSession();
  if (!s) throw new ApiError(401, { code: 'unauthorized', message: 'Not signed in' }, { sessionEnded: true });
  let url = path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    const str = qs.toString();
    if (str) url += '?' + str;
  }
  const headers = { ...(extra || {}), Authorization: 'Bearer ' + s.token, Accept: as === 'json' ? 'application/json' : '*/*' };
  const init = { method, headers, signal, credentials: 'omit', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(url, init);
  if (res.status === 401) {
    const b = await readJson(res);
    const msg = (b.error && b.error.message) || 'not signed in';
    endSession(`You were signed out (${msg}). Please sign in again.`);
    throw errorFrom(res, b, { sessionEnded: true });
  }
  if (!res.ok) throw errorFrom(res, await readJson(res));
  if (as === 'blob') return res.blob();
  return readJson(res);
}

/** Human text for an error: the server's message, with the wait of a 429. */
export function describeError(e) {
  if (e instanceof ApiError) {
    let m = e.message;
    if (e.retryAfter) m += ` (try again in ${e.retryAfter} s)`;
    return m;
  }
  if (e && e.name === 'AbortError') return 'Cancelled.';
  return 'Could not reach the server: ' + ((e && e.message) || String(e));
}
