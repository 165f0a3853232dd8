import type { CheckResult } from './checks.js';

const MARK = { ok: '✓', warn: '!', fail: '✗', skip: '-' } as const;

/** The checks as the admin reads them: one line each, and what to do under every warning or failure. */
export function formatChecks(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.title.length));
  return results.map((r) => {
    const line = `${MARK[r.status]} ${r.title.padEnd(width)}  ${r.detail}`;
    return r.fix && (r.status === 'fail' || r.status === 'warn') ? `${line}\n    → ${r.fix}` : line;
  }).join('\n');
}

export function failures(results: CheckResult[]): CheckResult[] {
  return results.filter((r) => r.status === 'fail');
}
