import type { Knex } from 'knex';
import type { Actor } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import type { PlanFeatures, PlanLimits } from '#protocol/lease.js';
import { findPlan, findPlanByCode, insertPlan, updatePlan, type PlanRow } from '../repositories/plans.js';
import { auditAdmin } from './auditTrail.js';
import { presentPlan } from '../presenters/plan.js';

export async function createPlan(
  trx: Knex,
  actor: Actor,
  input: { code: string; name: string; limits: PlanLimits; features: PlanFeatures },
): Promise<PlanRow> {
  if (await findPlanByCode(trx, input.code)) throw conflict('plan_code_taken', `a plan with code ${input.code} exists`);
  const plan = await insertPlan(trx, input);
  await auditAdmin(trx, { action: 'plan.create', actor: actor.name, ip: actor.ip, subjectType: 'plan', subjectId: plan.id, after: presentPlan(plan) });
  return plan;
}

/**
 * Changes a plan. Limits and features are merged, so a patch names only what changes. Every license on
 * the plan gets the new terms in its next lease: leases are built from the plan row at heartbeat time.
 */
export async function changePlan(
  trx: Knex,
  actor: Actor,
  id: string,
  patch: { name?: string; limits?: Partial<PlanLimits>; features?: Partial<PlanFeatures> },
): Promise<PlanRow> {
  const before = await findPlan(trx, id, true);
  if (!before) throw notFound('plan');
  const plan = await updatePlan(trx, id, {
    name: patch.name ?? before.name,
    limits: { ...before.limits, ...patch.limits },
    features: { ...before.features, ...patch.features },
  });
  await auditAdmin(trx, {
    action: 'plan.update', actor: actor.name, ip: actor.ip, subjectType: 'plan', subjectId: id,
    before: presentPlan(before), after: presentPlan(plan),
  });
  return plan;
}
