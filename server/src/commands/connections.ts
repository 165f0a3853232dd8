import crypto from 'node:crypto';
import type { Deps } from '../deps.js';
import { conflict, notFound, validationFailed } from '../errors.js';
import { encryptionKeyMissing } from '../lib/secretBox.js';
import { forgetConnection, openSecrets } from '../messaging/connectionDirectory.js';
import { GraphError, graphCall } from '../messaging/graphClient.js';
import { assertWritable } from '../policies/license.js';
import { assertCanAddConnection, assertFeature } from '../policies/plan.js';
import type { Actor } from '../policies/roles.js';
import type { CreateConnectionInput, UpdateConnectionInput } from '../routes/connections/schema.js';
import { insertAudit } from '../repositories/audit.js';
import {
  connectionActivity, countConnections, findConnection, findConnectionByExternalId, insertConnection, markDeleted,
  updateConnection, type ConnectionRow, type ConnectionSecrets,
} from '../repositories/connections.js';
import { countExistingTeams } from '../repositories/teams.js';
import { recentSetAside } from '../repositories/inboundSetAside.js';

async function assertTeam(deps: Deps, teamId: string | null | undefined): Promise<void> {
  if (teamId && (await countExistingTeams(deps.db, [teamId])) !== 1) throw validationFailed('teamId: unknown team');
}

/** Adds a connection within the plan: its connection limit, and the `instagram` feature for Instagram. */
export async function createConnection(deps: Deps, actor: Actor, input: CreateConnectionInput, ip: string): Promise<ConnectionRow> {
  if (!deps.secrets) throw encryptionKeyMissing();
  const snap = await deps.license.snapshot();
  assertWritable(snap);
  if (input.channel === 'instagram') assertFeature(snap, 'instagram');
  await assertTeam(deps, input.teamId);
  const externalId = input.channel === 'whatsapp' ? input.phoneNumberId : input.accountId;
  const id = crypto.randomUUID();
  const secrets: ConnectionSecrets = { accessToken: input.accessToken, appSecret: input.appSecret, verifyToken: input.verifyToken };
  return deps.db.transaction(async (trx) => {
    // Serialises concurrent additions, so two requests cannot both take the last slot.
    await trx.raw(`select pg_advisory_xact_lock(hashtext('atendo:plan:connections'))`);
    assertCanAddConnection(snap, await countConnections(trx));
    if (await findConnectionByExternalId(trx, input.channel, externalId)) {
      throw conflict('connection_exists', `a ${input.channel} connection for ${externalId} exists`);
    }
    const row = await insertConnection(trx, {
      id,
      channel: input.channel,
      name: input.name,
      external_id: externalId,
      business_account_id: input.channel === 'whatsapp' ? (input.businessAccountId ?? null) : null,
      display_phone_number: input.channel === 'whatsapp' ? (input.displayPhoneNumber ?? null) : null,
      team_id: input.teamId ?? null,
      send_rate_per_second: input.sendRatePerSecond ?? null,
      secrets: deps.secrets!.seal(secrets, id),
    });
    await insertAudit(trx, { actorUserId: actor.id, action: 'connection.create', subjectType: 'connection', subjectId: id, ip, detail: { channel: input.channel, externalId, name: input.name } });
    return row;
  });
}

export async function changeConnection(deps: Deps, actor: Actor, id: string, patch: UpdateConnectionInput, ip: string): Promise<ConnectionRow> {
  assertWritable(await deps.license.snapshot());
  const row = await findConnection(deps.db, id);
  if (!row) throw notFound('connection');
  await assertTeam(deps, patch.teamId);
  const rotating = patch.accessToken !== undefined || patch.appSecret !== undefined || patch.verifyToken !== undefined;
  const update: Partial<ConnectionRow> = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.teamId !== undefined ? { team_id: patch.teamId } : {}),
    ...(patch.sendRatePerSecond !== undefined ? { send_rate_per_second: patch.sendRatePerSecond } : {}),
  };
  if (rotating) {
    const current = openSecrets(deps, row);
    const next: ConnectionSecrets = {
      accessToken: patch.accessToken ?? current.accessToken,
      appSecret: patch.appSecret ?? current.appSecret,
      verifyToken: patch.verifyToken ?? current.verifyToken,
    };
    Object.assign(update, { secrets: deps.secrets!.seal(next, id), status: 'untested', last_error: null });
  }
  await deps.db.transaction(async (trx) => {
    await updateConnection(trx, id, update);
    // The audit names which secrets changed, never their values.
    const { accessToken, appSecret, verifyToken, ...visible } = patch;
    const rotated = Object.entries({ accessToken, appSecret, verifyToken }).filter(([, v]) => v !== undefined).map(([k]) => k);
    await insertAudit(trx, { actorUserId: actor.id, action: 'connection.update', subjectType: 'connection', subjectId: id, ip, detail: { ...visible, rotated } });
  });
  forgetConnection(id);
  return (await findConnection(deps.db, id))!;
}

