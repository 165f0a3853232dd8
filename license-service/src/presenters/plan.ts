import type { PlanRow } from '../repositories/plans.js';

export function presentPlan(p: PlanRow) {
  return {
    id: p.id,
    code: p.code,
    name: p.name,
    limits: p.limits,
    features: p.features,
    version: p.version,
    createdAt: p.created_at.toISOString(),
    updatedAt: p.updated_at.toISOString(),
  };
}
