import type { Knex } from 'knex';
import { AppError } from '#kit/errors.js';
import { parse } from '#kit/http/validate.js';
import { EMPTY_FLOW, FlowSettings, type FlowDefinition } from '../bots/flowDefinition.js';
import { blockingIssues, uploadIdsIn, validateFlow, type FlowIssue } from '../bots/validateFlow.js';
import type { Deps } from '../deps.js';
import { flowFallbackTaken, flowInvalid, flowNameTaken, flowNotPublished, invalidFlowFile, notFound, validationFailed } from '../errors.js';
import { digitsOnly, whatsAppMatchKey } from '../lib/phone.js';
import { assertWritable } from '../policies/license.js';
import { assertFeature } from '../policies/plan.js';
import { authorize, type Actor } from '../policies/roles.js';
import { presentFlow } from '../presenters/flow.js';
import { insertAudit } from '../repositories/audit.js';
import {
  countLiveConnections, findFlow, findVersion, flowNamesLike, flowReferences, insertFlow, insertVersion, lockFlow,
  sessionCounts, setFlowState, softDeleteFlow, updateFlow, type FlowFields, type FlowVersionRow,
} from '../repositories/flows.js';
import { FLOW_FILE_FORMAT, FLOW_FILE_VERSION, FlowFile, type CreateFlowInput, type FlowStatusInput, type UpdateFlowInput } from '../routes/flows/schema.js';

/**
 * Chatbot flows as the admin manages them: the draft the editor saves, published versions, the status a
 * flow runs in, and its file. The plan's `chatbot` feature gates what makes a bot run or adds one
 * (create, import, publish, rollback, test/live); reading, editing the draft, exporting, switching off
 * and deleting always work, so a plan change never loses anyone's work.
 */
export type FlowView = ReturnType<typeof presentFlow>;

/** One flow as presented, with its session counts; 404 when deleted or absent. */
export async function flowView(db: Knex, id: string): Promise<FlowView> {
  const row = await findFlow(db, id);
  if (!row) throw notFound('flow');
  return presentFlow(row, (await sessionCounts(db, [id])).get(id));
}

/** flows_name and flows_one_fallback decide, so two concurrent requests cannot both win. */
async function unique<T>(name: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint === 'flows_one_fallback') throw flowFallbackTaken();
    if (e.code === '23505' && e.constraint === 'flows_name') throw flowNameTaken(name ?? '');
    throw err;
  }
}

async function assertConnections(db: Knex, ids: string[] | undefined): Promise<void> {
  if (ids?.length && (await countLiveConnections(db, ids)) !== ids.length) throw validationFailed('connectionIds: unknown connection');
}

/** The validation context of this appliance for `def`: http to loopback only outside production. */
export async function validationContext(deps: Deps, db: Knex, def: FlowDefinition) {
  const refs = await flowReferences(db, uploadIdsIn(def));
  return { ...refs, allowHttpLoopback: deps.config.NODE_ENV !== 'production' };
}

export async function checkFlow(deps: Deps, id: string): Promise<FlowIssue[]> {
  const row = await findFlow(deps.db, id);
  if (!row) throw notFound('flow');
  return validateFlow(row.draft, await validationContext(deps, deps.db, row.draft));
}

export async function createFlow(deps: Deps, actor: Actor, input: CreateFlowInput, ip: string): Promise<FlowView> {
  authorize(actor, 'flows.manage');
  assertFeature(await deps.license.snapshot(), 'chatbot');
  await assertConnections(deps.db, input.connectionIds);
  const id = await unique(input.name, () => deps.db.transaction(async (trx) => {
    const id = await insertFlow(trx, { ...input, draft: input.draft ?? EMPTY_FLOW, createdBy: actor.id });
    await insertAudit(trx, { actorUserId: actor.id, action: 'flow.create', subjectType: 'flow', subjectId: id, ip, detail: { name: input.name } });
    return id;
  }));
  return flowView(deps.db, id);
}

/**
 * Any of the flow's fields. A draft-only change is the editor's autosave: one UPDATE, no validation, no
 * audit row (publishing is what is audited); other fields are audited by name. Allowed without the
 * chatbot feature, so nothing typed is lost; it changes nothing that runs until published.
 */
