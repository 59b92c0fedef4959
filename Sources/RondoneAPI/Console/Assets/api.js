// Calls to Rondone's API with the signed-in user's credentials. The credentials stay in
// this tab's sessionStorage and go in the headers of each call, exactly as any API client
// sends them: basic mode (and --web-config) as `Authorization: Basic`, keystone mode as
// the X-User-Id / X-Project-Id / X-Roles headers a keystone front end would set.

const KEY = 'rondone.console.credentials';

export function credentials() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export function setCredentials(value) {
  sessionStorage.setItem(KEY, JSON.stringify(value));
}

export function clearCredentials() {
  sessionStorage.removeItem(KEY);
}

/** Who is signed in, for the header. */
export function describeCredentials(c = credentials()) {
  if (!c) return '';
  if (c.mode === 'basic') return `user ${c.user}`;
  if (c.mode === 'keystone') return `keystone ${c.userId || '-'} / ${c.projectId || '-'}${c.roles ? ' (' + c.roles + ')' : ''}`;
  return 'credentials from the proxy';
}

function base64(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function authHeaders(c = credentials()) {
  const headers = {};
  if (!c) return headers;
  if (c.mode === 'basic') headers.Authorization = 'Basic ' + base64(`${c.user}:${c.password ?? ''}`);
  if (c.mode === 'keystone') {
    if (c.userId) headers['X-User-Id'] = c.userId;
    if (c.projectId) headers['X-Project-Id'] = c.projectId;
    if (c.roles) headers['X-Roles'] = c.roles;
  }
  return headers;
}

/** An API answer other than 2xx, with the message the API gave. */
export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** The message of an error body: Gnocchi's `{code, title, description}` (the description
 *  may be an object with cause/reason/detail), webob's `{message}`, Prometheus's `{error}`. */
export function errorMessage(status, body, text) {
  if (body && typeof body === 'object') {
    if (typeof body.error === 'string') return `${body.errorType ? body.errorType + ': ' : ''}${body.error}`;
    const d = body.description;
    if (typeof d === 'string' && d) return `${status} ${body.title ?? ''}: ${d}`;
    if (d && typeof d === 'object') {
      const parts = [d.cause, d.reason, typeof d.detail === 'string' ? d.detail : d.detail && JSON.stringify(d.detail)].filter(Boolean);
      return `${status} ${body.title ?? ''}: ${parts.length ? parts.join(' — ') : JSON.stringify(d)}`;
    }
    if (typeof body.message === 'string') return `${status} ${body.title ?? ''}: ${body.message}`;
    if (body.title) return `${status} ${body.title}`;
  }
  return `${status}: ${(text || '').trim().slice(0, 500) || 'no message'}`;
}

/**
 * Calls `path` (`/v1/...`): `json` is sent as a JSON body, `form` as a form-encoded body,
 * `query` as the query string (an object, arrays repeat the name). Resolves with the parsed
 * JSON (or the text with `text: true`); rejects with an ApiError. A 401 also tells the page
 * (event `rondone:unauthorized`) so that it asks for credentials.
 */
export async function api(path, { method = 'GET', json, form, query, text = false, signal } = {}) {
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === '') continue;
      for (const one of Array.isArray(value) ? value : [value]) params.append(name, String(one));
    }
    const qs = params.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  }
  const headers = { Accept: text ? 'text/plain, */*' : 'application/json', ...authHeaders() };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body, signal, credentials: 'omit', cache: 'no-store' });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, `The server did not answer (${error.message})`);
  }
  const raw = await response.text();
  if (!response.ok) {
    let parsed = null;
    try {
      parsed = JSON.parse(raw);
    } catch { /* not JSON */ }
    if (response.status === 401) window.dispatchEvent(new CustomEvent('rondone:unauthorized'));
    throw new ApiError(response.status, errorMessage(response.status, parsed, raw), parsed);
  }
  if (text) return raw;
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    throw new ApiError(response.status, `The answer of ${path} is not JSON`);
  }
}

/** Path segment escaping for ids and names. */
export const seg = (value) => encodeURIComponent(value);
