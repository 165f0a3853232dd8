/** plans list | show | create | update, and looking plans up for the license commands. */
import { FEATURES, isUuid, type Feature } from './args.js';
import { enabledFeatures, kv, out, planLimits, table, time, type Plan } from './format.js';
import { ApiError, type AdminApi } from './http.js';
import { printJson, type Ctx } from './context.js';

const LIMIT_FLAGS = [
  ['users', 'users'],
  ['connections', 'connections'],
  ['messages-per-month', 'messagesPerMonth'],
  ['campaigns-per-month', 'campaignsPerMonth'],
] as const;

function showPlan(p: Plan): void {
  kv([
    ['id', p.id], ['code', p.code], ['name', p.name], ['limits', planLimits(p)], ['features', enabledFeatures(p)],
    ['version', p.version], ['created', time(p.createdAt)], ['updated', time(p.updatedAt)],
  ]);
}

/** A plan id as given, or the id of the plan with that code. */
export async function resolvePlan(api: AdminApi, idOrCode: string): Promise<string> {
  if (isUuid(idOrCode)) return idOrCode;
  const { items } = await api.get<{ items: Plan[] }>('/plans');
  const plan = items.find((p) => p.code === idOrCode.toLowerCase());
  if (!plan) throw new ApiError(404, 'not_found', `no plan has the code '${idOrCode}' (see \`plans list\`)`);
  return plan.id;
}

/** Plan codes by id, to show next to licenses; best effort (the ids are shown anyway). */
export async function planCodes(api: AdminApi): Promise<Map<string, string>> {
  try {
    const { items } = await api.get<{ items: Plan[] }>('/plans');
    return new Map(items.map((p) => [p.id, p.code]));
  } catch {
    return new Map();
  }
}

export async function plansList({ api, json }: Ctx) {
  const res = await api().get<{ items: Plan[] }>('/plans');
  if (json) return printJson(res);
  table(
    ['ID', 'CODE', 'NAME', 'LIMITS', 'FEATURES', 'VER'],
    res.items.map((p) => [p.id, p.code, p.name, planLimits(p), enabledFeatures(p), p.version]),
    '(no plans yet: create one with `plans create`)',
  );
}

export async function plansShow({ api, args, json }: Ctx) {
  const plan = await api().get<Plan>(`/plans/${args.id(0, 'plan ID')}`);
  return json ? printJson(plan) : showPlan(plan);
}

export async function plansCreate({ api, args, json }: Ctx) {
  const on = new Set(args.features('features') ?? []);
  const body = {
    code: args.need('code'),
    name: args.need('name'),
    limits: Object.fromEntries(LIMIT_FLAGS.map(([flag, key]) => [key, args.needInt(flag)])),
    features: Object.fromEntries(FEATURES.map((f) => [f, on.has(f)])),
  };
  const plan = await api().post<Plan>('/plans', body);
  if (json) return printJson(plan);
  out('Plan created.\n');
  showPlan(plan);
}

export async function plansUpdate({ api, args, json }: Ctx) {
  const id = args.id(0, 'plan ID');
  const limits: Record<string, number> = {};
  for (const [flag, key] of LIMIT_FLAGS) {
    const n = args.int(flag);
    if (n !== undefined) limits[key] = n;
  }
  const features: Partial<Record<Feature, boolean>> = {};
  for (const f of args.features('enable') ?? []) features[f] = true;
  for (const f of args.features('disable') ?? []) {
    if (features[f]) args.fail(`'${f}' is in both --enable and --disable`);
    features[f] = false;
  }
  const patch = {
    ...(args.has('name') ? { name: args.need('name') } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
    ...(Object.keys(features).length ? { features } : {}),
  };
  if (Object.keys(patch).length === 0) args.fail('nothing to change: give --name, a limit (--users, --connections, ...), --enable or --disable');
  const plan = await api().patch<Plan>(`/plans/${id}`, patch);
  if (json) return printJson(plan);
  out('Plan updated.\n');
  showPlan(plan);
}
