/** licenses list | show | issue | suspend | resume | revoke | renew | plan | rebind. */
import { date, expiry, kv, nextPage, out, table, time } from './format.js';
import { printJson, type Ctx, type Page, type License } from './context.js';
import { planCodes, resolvePlan } from './plans.js';

const STATUSES = ['active', 'suspended', 'revoked'];
const maskedKey = (l: License) => `ATD-…-${l.keySuffix}`;
const planLabel = (l: License, codes: Map<string, string>) => codes.get(l.planId) ?? l.planId;

/** The table of licenses; `clientName` names the client when the rows do not (a client's own licenses). */
export function licenseTable(items: License[], codes: Map<string, string>, clientName?: string): void {
  table(
    ['ID', 'CLIENT', 'PLAN', 'KEY', 'STATUS', 'EXPIRES', 'BOUND IP'],
    items.map((l) => [l.id, l.client?.name ?? clientName ?? l.clientId, planLabel(l, codes), maskedKey(l), l.status + (l.cloneSuspectedAt ? ' (clone?)' : ''), date(l.expiresAt), l.boundIp ?? 'next contact']),
  );
}

function showLicense(l: License, codes: Map<string, string>): void {
  const plan = codes.has(l.planId) ? `${l.planId} (${codes.get(l.planId)})` : l.planId;
  kv([
    ['id', l.id], ['client', l.client ? `${l.client.name} (${l.client.id})` : l.clientId], ['plan', plan], ['key', maskedKey(l)],
    ['status', l.status + (l.statusReason ? ` (reason: ${l.statusReason})` : '')],
    ['expires', expiry(l.expiresAt)], ['bound ip', l.boundIp ?? '(none: binds at the next activation or heartbeat)'],
    ['lease seq', l.leaseSeq], ['clone suspected', l.cloneSuspectedAt ? time(l.cloneSuspectedAt) : 'no'],
    ['created', time(l.createdAt)], ['updated', time(l.updatedAt)],
  ]);
}

export async function licensesList({ api, args, json }: Ctx) {
  const status = args.str('status');
  if (status !== undefined && !STATUSES.includes(status)) args.fail(`--status must be one of ${STATUSES.join(', ')}, got '${status}'`);
  const page = await api().get<Page<License>>('/licenses', {
    clientId: args.uuid('client'), status, cursor: args.str('cursor'), limit: args.int('limit', 1, 200),
  });
  if (json) return printJson(page);
  licenseTable(page.items, await planCodes(api()));
  nextPage(page);
}

export async function licensesShow({ api, args, json }: Ctx) {
  const license = await api().get<License>(`/licenses/${args.id(0, 'license ID')}`);
  return json ? printJson(license) : showLicense(license, await planCodes(api()));
}

export async function licensesIssue({ api, args, json }: Ctx) {
  const clientId = args.need('client');
  args.uuid('client');
  const planArg = args.need('plan');
  args.oneOf('days', 'expires');
  const validity = args.has('days') ? { validDays: args.int('days', 1, 3650) } : { expiresAt: args.time('expires') };
  const bind = args.has('ip') ? { boundIp: args.need('ip') } : {};
  const planId = await resolvePlan(api(), planArg);
  const body = { clientId, planId, ...validity, ...bind };
  const issued = await api().post<License & { key: string }>('/licenses', body);
  if (json) return printJson(issued);
  out('License issued. Its key is shown only this once (the service keeps only a hash): copy it now.');
  out();
  out(`    ${issued.key}`);
  out();
  showLicense(issued, await planCodes(api()));
}

export function statusChange(change: 'suspend' | 'resume' | 'revoke') {
  return async ({ api, args, json }: Ctx) => {
    const id = args.id(0, 'license ID');
    const reason = args.str('reason');
    const license = await api().post<License>(`/licenses/${id}/${change}`, reason === undefined ? {} : { reason });
    if (json) return printJson(license);
    out(`License ${license.id} is now ${license.status}.\n`);
    showLicense(license, await planCodes(api()));
  };
}

export async function licensesRenew({ api, args, json }: Ctx) {
  const id = args.id(0, 'license ID');
  args.oneOf('days', 'expires');
  const body = args.has('days') ? { extendDays: args.int('days', 1, 3650) } : { expiresAt: args.time('expires') };
  const license = await api().post<License>(`/licenses/${id}/renew`, body);
  if (json) return printJson(license);
  out(`License ${license.id} now expires ${expiry(license.expiresAt)}.\n`);
  showLicense(license, await planCodes(api()));
}

export async function licensesPlan({ api, args, json }: Ctx) {
  const id = args.id(0, 'license ID');
  const planId = await resolvePlan(api(), args.need('plan'));
  const license = await api().post<License>(`/licenses/${id}/plan`, { planId });
  if (json) return printJson(license);
  out(`License ${license.id} moved to another plan; appliances get the new limits with their next lease.\n`);
  showLicense(license, await planCodes(api()));
}

export async function licensesRebind({ api, args, json }: Ctx) {
  const id = args.id(0, 'license ID');
  if (args.has('ip') && args.flag('clear-ip')) args.fail('give --ip or --clear-ip, not both');
  if (!args.has('ip') && !args.flag('clear-ip') && !args.flag('new-machine')) args.fail('give --ip IP, --clear-ip and/or --new-machine');
  const body = {
    ...(args.has('ip') ? { ip: args.need('ip') } : args.flag('clear-ip') ? { ip: null } : {}),
    ...(args.flag('new-machine') ? { newMachine: true } : {}),
  };
  const license = await api().post<License>(`/licenses/${id}/rebind`, body);
  if (json) return printJson(license);
  out(`License ${license.id} rebound.`);
  if (args.flag('clear-ip')) out('Its IP is cleared: the next activation or heartbeat binds the address it comes from.');
  if (args.flag('new-machine')) out('Its installation was superseded: the next activation (new machine) creates a new one.');
  out();
  showLicense(license, await planCodes(api()));
}
