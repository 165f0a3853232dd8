import type { Deps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { assertWritable } from '../policies/license.js';
import { authorize, type Actor } from '../policies/roles.js';
import { insertAudit } from '../repositories/audit.js';
import { deleteQuickReply, findQuickReply, insertQuickReply, updateQuickReply, type QuickReplyRow } from '../repositories/quickReplies.js';
import type { CreateQuickReplyInput, UpdateQuickReplyInput } from '../routes/quickReplies/schema.js';

const quickReplyExists = (shortcut: string) => conflict('quick_reply_exists', `a quick reply /${shortcut} exists`);

/** quick_replies_shortcut (unique on lower(shortcut)) decides, so two concurrent creates cannot both win. */
async function unique<T>(shortcut: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw quickReplyExists(shortcut ?? '');
    throw err;
  }
}

export async function createQuickReply(deps: Deps, actor: Actor, input: CreateQuickReplyInput, ip: string): Promise<QuickReplyRow> {
  authorize(actor, 'quickReplies.manage');
  assertWritable(await deps.license.snapshot());
  return unique(input.shortcut, () => deps.db.transaction(async (trx) => {
    const row = await insertQuickReply(trx, { shortcut: input.shortcut, text: input.text, createdBy: actor.id });
    await insertAudit(trx, { actorUserId: actor.id, action: 'quick_reply.create', subjectType: 'quick_reply', subjectId: row.id, ip, detail: { shortcut: row.shortcut } });
    return row;
  }));
}

export async function changeQuickReply(deps: Deps, actor: Actor, id: string, input: UpdateQuickReplyInput, ip: string): Promise<QuickReplyRow> {
  authorize(actor, 'quickReplies.manage');
  assertWritable(await deps.license.snapshot());
  const before = await findQuickReply(deps.db, id);
  if (!before) throw notFound('quick reply');
  return unique(input.shortcut, () => deps.db.transaction(async (trx) => {
    const row = await updateQuickReply(trx, id, input);
    if (!row) throw notFound('quick reply');
    await insertAudit(trx, {
      actorUserId: actor.id, action: 'quick_reply.update', subjectType: 'quick_reply', subjectId: id, ip,
      detail: { before: { shortcut: before.shortcut }, after: { shortcut: row.shortcut }, textChanged: input.text !== undefined },
    });
    return row;
  }));
}

export async function removeQuickReply(deps: Deps, actor: Actor, id: string, ip: string): Promise<void> {
  authorize(actor, 'quickReplies.manage');
  assertWritable(await deps.license.snapshot());
  await deps.db.transaction(async (trx) => {
    const row = await findQuickReply(trx, id);
    if (!row || !(await deleteQuickReply(trx, id))) throw notFound('quick reply');
    await insertAudit(trx, { actorUserId: actor.id, action: 'quick_reply.delete', subjectType: 'quick_reply', subjectId: id, ip, detail: { shortcut: row.shortcut } });
  });
}
