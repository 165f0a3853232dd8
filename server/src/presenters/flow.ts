import { FlowSettings } from '../bots/flowDefinition.js';
import type { BotSessionListRow, FlowFullRow, FlowListRow, FlowVersionRow, SessionCounts } from '../repositories/flows.js';
import { iso } from './iso.js';

const NO_SESSIONS: SessionCounts = { running: 0, waiting: 0, handedOff: 0, ended: 0, failed: 0 };

/** Settings as the runtime reads them: stored keys over the defaults. */
function settingsOf(stored: unknown) {
  const parsed = FlowSettings.safeParse(stored ?? {});
  return parsed.success ? parsed.data : FlowSettings.parse({});
}

/** A flow as listed (no definition). */
export function presentFlowSummary(f: FlowListRow, counts: SessionCounts | undefined) {
  return {
    id: f.id,
    name: f.name,
    connectionIds: f.connection_ids,
    trigger: f.trigger,
    priority: f.priority,
    isFallback: f.is_fallback,
    status: f.status,
    testPhone: f.test_phone,
    exitKeywords: f.exit_keywords,
    settings: settingsOf(f.settings),
    publishedVersion: f.published_version_id
      ? {
          id: f.published_version_id,
          version: f.version_number,
          publishedAt: iso(f.version_published_at),
          publishedBy: f.version_published_by ? { id: f.version_published_by, name: f.version_publisher_name } : null,
        }
      : null,
    draftChanged: f.draft_changed,
    sessionCounts: counts ?? NO_SESSIONS,
    createdAt: iso(f.created_at),
    updatedAt: iso(f.updated_at),
  };
}

/** One flow, with the draft the editor opens. */
export function presentFlow(f: FlowFullRow, counts: SessionCounts | undefined) {
  return { ...presentFlowSummary(f, counts), draft: f.draft };
}

export function presentFlowVersion(v: FlowVersionRow, liveVersionId: string | null) {
  return {
    id: v.id,
    version: v.version,
    publishedAt: iso(v.published_at),
    publishedBy: v.published_by ? { id: v.published_by, name: v.publisher_name ?? null } : null,
    live: v.id === liveVersionId,
  };
}

export function presentBotSession(s: BotSessionListRow) {
  return {
    id: s.id,
    conversationId: s.conversation_id,
    contact: { id: s.contact_id, name: s.contact_name, phone: s.channel === 'whatsapp' ? s.contact_external_id : null },
    version: s.version,
    status: s.status,
    reason: s.reason,
    nodeId: s.node_id,
    startedAt: iso(s.started_at),
    updatedAt: iso(s.updated_at),
    endedAt: iso(s.ended_at),
  };
}
