import type { Knex } from 'knex';
import type { PlanFeatures, PlanLimits } from '#protocol/lease.js';

export interface PlanRow {
  id: string;
  code: string;
  name: string;
  limits: PlanLimits;
  features: PlanFeatures;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export async function insertPlan(db: Knex, p: Pick<PlanRow, 'code' | 'name' | 'limits' | 'features'>): Promise<PlanRow> {
  const [row] = await db('plans')
    .insert({ code: p.code, name: p.name, limits: JSON.stringify(p.limits), features: JSON.stringify(p.features) })
    .returning('*');
  return row;
}

export async function updatePlan(
  db: Knex,
  id: string,
  p: Pick<PlanRow, 'name' | 'limits' | 'features'>,
): Promise<PlanRow> {
  const [row] = await db('plans')
    .where({ id })
    .update({
      name: p.name,
      limits: JSON.stringify(p.limits),
      features: JSON.stringify(p.features),
      version: db.raw('version + 1'),
      updated_at: db.fn.now(),
    })
    .returning('*');
  return row;
}

export async function findPlan(db: Knex, id: string, forUpdate = false): Promise<PlanRow | undefined> {
  const q = db('plans').where({ id }).first();
  return forUpdate ? q.forUpdate() : q;
}

export async function findPlanByCode(db: Knex, code: string): Promise<PlanRow | undefined> {
  return db('plans').where({ code }).first();
}

/** Plans are a short catalogue (tens at most), so they are listed whole, by code. */
export async function listPlans(db: Knex): Promise<PlanRow[]> {
  return db('plans').orderBy('code').limit(1000);
}
