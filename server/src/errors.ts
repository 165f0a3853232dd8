import { AppError } from '#kit/errors.js';

export * from '#kit/errors.js';

export const invalidCredentials = () => new AppError(401, 'invalid_credentials', 'wrong email or password');
export const sessionRequired = () => new AppError(401, 'unauthorized', 'log in first');
export const forbiddenAction = (action: string) =>
  new AppError(403, 'forbidden', `your role may not ${action}`, { action });
export const crossSiteRequest = () =>
  new AppError(403, 'cross_site_request', 'this request came from another site');

// Plan and license enforcement (policies/plan.ts, policies/licenseGate.ts).
export const planLimit = (what: 'users' | 'connections', limit: number, used: number) =>
  new AppError(403, `plan_limit_${what}`, `your plan allows ${limit} ${what === 'users' ? 'active users' : 'connections'}; you have ${used}`, { limit, used });
export const planQuota = (what: 'messages' | 'campaigns', limit: number, used: number) =>
  new AppError(403, `plan_quota_${what}`, `your plan allows ${limit} ${what} per month; ${used} used this month`, { limit, used });
export const featureDisabled = (feature: string) =>
  new AppError(403, 'plan_feature_disabled', `your plan does not include ${feature}`, { feature });
export const licenseRestricted = (reason: string) =>
  new AppError(403, 'license_restricted', `the license is restricted (${reason}): reading works, changes do not`, { reason });
export const notActivated = () => new AppError(409, 'not_activated', 'this appliance has no license yet; run the activate command');

// Chatbot flows (commands/flows.ts).
export const flowNameTaken = (name: string) => new AppError(409, 'flow_name_taken', `a flow named "${name}" exists`);
export const flowFallbackTaken = () => new AppError(409, 'flow_fallback_taken', 'another flow is the fallback; unset it there first');
export const flowNotPublished = () => new AppError(409, 'flow_not_published', 'publish the flow before switching it to test or live');
export const flowInvalid = (issues: unknown[]) =>
  new AppError(422, 'flow_invalid', `the flow has ${issues.length} error${issues.length === 1 ? '' : 's'} to fix before publishing`, { issues });
export const invalidFlowFile = (message: string) => new AppError(400, 'invalid_flow_file', `not a flow file this appliance can import: ${message}`);
