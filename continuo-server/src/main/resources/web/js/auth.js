// API key sign-in. A server started with --api-key answers 401 to the query API; the UI then asks for the key once,
// keeps it in this browser's localStorage and sends it as a Bearer token on every API request.

const STORAGE_KEY = 'continuo.apiKey';

export function apiKey() {
  try {
    return localStorage.getItem(STORAGE_KEY) || '';
  } catch (e) {
    return ''; // storage disabled: the UI works without keys, and asks again on each load with them
  }
}

export function setApiKey(key) {
  try {
    if (key) localStorage.setItem(STORAGE_KEY, key);
    else localStorage.removeItem(STORAGE_KEY);
  } catch (e) {
    // nothing to keep it in; requests of this page still carry it through memoryKey
  }
  memoryKey = key || '';
}

let memoryKey = '';

export function authHeaders() {
  const key = apiKey() || memoryKey;
  return key ? { Authorization: 'Bearer ' + key } : {};
}

/** Tells the page that the server wants a (valid) key; app.js shows the sign-in dialog. */
export function announceUnauthorized(message) {
  window.dispatchEvent(new CustomEvent('continuo:unauthorized', { detail: message }));
}
