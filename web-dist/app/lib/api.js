import { noteLicenseHeaders } from '../state/license.js';

/** An answer from the appliance that is not a success: its stable code, message and details. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {Record<string, unknown>} [details]
   */
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** @type {() => void} */
let onUnauthorized = () => {};
/** The session state tells the API what to do when the server says the session is gone. @param {() => void} fn */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/**
 * Calls the appliance's API with the session cookie. Resolves with the JSON answer (null for 204);
 * rejects with ApiError (code `network` when the server could not be reached).
 * @param {'GET'|'POST'|'PATCH'|'PUT'|'DELETE'} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function api(method, path, body) {
  /** @type {Response} */
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }
  noteLicenseHeaders(res.headers);
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (res.ok) return data;
  const err = data?.error ?? { code: `http_${res.status}`, message: res.statusText };
  const { code, message, ...details } = err;
  if (res.status === 401 && code === 'unauthorized') onUnauthorized();
  throw new ApiError(res.status, code, message, details);
}

/**
 * Sends a file as the raw body (POST /api/uploads), as the composer's attachments do.
 * @param {File} file
 * @returns {Promise<{ id: string, type: string, mimeType: string, size: number, filename: string | null }>}
 */
export async function uploadFile(file) {
  /** @type {Response} */
  let res;
  try {
    res = await fetch(`/api/uploads?filename=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': file.type || 'application/octet-stream' },
      body: file,
    });
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }
  noteLicenseHeaders(res.headers);
  const data = await res.json().catch(() => null);
  if (res.ok) return data;
  const { code, message, ...details } = data?.error ?? { code: `http_${res.status}`, message: res.statusText };
  if (res.status === 401 && code === 'unauthorized') onUnauthorized();
  throw new ApiError(res.status, code, message, details);
}
