import type { ConnectionRow } from '../repositories/connections.js';
import { iso } from './iso.js';

/** A connection as the dashboard sees it: never a token or secret, only that they are set. */
export function presentConnection(c: ConnectionRow, publicUrl: string) {
  return {
    id: c.id,
    channel: c.channel,
    name: c.name,
    externalId: c.external_id,
    businessAccountId: c.business_account_id,
    displayPhoneNumber: c.display_phone_number,
    teamId: c.team_id,
    sendRatePerSecond: c.send_rate_per_second,
    status: c.status,
    lastError: c.last_error,
    lastTestedAt: iso(c.last_tested_at),
    /** What the admin pastes into Meta's app dashboard, with the verify token they chose. */
    webhookUrl: `${publicUrl}/webhooks/${c.channel}/${c.id}`,
    createdAt: iso(c.created_at),
  };
}
