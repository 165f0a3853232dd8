import type Router from '@koa/router';
import { encodeCursor, pageQuery, toPage } from '#kit/cursor.js';
import { readLimited } from '#kit/http/jsonBody.js';
import { parse } from '#kit/http/validate.js';
import { classifyAudience } from '../../audiences/audienceQuery.js';
import { presentConsent, upsertConsents, type ConsentRow } from '../../audiences/consent.js';
import { findImport, IMPORT_MAX_BYTES, importContacts, importsQuery, presentImport, previewCsv, type ImportRow } from '../../audiences/contactImport.js';
import { contactOtherConnection, importTooLarge, importWrongChannel, phoneInvalid } from '../../audiences/errors.js';
import { findOptOut, optOutsQuery, presentOptOut, recordOptOut, type OptOutRow } from '../../audiences/optOut.js';
import type { Deps } from '../../deps.js';
import { AppError, notFound } from '../../errors.js';
import { normalizePhoneNumber } from '../../lib/phone.js';
import { assertWritable } from '../../policies/license.js';
import { authorize } from '../../policies/roles.js';
import { insertAudit } from '../../repositories/audit.js';
import { findConnection } from '../../repositories/connections.js';
import { findContact, upsertContact } from '../../repositories/contacts.js';
import type Koa from 'koa';
import { BigIdParam, ClassifyBody, ConsentBody, ConsentQuery, IdParam, ImportQuery, ListQuery, OptOutBody } from './schema.js';

const CSV_TYPES = ['text/csv', 'text/plain', 'application/csv', 'text/tab-separated-values', 'application/vnd.ms-excel', 'application/octet-stream', ''];
const notCsv = () => new AppError(415, 'unsupported_media_type', 'send the CSV file itself as the body (Content-Type text/csv)');

/** Reads the CSV body up to the import limit: 413 import_too_large before or while reading. */
async function csvBody(ctx: Koa.Context): Promise<Buffer> {
  const type = (ctx.get('content-type').split(';')[0] ?? '').trim().toLowerCase();
  if (!CSV_TYPES.includes(type)) {
    ctx.set('Connection', 'close');
    throw notCsv();
  }
  if (Number(ctx.get('content-length') || 0) > IMPORT_MAX_BYTES) {
    ctx.set('Connection', 'close'); // the rest is not read
    throw importTooLarge('bytes', IMPORT_MAX_BYTES);
  }
  try {
    return await readLimited(ctx.req, IMPORT_MAX_BYTES);
  } catch (err) {
    if ((err as AppError).code === 'body_too_large') {
      ctx.set('Connection', 'close');
      throw importTooLarge('bytes', IMPORT_MAX_BYTES);
    }
    throw err;
  }
}

/**
 * The CSV import takes the file itself as the body (like /api/uploads), so it is mounted before the JSON
 * body parser; the mapping is in the query.
 */
export function contactImportRoutes(deps: Deps, router: Router): void {
  /** What the file looks like: detected encoding and separator, header, first rows, suggested mapping. */
  router.post('/contacts/import/preview', async (ctx) => {
    authorize(ctx.state.user!, 'contacts.import');
    ctx.body = previewCsv(await csvBody(ctx));
  });

  router.post('/contacts/import', async (ctx) => {
    const actor = ctx.state.user!;
    authorize(actor, 'contacts.import');
    const q = parse(ImportQuery, ctx.query, 'query');
    const bytes = await csvBody(ctx);
    const row = await importContacts(deps, actor, bytes, {
      connectionId: q.connectionId,
      filename: q.filename ? q.filename.split(/[\\/]/).pop()!.slice(0, 255) : null,
      phoneColumn: q.phoneColumn,
      nameColumn: q.nameColumn === undefined ? undefined : q.nameColumn || null,
      columns: q.columns,
      saveFields: q.saveFields,
      tags: q.tags,
      consent: q.consentBasis ? { legalBasis: q.consentBasis, evidence: q.consentEvidence ?? null } : null,
    }, ctx.state.ip);
    ctx.status = 201;
    ctx.body = presentImport(row, { withErrors: true });
  });
}

