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
