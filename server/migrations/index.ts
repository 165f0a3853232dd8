import type { Knex } from 'knex';
import { migrateFromList } from '#kit/migrations.js';
import * as accounts from './20261123_0001_accounts.js';
import * as license from './20261123_0002_license.js';
import * as messaging from './20261123_0003_messaging.js';
import * as inbound from './20261123_0004_inbound.js';
import * as uploads from './20261123_0005_uploads.js';
import * as inbox from './20261123_0006_inbox.js';
import * as contactSeen from './20261123_0007_contact_seen.js';
import * as licenseVendorReason from './20261210_0008_license_vendor_reason.js';
import * as inboundSetAside from './20261211_0009_inbound_set_aside.js';
import * as domainEvents from './20261211_0010_domain_events.js';
import * as flows from './20261212_0011_flows.js';
import * as businessHours from './20261213_0012_business_hours.js';
import * as campaigns from './20261214_0013_campaigns.js';
import * as audiences from './20261215_0015_audiences.js';
import * as campaignEngine from './20261215_0016_campaign_engine.js';
import * as schedules from './20261215_0017_schedules.js';
import * as campaignResumed from './20261216_0018_campaign_resumed.js';

/** The appliance's migrations, in order. */
export function migrateLatest(db: Knex): Promise<void> {
  return migrateFromList(db, {
    '20261123_0001_accounts': accounts,
    '20261123_0002_license': license,
    '20261123_0003_messaging': messaging,
    '20261123_0004_inbound': inbound,
    '20261123_0005_uploads': uploads,
    '20261123_0006_inbox': inbox,
    '20261123_0007_contact_seen': contactSeen,
    '20261210_0008_license_vendor_reason': licenseVendorReason,
    '20261211_0009_inbound_set_aside': inboundSetAside,
    '20261211_0010_domain_events': domainEvents,
    '20261212_0011_flows': flows,
    '20261213_0012_business_hours': businessHours,
    '20261214_0013_campaigns': campaigns,
    '20261215_0015_audiences': audiences,
    '20261215_0016_campaign_engine': campaignEngine,
    '20261215_0017_schedules': schedules,
    '20261216_0018_campaign_resumed': campaignResumed,
  });
}
