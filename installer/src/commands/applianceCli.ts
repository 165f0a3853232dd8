import { InstallerError } from '../errors.js';
import type { Ctx } from '../context.js';

export type ApplianceAnswer = { ok: true; body: any } | { ok: false; code: string; message: string };

/** Runs an appliance CLI command with --json and reads its answer (or its `{ error }`). */
export async function applianceJson(ctx: Ctx, release: string, args: string[], input?: string): Promise<ApplianceAnswer> {
  const res = await ctx.runtime.appliance(ctx.env, release, args, input);
  ctx.log.write(`appliance ${args[0]} → exit ${res.code}\n${res.stdout}${res.stderr}`);
  try {
    if (res.code === 0) return { ok: true, body: JSON.parse(res.stdout) };
    const err = JSON.parse(res.stderr.trim().split('\n').pop() ?? '').error;
    return { ok: false, code: err.code, message: err.message };
  } catch {
    throw new InstallerError('appliance_failed', `appliance ${args[0]} failed (exit ${res.code}): ${(res.stderr || res.stdout).trim().slice(-500)}`, 'see the log file');
  }
}

/** The license as the appliance sees it, or null when it cannot tell (database down). */
export async function licenseStatus(ctx: Ctx, release: string): Promise<{ state: string; reason: string | null; [k: string]: unknown } | null> {
  const res = await applianceJson(ctx, release, ['license-status', '--json']).catch(() => null);
  return res?.ok ? res.body : null;
}