export function audienceRoutes(deps: Deps, router: Router): void {
  router.get('/contacts/imports', async (ctx) => {
    authorize(ctx.state.user!, 'contacts.import');
    const { connectionId, cursor, limit } = parse(ListQuery, ctx.query, 'query');
    const rows: ImportRow[] = await pageQuery(importsQuery(deps.db, connectionId), 'created_at', 'id', cursor, limit, 'bigint');
    ctx.body = toPage(rows, limit, (r) => encodeCursor(r.created_at, r.id), (r) => presentImport(r, { withErrors: false }));
  });

  router.get('/contacts/imports/:id', async (ctx) => {
    authorize(ctx.state.user!, 'contacts.import');
    const row = await findImport(deps.db, parse(BigIdParam, ctx.params.id, 'id'));
    if (!row) throw notFound('import');
    ctx.body = presentImport(row, { withErrors: true });
  });

  /** How many an audience has, will be sent to, and are excluded and why (the campaign review step). */
  router.post('/audiences/classify', async (ctx) => {
    authorize(ctx.state.user!, 'audiences.read');
    const b = parse(ClassifyBody, ctx.state.body);
    if (!(await findConnection(deps.db, b.connectionId))) throw notFound('connection');
    ctx.body = await classifyAudience(deps.db, b.connectionId, b.audience, { requireConsent: b.requireConsent, excludeOpenConversations: b.excludeOpenConversations, now: deps.now() });
  });

  // The opt-out ledger.
  router.get('/opt-outs', async (ctx) => {
    authorize(ctx.state.user!, 'optOuts.manage');
    const { connectionId, cursor, limit } = parse(ListQuery, ctx.query, 'query');
    const rows: OptOutRow[] = await pageQuery(optOutsQuery(deps.db, connectionId), 'o.at', 'o.id', cursor, limit, 'bigint');
    ctx.body = toPage(rows, limit, (r) => encodeCursor(r.at, r.id), presentOptOut);
  });

  /** Records an opt-out by hand (a customer asked by phone, by email…): by contact, or by number. */
  router.post('/opt-outs', async (ctx) => {
    const actor = ctx.state.user!;
    authorize(actor, 'optOuts.manage');
    assertWritable(await deps.license.snapshot());
    const b = parse(OptOutBody, ctx.state.body);
    const connection = await findConnection(deps.db, b.connectionId);
    if (!connection) throw notFound('connection');
    let contactId: string;
    if (b.contactId) {
      const contact = await findContact(deps.db, b.contactId);
      if (!contact) throw notFound('contact');
      if (contact.connection_id !== b.connectionId) throw contactOtherConnection();
      contactId = contact.id;
    } else {
      if (connection.channel !== 'whatsapp') throw importWrongChannel();
      const phone = normalizePhoneNumber(b.phone);
      if (!phone.ok) throw phoneInvalid(b.phone!);
      // A number that never wrote is recorded too, so a later import or campaign skips it.
      const existing = await deps.db('contacts').where({ connection_id: b.connectionId, match_key: phone.matchKey }).first('id');
      contactId = existing?.id ?? (await upsertContact(deps.db, { connectionId: b.connectionId, externalId: phone.waId, matchKey: phone.matchKey, fromCustomer: false, at: deps.now() })).id;
    }
    const result = await deps.db.transaction(async (trx) => {
      const r = await recordOptOut(trx, { connectionId: b.connectionId, contactId, at: deps.now(), source: 'manual', detail: b.detail ?? null, recordedBy: actor.id });
      if (r.created) {
        await insertAudit(trx, { actorUserId: actor.id, action: 'opt_out.create', subjectType: 'opt_out', subjectId: String(r.row.id), ip: ctx.state.ip, detail: { connectionId: b.connectionId, contactId, detail: b.detail ?? null } });
      }
      return r;
    });
    const [row] = await optOutsQuery(deps.db, undefined).where('o.id', result.row.id);
    ctx.status = result.created ? 201 : 200;
    ctx.body = presentOptOut(row);
  });

  /** Opts the contact back in: the ledger row goes, the audit log keeps what it said. */
  router.delete('/opt-outs/:id', async (ctx) => {
    const actor = ctx.state.user!;
    authorize(actor, 'optOuts.manage');
    assertWritable(await deps.license.snapshot());
    const id = parse(BigIdParam, ctx.params.id, 'id');
    const row = await findOptOut(deps.db, id);
    if (!row) throw notFound('opt-out');
    await deps.db.transaction(async (trx) => {
      await trx('opt_outs').where({ id }).delete();
      await insertAudit(trx, {
        actorUserId: actor.id, action: 'opt_out.delete', subjectType: 'opt_out', subjectId: id, ip: ctx.state.ip,
        detail: { connectionId: row.connection_id, contactId: row.contact_id, at: row.at.toISOString(), source: row.source, detail: row.detail, messageId: row.message_id },
      });
    });
    ctx.status = 204;
  });

  // Consent (LGPD) per contact and connection.
  const consentContact = async (id: string, connectionId: string) => {
    const contact = await findContact(deps.db, id);
    if (!contact) throw notFound('contact');
    if (contact.connection_id !== connectionId) throw contactOtherConnection();
    return contact;
  };

  router.get('/contacts/:id/consent', async (ctx) => {
    authorize(ctx.state.user!, 'consents.manage');
    const { connectionId } = parse(ConsentQuery, ctx.query, 'query');
    const contact = await consentContact(parse(IdParam, ctx.params.id, 'id'), connectionId);
    const row: ConsentRow | undefined = await deps.db('consents').where({ connection_id: connectionId, contact_id: contact.id }).first();
    ctx.body = { consent: row ? presentConsent(row) : null };
  });

  router.post('/contacts/:id/consent', async (ctx) => {
    const actor = ctx.state.user!;
    authorize(actor, 'consents.manage');
    assertWritable(await deps.license.snapshot());
    const b = parse(ConsentBody, ctx.state.body);
    const contact = await consentContact(parse(IdParam, ctx.params.id, 'id'), b.connectionId);
    const row = await deps.db.transaction(async (trx) => {
      const [r] = await upsertConsents(trx, { connectionId: b.connectionId, contactIds: [contact.id], legalBasis: b.legalBasis, at: deps.now(), source: 'manual', evidence: b.evidence ?? null, recordedBy: actor.id });
      await insertAudit(trx, { actorUserId: actor.id, action: 'consent.record', subjectType: 'contact', subjectId: contact.id, ip: ctx.state.ip, detail: { connectionId: b.connectionId, legalBasis: b.legalBasis, evidence: b.evidence ?? null } });
      return r!;
    });
    ctx.status = 201;
    ctx.body = presentConsent(row);
  });

  router.delete('/contacts/:id/consent', async (ctx) => {
    const actor = ctx.state.user!;
    authorize(actor, 'consents.manage');
    assertWritable(await deps.license.snapshot());
    const { connectionId } = parse(ConsentQuery, ctx.query, 'query');
    const contact = await consentContact(parse(IdParam, ctx.params.id, 'id'), connectionId);
    const removed = await deps.db.transaction(async (trx) => {
      const [r] = await trx('consents').where({ connection_id: connectionId, contact_id: contact.id }).delete().returning('*');
      if (r) await insertAudit(trx, { actorUserId: actor.id, action: 'consent.revoke', subjectType: 'contact', subjectId: contact.id, ip: ctx.state.ip, detail: { connectionId, legalBasis: r.legal_basis, grantedAt: r.granted_at } });
      return r;
    });
    if (!removed) throw notFound('consent');
    ctx.status = 204;
  });
}

