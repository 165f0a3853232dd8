/**
 * The shapes of the campaigns API (server/src/routes/campaigns, templates, contacts/imports), as the
 * dashboard reads them.
 *
 * @typedef {'draft'|'scheduled'|'running'|'paused'|'completed'|'cancelled'} CampaignStatus
 * @typedef {'pending'|'queued'|'sent'|'delivered'|'read'|'failed'|'skipped'} RecipientStatus
 * @typedef {{ kind: 'text', value: string } | { kind: 'contact_field', field: string } | { kind: 'column', column: string }} ParamSource
 * @typedef {{ any?: string[], all?: string[], none?: string[] }} TagFilter
 * @typedef {{ name: string, op: string, value?: string }} FieldFilter
 * @typedef {{
 *   kind: 'filter', tags?: TagFilter, fields?: FieldFilter[], channel?: string,
 *   lastActivityDays?: { within?: number, notWithin?: number }, openConversation?: 'any'|'only'|'exclude',
 * }} FilterAudience
 * @typedef {{ kind: 'import', importId: string | number }} ImportAudience
 * @typedef {FilterAudience | ImportAudience} Audience
 * @typedef {{ days: number[], from: string, to: string, timezone: string }} SendWindow
 * @typedef {{
 *   audience: number, pending: number, queued: number, sent: number, delivered: number, read: number,
 *   failed: number, skipped: number, replied: number, optedOut: number, attempted?: number, failedByCode: { code: string, title: string | null, count: number }[],
 * }} Progress
 * @typedef {{ id: string, name: string, language: string, category: string, status: string }} TemplateRef
 * @typedef {{
 *   id: string, name: string, connectionId: string, template: TemplateRef | null, templateParams: Record<string, ParamSource>,
 *   audience: Audience | Record<string, never> | null, status: CampaignStatus, pauseReason: string | null, pauseDetail: Record<string, unknown> | null,
 *   waiting?: { reason: string, until: string | null } | null, scheduledAt: string | null, startedAt: string | null, completedAt: string | null, cancelledAt: string | null,
 *   ratePerSecond: number | null, sendWindow: SendWindow | null, dailyCap: number | null,
 *   excludeOpenConversations: boolean, requireConsent: boolean, teamId: string | null, flowId: string | null,
 *   attributionHours: number, parentCampaignId: string | null, createdAt: string, updatedAt: string, progress: Progress | null,
 * }} Campaign
 * @typedef {{ key: string, component: string, index: number, kind: 'text'|'image'|'document'|'video', example: string | null }} Slot
 * @typedef {{ type: string, format?: string, text?: string, buttons?: { type: string, text: string, url?: string, phone_number?: string }[] }} TemplateComponent
 * @typedef {{
 *   id: string, connectionId: string, name: string, language: string, category: string, status: string, quality: string | null,
 *   components: TemplateComponent[], slots: Slot[],
 * }} Template
 * @typedef {{ contactId: string, name: string | null, phone: string, rendered: string | { header: string | null, body: string, footer: string | null, buttons: string[] } | null }} PreflightSample
 * @typedef {{
 *   total: number, willSend: number, excluded: { opted_out: number, no_consent: number, invalid_number: number, open_conversation: number },
 *   sample: PreflightSample[],
 * }} Preflight
 * @typedef {{
 *   id: string, contact: { id: string, name: string | null, phone: string }, status: RecipientStatus, reason: string | null,
 *   errorCode: string | null, errorTitle: string | null, sentAt: string | null, deliveredAt: string | null, readAt: string | null,
 *   failedAt: string | null, repliedAt: string | null,
 * }} Recipient
 * @typedef {{ id: string | number, filename: string | null, totalRows: number, imported: number, invalid: number, createdAt: string, columns?: string[] }} ContactImport
 * @typedef {{ id: string, channel: string, name: string, displayPhoneNumber: string | null, externalId: string, sendRatePerSecond: number | null, coexistence?: boolean, teamId: string | null }} Connection
 */

export {};
