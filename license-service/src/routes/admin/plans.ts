import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { notFound } from '../../errors.js';
import { changePlan, createPlan } from '../../commands/plans.js';
import { parse } from '#kit/http/validate.js';
import { presentPlan } from '../../presenters/plan.js';
import { findPlan, listPlans } from '../../repositories/plans.js';
import { adminActor } from './actor.js';
import { IdParam, PlanCreate, PlanPatch } from './schema.js';

export function plansRoutes(deps: Deps, router: Router): void {
  router.get('/plans', async (ctx) => {
    ctx.body = { items: (await listPlans(deps.db)).map(presentPlan) };
  });

  router.get('/plans/:id', async (ctx) => {
    const plan = await findPlan(deps.db, parse(IdParam, ctx.params.id, 'id'));
    if (!plan) throw notFound('plan');
    ctx.body = presentPlan(plan);
  });

  router.post('/plans', async (ctx) => {
    const input = parse(PlanCreate, ctx.state.body);
    const plan = await deps.db.transaction((trx) => createPlan(trx, adminActor(ctx), input));
    ctx.status = 201;
    ctx.body = presentPlan(plan);
  });

  router.patch('/plans/:id', async (ctx) => {
    const id = parse(IdParam, ctx.params.id, 'id');
    const patch = parse(PlanPatch, ctx.state.body);
    const plan = await deps.db.transaction((trx) => changePlan(trx, adminActor(ctx), id, patch));
    ctx.body = presentPlan(plan);
  });
}