export async function changeFlow(deps: Deps, actor: Actor, id: string, input: UpdateFlowInput, ip: string): Promise<FlowView> {
  authorize(actor, 'flows.manage');
  assertWritable(await deps.license.snapshot());
  await assertConnections(deps.db, input.connectionIds);
  const changed = Object.keys(input).filter((k) => input[k as keyof UpdateFlowInput] !== undefined);
  await unique(input.name, () => deps.db.transaction(async (trx) => {
    if (!(await updateFlow(trx, id, input))) throw notFound('flow');
    const fields = changed.filter((k) => k !== 'draft');
    if (fields.length) {
      await insertAudit(trx, { actorUserId: actor.id, action: 'flow.update', subjectType: 'flow', subjectId: id, ip, detail: { fields, ...(input.name ? { name: input.name } : {}) } });
    }
  }));
  return flowView(deps.db, id);
}

/** Soft delete; sessions in flight finish on their version. Allowed without the chatbot feature. */
export async function removeFlow(deps: Deps, actor: Actor, id: string, ip: string): Promise<void> {
  authorize(actor, 'flows.manage');
  assertWritable(await deps.license.snapshot());
  await deps.db.transaction(async (trx) => {
    if (!(await softDeleteFlow(trx, id, deps.now()))) throw notFound('flow');
    await insertAudit(trx, { actorUserId: actor.id, action: 'flow.delete', subjectType: 'flow', subjectId: id, ip });
  });
}

/**
 * Copies the draft into a new version and makes it live, in one transaction under the flow's row lock:
 * concurrent publishes queue up and number their versions n+1, n+2. Refused with the issues while the
 * draft has any error.
 */
export async function publishFlow(deps: Deps, actor: Actor, id: string, ip: string): Promise<{ flow: FlowView; version: FlowVersionRow }> {
  authorize(actor, 'flows.manage');
  assertFeature(await deps.license.snapshot(), 'chatbot');
  const version = await deps.db.transaction(async (trx) => {
    const flow = await lockFlow(trx, id);
    if (!flow) throw notFound('flow');
    const errors = blockingIssues(validateFlow(flow.draft, await validationContext(deps, trx, flow.draft)));
    if (errors.length) throw flowInvalid(errors);
    const version = await insertVersion(trx, { flowId: id, definition: flow.draft, publishedBy: actor.id, at: deps.now() });
    await setFlowState(trx, id, { publishedVersionId: version.id });
    await insertAudit(trx, { actorUserId: actor.id, action: 'flow.publish', subjectType: 'flow', subjectId: id, ip, detail: { version: version.version } });
    return version;
  });
  return { flow: await flowView(deps.db, id), version: (await findVersion(deps.db, id, version.id))! };
}

/** Makes an earlier version live again (the draft stays as it is). Sessions keep the version they started on. */
export async function rollbackFlow(deps: Deps, actor: Actor, id: string, versionId: string, ip: string): Promise<FlowView> {
  authorize(actor, 'flows.manage');
  assertFeature(await deps.license.snapshot(), 'chatbot');
  await deps.db.transaction(async (trx) => {
    if (!(await lockFlow(trx, id))) throw notFound('flow');
    const version = await findVersion(trx, id, versionId);
    if (!version) throw notFound('version');
    await setFlowState(trx, id, { publishedVersionId: version.id });
    await insertAudit(trx, { actorUserId: actor.id, action: 'flow.rollback', subjectType: 'flow', subjectId: id, ip, detail: { version: version.version } });
  });
  return flowView(deps.db, id);
}

/** The test number as WhatsApp ids are matched (digits; a Brazilian mobile's twelve-digit form gets its 9). */
export function normaliseTestPhone(raw: string): string {
  const key = whatsAppMatchKey(digitsOnly(raw));
  if (key.length < 8 || key.length > 15) throw validationFailed('testPhone: 8 to 15 digits, country code first');
  return key;
}

/**
 * off always works (even without the feature, even read-only: it only stops the bot). test and live
 * need the chatbot feature and a published version; test answers only `testPhone` (given now or before).
 */
