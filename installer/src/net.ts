import { InstallerError } from './errors.js';
import { installerCommand } from './invocation.js';

/**
 * JSON over HTTP with a timeout on every attempt and a bounded number of retries for what may pass
 * (network errors, 5xx). A 4xx is an answer, returned at once.
 */
export async function fetchJson(
  url: string,
  init: { method?: string; body?: unknown; timeoutMs?: number; attempts?: number } = {},
): Promise<{ status: number; body: any }> {
  const attempts = init.attempts ?? 3;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 500 * 2 ** (i - 1)));
    try {
      const res = await fetch(url, {
        method: init.method ?? 'GET',
        headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(init.timeoutMs ?? 5000),
      });
      const text = await res.text();
      let body: any = null;
      try { body = text ? JSON.parse(text) : null; } catch { body = { raw: text.slice(0, 200) }; }
      if (res.status >= 500 && i < attempts - 1) { last = new Error(`HTTP ${res.status}`); continue; }
      return { status: res.status, body };
    } catch (err) {
      last = err;
    }
  }
  const why = last instanceof Error ? (last.cause instanceof Error ? last.cause.message : last.message) : String(last);
  throw new InstallerError('unreachable', `${url} did not answer (${why})`, 'check the address and this server\'s outbound network (firewall, DNS, proxy)');
}

/** Polls an HTTP endpoint until it answers 200, or fails after `timeoutMs`. */
export async function waitFor200(url: string, timeoutMs: number, alive?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (alive && !alive()) break;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new InstallerError('not_ready', `${url} did not become ready (${last || 'process exited'})`, `look at the service logs: ${installerCommand()} logs`);
}
