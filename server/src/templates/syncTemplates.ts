import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { openSecrets } from '../messaging/connectionDirectory.js';
import { GraphError, graphCall } from '../messaging/graphClient.js';
import { findConnection, listConnections, type ConnectionRow } from '../repositories/connections.js';
import { templatesOfConnection, upsertTemplates, type TemplateUpsert } from '../repositories/messageTemplates.js';
import { recordTemplateStatusChanges, setConnectionQuality } from './templateEvents.js';

/** Templates Meta lists per page (its maximum is far higher; 100 keeps one answer small). */
const PAGE_SIZE = 100;
/** 250 templates per WABA is Meta's usual limit; 50 pages of 100 is far beyond it and still bounded. */
const MAX_PAGES = 50;
const FIELDS = 'id,name,language,status,category,components,quality_score,rejected_reason,parameter_format';

export const connectionWithoutWaba = () =>
  new AppError(422, 'connection_without_waba', 'this WhatsApp connection has no WhatsApp Business Account id (businessAccountId): templates are read through it');
export const templatesNotOnInstagram = () => new AppError(422, 'templates_not_supported', 'Instagram has no message templates');
export const templateSyncFailed = (err: GraphError) =>
  new AppError(502, 'template_sync_failed', `Meta refused the template listing: ${err.code} ${err.message}`, { metaCode: err.code });

export interface SyncResult {
  connectionId: string;
  templates: number;
  created: number;
  changed: number;
  /** Listed before, gone from Meta now: kept, with status DELETED (campaigns and schedules may refer to them). */
  deleted: number;
  quality: string | null;
}

interface GraphTemplate {
  id?: string | number; name?: string; language?: string; status?: string; category?: string;
  components?: Array<Record<string, any>>; quality_score?: { score?: string }; rejected_reason?: string;
}

/** Every template of the WABA, page after page (cursor `after`), as Meta lists them. */
async function readTemplates(deps: Deps, token: string, wabaId: string): Promise<TemplateUpsert[]> {
  const out: TemplateUpsert[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query: Record<string, string> = { fields: FIELDS, limit: String(PAGE_SIZE) };
    if (after) query.after = after;
    const res: { data?: GraphTemplate[]; paging?: { cursors?: { after?: string }; next?: string } } =
      await graphCall(deps.config, token, { method: 'GET', path: `/${encodeURIComponent(wabaId)}/message_templates`, query });
    for (const t of res.data ?? []) {
      if (typeof t.name !== 'string' || typeof t.language !== 'string') continue;
      out.push({
        provider_id: t.id !== undefined ? String(t.id) : null,
        name: t.name,
        language: t.language,
        category: String(t.category ?? 'UTILITY').toUpperCase(),
        status: String(t.status ?? 'PENDING').toUpperCase(),
        quality: t.quality_score?.score ? String(t.quality_score.score).toUpperCase() : null,
        components: Array.isArray(t.components) ? t.components : [],
        rejected_reason: t.rejected_reason && t.rejected_reason !== 'NONE' ? String(t.rejected_reason) : null,
      });
    }
    after = res.paging?.next ? (res.paging.cursors?.after ?? null) : null;
    if (!after) break;
  }
  return out;
}

/**
 * Reads a WhatsApp connection's templates from the Graph API (through its WABA) into message_templates:
 * upserted by (connection, name, language); a template Meta no longer lists is kept with status DELETED
 * (never removed: campaigns and scheduled messages refer to template rows). Every status change records
 * `template.status_changed`; the number's quality rating is read too (`connection.quality_changed`).
 */
export async function syncConnectionTemplates(deps: Deps, connection: ConnectionRow): Promise<SyncResult> {
  if (connection.channel !== 'whatsapp') throw templatesNotOnInstagram();
  if (!connection.business_account_id) throw connectionWithoutWaba();
  const { accessToken } = openSecrets(deps, connection);
  let listed: TemplateUpsert[];
  let quality: string | null = null;
  try {
    listed = await readTemplates(deps, accessToken, connection.business_account_id);
    const info = await graphCall<{ quality_rating?: string }>(deps.config, accessToken, { method: 'GET', path: `/${connection.external_id}`, query: { fields: 'quality_rating' } })
      .catch((err) => { deps.log.warn({ connectionId: connection.id, err: (err as Error).message }, 'number quality not read'); return {} as { quality_rating?: string }; });
    quality = info.quality_rating ? String(info.quality_rating).toUpperCase() : null;
  } catch (err) {
    if (err instanceof GraphError) throw templateSyncFailed(err);
    throw err;
  }
  const now = deps.now();
  return deps.db.transaction(async (trx) => {
    const before = new Map((await templatesOfConnection(trx, connection.id)).map((t) => [`${t.name}\u0000${t.language}`, t]));
    const rows = await upsertTemplates(trx, connection.id, listed, now);
    const changes: Array<{ templateId: string; connectionId: string; status: string }> = [];
    let created = 0;
    for (const row of rows) {
      const key = `${row.name}\u0000${row.language}`;
      const old = before.get(key);
      before.delete(key);
      if (!old) created++;
      else if (old.status !== row.status) changes.push({ templateId: row.id, connectionId: connection.id, status: row.status });
    }
    const gone = [...before.values()].filter((t) => t.status !== 'DELETED');
    if (gone.length) {
      await trx('message_templates').whereIn('id', gone.map((t) => t.id)).update({ status: 'DELETED', synced_at: now, updated_at: now });
      for (const t of gone) changes.push({ templateId: t.id, connectionId: connection.id, status: 'DELETED' });
    }
    await recordTemplateStatusChanges(trx, changes);
    if (quality) await setConnectionQuality(trx, connection.id, quality);
    return { connectionId: connection.id, templates: rows.length, created, changed: changes.length - gone.length, deleted: gone.length, quality };
  });
}

export async function syncTemplatesOf(deps: Deps, connectionId: string): Promise<SyncResult> {
  const connection = await findConnection(deps.db, connectionId);
  if (!connection) throw notFound('connection');
  return syncConnectionTemplates(deps, connection);
}

/** Every WhatsApp connection with a WABA; one failing (a revoked token) does not stop the others. */
export async function syncAllTemplates(deps: Deps): Promise<{ results: SyncResult[]; failed: Array<{ connectionId: string; error: string }> }> {
  const results: SyncResult[] = [];
  const failed: Array<{ connectionId: string; error: string }> = [];
  for (const c of await listConnections(deps.db)) {
    if (c.channel !== 'whatsapp' || !c.business_account_id) continue;
    try {
      results.push(await syncConnectionTemplates(deps, c));
    } catch (err) {
      const code = (err as { code?: string }).code;
      failed.push({ connectionId: c.id, error: code ?? (err as Error).message });
      deps.log.warn({ connectionId: c.id, err: (err as Error).message }, 'template sync failed for a connection');
    }
  }
  return { results, failed };
}
