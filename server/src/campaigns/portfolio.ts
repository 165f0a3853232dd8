import type { Knex } from 'knex';

const DAY_MS = 86_400_000;

/**
 * The business portfolio's moving 24-hour unique-user budget (Meta's messaging limit, shared by every
 * number of the portfolio). Counted here: every contact the appliance sent a business-initiated message to
 * (a template outside the customer's 24-hour window) in the last 24 hours — campaign sends are written to
 * portfolio_business_sends when they are queued; other template sends (attendants starting conversations,
 * schedules, bots) are read from messages. A connection without a portfolio, or a portfolio without a
 * limit, is unlimited.
 */
export interface PortfolioBudget {
  portfolioId: string;
  limit: number;
  used: number;
}

export async function portfolioOf(db: Knex, connectionId: string): Promise<{ id: string; daily_limit: number | null } | null> {
  const row = await db('connections as cn').join('messaging_portfolios as p', 'p.id', 'cn.portfolio_id')
    .where('cn.id', connectionId).first('p.id', 'p.daily_limit');
  return row ?? null;
}

/** Unique contacts of the portfolio messaged business-initiated since now − 24 h. */
export async function portfolioUsed(db: Knex, portfolioId: string, now: Date): Promise<number> {
  const since = new Date(now.getTime() - DAY_MS);
  const res = await db.raw(
    `select count(*)::int as n from (
       select contact_id from portfolio_business_sends where portfolio_id = ? and last_at > ?
       union
       select cv.contact_id from messages m
         join conversations cv on cv.id = m.conversation_id
         join connections cn on cn.id = m.connection_id
        where cn.portfolio_id = ? and m.direction = 'out' and m.type = 'template' and m.origin <> 'campaign'
          and m.at > ? and m.status <> 'failed'
     ) u`,
    [portfolioId, since, portfolioId, since],
  );
  return res.rows[0].n as number;
}

/**
 * When `needed` more contacts fit: the time the needed-th oldest counted send leaves the moving window.
 * Parked recipients are looked at again then, in chunks, not one freed slot at a time.
 */
export async function capacityFreesAt(db: Knex, portfolioId: string, now: Date, needed: number): Promise<Date> {
  const since = new Date(now.getTime() - DAY_MS);
  const row = await db('portfolio_business_sends').where({ portfolio_id: portfolioId }).where('last_at', '>', since)
    .orderBy('last_at').offset(Math.max(0, needed - 1)).first('last_at');
  const oldest = row ?? (await db('portfolio_business_sends').where({ portfolio_id: portfolioId }).where('last_at', '>', since).orderBy('last_at', 'desc').first('last_at'));
  return oldest ? new Date(new Date(oldest.last_at).getTime() + DAY_MS + 1_000) : new Date(now.getTime() + 60_000);
}

/** Notes business-initiated sends (in the transaction that queues them). */
export async function noteBusinessSends(trx: Knex, portfolioId: string, contactIds: string[], at: Date): Promise<void> {
  if (!contactIds.length) return;
  await trx.raw(
    `insert into portfolio_business_sends (portfolio_id, contact_id, last_at)
     select ?, unnest(?::uuid[]), ?
     on conflict (portfolio_id, contact_id) do update set last_at = greatest(portfolio_business_sends.last_at, excluded.last_at)`,
    [portfolioId, contactIds, at],
  );
}

export const inCustomerWindow = (lastInboundAt: Date | null, now: Date) => !!lastInboundAt && now.getTime() - lastInboundAt.getTime() < DAY_MS;
export const PORTFOLIO_DAY_MS = DAY_MS;
