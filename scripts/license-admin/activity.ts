/** installations list and audit list: what appliances are doing, and what happened. */
import { brief, cut, nextPage, relative, table, time, usage } from './format.js';
import { printJson, type Ctx, type Page } from './context.js';

interface Installation {
  id: string; licenseId: string; client: { id: string; name: string }; status: string; licenseStatus: string;
  plan: string; boundIp: string | null; lastIp: string | null; hostname: string | null; version: string | null;
  activatedAt: string; lastHeartbeatAt: string | null; stale: boolean; cloneSuspectedAt: string | null; usage: Parameters<typeof usage>[0];
}

export async function installationsList({ api, args, json }: Ctx) {
  const page = await api().get<Page<Installation>>('/installations', {
    licenseId: args.uuid('license'), stale: args.flag('stale') ? 'true' : undefined, cursor: args.str('cursor'), limit: args.int('limit', 1, 200),
  });
  if (json) return printJson(page);
  const state = (i: Installation) =>
    [i.status, i.stale && 'STALE', i.cloneSuspectedAt && 'CLONE?', i.licenseStatus !== 'active' && `license ${i.licenseStatus}`].filter(Boolean).join(', ');
  const ip = (i: Installation) => (i.lastIp && i.lastIp !== i.boundIp ? `${i.boundIp ?? '-'} (last ${i.lastIp})` : i.boundIp);
  // Before its first heartbeat an installation has no usage yet; say when it activated instead of "never".
  const beat = (i: Installation) => (i.lastHeartbeatAt ? relative(i.lastHeartbeatAt) : `none yet (activated ${relative(i.activatedAt)})`);
  table(
    ['LICENSE', 'CLIENT', 'PLAN', 'STATE', 'BOUND IP', 'HOST', 'VERSION', 'HEARTBEAT', 'USAGE'],
    page.items.map((i) => [i.licenseId, i.client.name, i.plan, state(i), ip(i), i.hostname, i.version, beat(i), usage(i.usage)]),
  );
  nextPage(page);
}

interface AuditEvent {
  id: string; at: string; kind: string; action: string; actor: string; ip: string | null; licenseId: string | null;
  subject: { type: string; id: string } | null; before: unknown; after: unknown; detail: unknown;
}

/** `status: active→suspended` for the fields a change touched, then the detail. */
function auditSummary(e: AuditEvent): string {
  const parts: string[] = [];
  if (e.before && e.after && typeof e.before === 'object' && typeof e.after === 'object') {
    const b = e.before as Record<string, unknown>;
    const a = e.after as Record<string, unknown>;
    for (const k of Object.keys(a)) {
      if (k !== 'updatedAt' && JSON.stringify(a[k]) !== JSON.stringify(b[k])) parts.push(`${k}: ${brief(b[k], 30)}→${brief(a[k], 30)}`);
    }
  }
  if (e.detail !== null && e.detail !== undefined) parts.push(brief(e.detail));
  return cut(parts.join('; '), 100);
}

export async function auditList({ api, args, json }: Ctx) {
  const kind = args.str('kind');
  if (kind !== undefined && !['admin', 'security', 'appliance'].includes(kind)) args.fail(`--kind must be admin, security or appliance, got '${kind}'`);
  const page = await api().get<Page<AuditEvent>>('/audit', {
    kind, action: args.str('action'), licenseId: args.uuid('license'), actor: args.str('actor'),
    since: args.time('since'), until: args.time('until'), cursor: args.str('cursor'), limit: args.int('limit', 1, 200),
  });
  if (json) return printJson(page);
  table(
    ['AT', 'KIND', 'ACTION', 'ACTOR', 'IP', 'LICENSE', 'CHANGE / DETAIL'],
    page.items.map((e) => [time(e.at), e.kind, e.action, e.actor, e.ip, e.licenseId ?? (e.subject ? `${e.subject.type} ${e.subject.id}` : null), auditSummary(e)]),
  );
  nextPage(page);
}