export async function setFlowStatus(deps: Deps, actor: Actor, id: string, input: FlowStatusInput, ip: string): Promise<FlowView> {
  authorize(actor, 'flows.manage');
  if (input.status !== 'off') assertFeature(await deps.license.snapshot(), 'chatbot');
  const testPhone = input.testPhone ? normaliseTestPhone(input.testPhone) : undefined;
  await deps.db.transaction(async (trx) => {
    const flow = await lockFlow(trx, id);
    if (!flow) throw notFound('flow');
    if (input.status !== 'off' && !flow.published_version_id) throw flowNotPublished();
    if (input.status === 'test' && !testPhone && !flow.test_phone) throw validationFailed('testPhone: required to switch to test');
    await setFlowState(trx, id, { status: input.status, ...(testPhone ? { testPhone } : {}) });
    await insertAudit(trx, { actorUserId: actor.id, action: 'flow.status', subjectType: 'flow', subjectId: id, ip, detail: { from: flow.status, to: input.status } });
  });
  return flowView(deps.db, id);
}

/** The draft as a file another appliance can import: no connections, nothing of this appliance but ids in nodes. */
export async function exportFlow(db: Knex, id: string) {
  const row = await findFlow(db, id);
  if (!row) throw notFound('flow');
  return {
    format: FLOW_FILE_FORMAT,
    formatVersion: FLOW_FILE_VERSION,
    name: row.name,
    trigger: row.trigger,
    settings: FlowSettings.safeParse(row.settings ?? {}).data ?? FlowSettings.parse({}),
    exitKeywords: row.exit_keywords,
    definition: row.draft,
  };
}

export interface ImportWarning { nodeId: string | null; code: string; message: string }

/** "Nome", else "Nome (2)", "Nome (3)"… the first free one (case-insensitively, like flows_name). */
export function freeName(name: string, taken: Set<string>): string {
  if (!taken.has(name.toLowerCase())) return name;
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const candidate = `${name.slice(0, 100 - suffix.length)}${suffix}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

/**
 * A new flow (off, on every connection, never the fallback) from an exported file. Ids that mean nothing
 * here are cleared with a warning each: transfer teams and people, media uploads.
 */
export async function importFlow(deps: Deps, actor: Actor, body: unknown, ip: string): Promise<{ flow: FlowView; warnings: ImportWarning[] }> {
  authorize(actor, 'flows.manage');
  assertFeature(await deps.license.snapshot(), 'chatbot');
  let doc;
  try {
    doc = parse(FlowFile, body, 'file');
  } catch (err) {
    if (err instanceof AppError && err.code === 'validation_failed') throw invalidFlowFile(err.message);
    throw err;
  }
  const refs = await flowReferences(deps.db, uploadIdsIn(doc.definition));
  const warnings: ImportWarning[] = [];
  const nodes = doc.definition.nodes.map((n) => {
    if (n.type === 'transfer') {
      const data = { ...n.data };
      if (data.teamId && !refs.teamIds.has(data.teamId)) {
        warnings.push({ nodeId: n.id, code: 'transfer_team_cleared', message: 'the team to transfer to does not exist here: the conversation stays in its queue until you pick one' });
        data.teamId = null;
      }
      if (data.userId && !refs.userIds.has(data.userId)) {
        warnings.push({ nodeId: n.id, code: 'transfer_user_cleared', message: 'the person to transfer to does not exist here: pick one' });
        data.userId = null;
      }
      return { ...n, data };
    }
    if (n.type === 'message' && n.data.media && !refs.uploadIds.has(n.data.media.uploadId)) {
      warnings.push({ nodeId: n.id, code: 'media_cleared', message: 'the media file is not on this appliance: upload it again' });
      const { media: _dropped, ...data } = n.data;
      return { ...n, data };
    }
    return n;
  });
  const fields: FlowFields = {
    name: doc.name, connectionIds: [], trigger: doc.trigger, priority: 100, isFallback: false,
    exitKeywords: doc.exitKeywords, settings: doc.settings, draft: { nodes, edges: doc.definition.edges },
  };
  // Another import or create may take the free name meanwhile: look again, a few times.
  for (let attempt = 0; ; attempt++) {
    const name = freeName(doc.name, await flowNamesLike(deps.db, doc.name));
    try {
      const id = await deps.db.transaction(async (trx) => {
        const id = await insertFlow(trx, { ...fields, name, createdBy: actor.id });
        await insertAudit(trx, { actorUserId: actor.id, action: 'flow.import', subjectType: 'flow', subjectId: id, ip, detail: { name, warnings: warnings.length } });
        return id;
      });
      return { flow: await flowView(deps.db, id), warnings };
    } catch (err) {
      const e = err as { code?: string; constraint?: string };
      if (e.code === '23505' && e.constraint === 'flows_name' && attempt < 5) continue;
      throw err;
    }
  }
}