/** Removes a connection from use; its conversations and messages stay readable. */
export async function removeConnection(deps: Deps, actor: Actor, id: string, ip: string): Promise<void> {
  const row = await findConnection(deps.db, id);
  if (!row) throw notFound('connection');
  await deps.db.transaction(async (trx) => {
    await markDeleted(trx, id, deps.now());
    await insertAudit(trx, { actorUserId: actor.id, action: 'connection.delete', subjectType: 'connection', subjectId: id, ip, detail: { channel: row.channel, externalId: row.external_id } });
  });
  forgetConnection(id);
}

/**
 * A harmless read of the number or account with the stored token: proves the token works and the id is
 * right. The outcome is kept on the connection (status, last error) for the health view.
 */
export async function testConnection(deps: Deps, actor: Actor, id: string, ip: string): Promise<ConnectionRow> {
  const row = await findConnection(deps.db, id);
  if (!row) throw notFound('connection');
  const { accessToken } = openSecrets(deps, row);
  const update: Partial<ConnectionRow> = { last_tested_at: deps.now() };
  try {
    if (row.channel === 'whatsapp') {
      const info = await graphCall(deps.config, accessToken, { method: 'GET', path: `/${row.external_id}`, query: { fields: 'display_phone_number,verified_name,quality_rating' } });
      Object.assign(update, { status: 'ok', last_error: null, display_phone_number: info.display_phone_number ?? row.display_phone_number });
    } else {
      const info = await graphCall(deps.config, accessToken, { method: 'GET', path: '/me', query: { fields: 'id,username' } });
      if (String(info.id) !== row.external_id) throw new GraphError(200, 100, `the token belongs to account ${info.id}, not ${row.external_id}`);
      Object.assign(update, { status: 'ok', last_error: null });
    }
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    Object.assign(update, { status: 'error', last_error: `${err.code}: ${err.message}` });
  }
  await deps.db.transaction(async (trx) => {
    await updateConnection(trx, id, update);
    await insertAudit(trx, { actorUserId: actor.id, action: 'connection.test', subjectType: 'connection', subjectId: id, ip, detail: { status: update.status, error: update.last_error } });
  });
  return (await findConnection(deps.db, id))!;
}

/** "Is WhatsApp working?": the last traffic each way, signature failures, send errors of the last day by code, queue depth, items set aside. */
export async function connectionHealth(deps: Deps, id: string) {
  const row = await findConnection(deps.db, id);
  if (!row) throw notFound('connection');
  const since = new Date(deps.now().getTime() - 86_400_000);
  const [activity, setAside] = await Promise.all([connectionActivity(deps.db, id, since), recentSetAside(deps.db, id, since)]);
  const queue = deps.queues ? await deps.queues.send.checkHealth().catch(() => null) : null;
  return {
    id: row.id,
    status: row.status,
    lastError: row.last_error,
    lastTestedAt: row.last_tested_at?.toISOString() ?? null,
    lastInboundAt: activity.lastInboundAt?.toISOString() ?? null,
    lastOutboundAt: activity.lastOutboundAt?.toISOString() ?? null,
    signatureFailures: row.signature_failures,
    lastSignatureFailureAt: row.last_signature_failure_at?.toISOString() ?? null,
    sendErrorsLastDay: activity.sendErrors,
    queuedMessages: activity.queued,
    /** Webhook items that could not be stored, each alone with its reason (the rest of its body was). */
    setAsideLastDay: setAside.lastDay,
    setAsideLatest: setAside.latest,
    sendQueue: queue ? { waiting: queue.waiting, active: queue.active, delayed: queue.delayed } : null,
  };
}
