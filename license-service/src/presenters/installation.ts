import type { InstallationListRow } from '../repositories/installations.js';

export function presentInstallation(i: InstallationListRow, staleBefore: Date) {
  const usage = i.last_usage;
  const last = i.last_heartbeat_at;
  return {
    id: i.id,
    licenseId: i.license_id,
    client: { id: i.client_id, name: i.client_name },
    status: i.status,
    licenseStatus: i.license_status,
    plan: i.plan_code,
    boundIp: i.bound_ip,
    lastIp: i.last_ip,
    hostname: i.hostname,
    version: i.version,
    keyId: i.key_id,
    activatedAt: i.activated_at.toISOString(),
    lastHeartbeatAt: last?.toISOString() ?? null,
    // Activation is contact too: a machine activated a minute ago is not stale.
    stale: i.status === 'active' && (last ?? i.activated_at) < staleBefore,
    cloneSuspectedAt: i.clone_suspected_at?.toISOString() ?? null,
    usage: usage && {
      users: { used: usage.users, limit: i.limits.users },
      connections: { used: usage.connections, limit: i.limits.connections },
      messagesThisMonth: { used: usage.messagesThisMonth, limit: i.limits.messagesPerMonth },
      campaignsThisMonth: { used: usage.campaignsThisMonth, limit: i.limits.campaignsPerMonth },
    },
  };
}
