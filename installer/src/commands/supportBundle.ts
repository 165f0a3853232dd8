import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { $ } from 'zx';
import type { Ctx } from '../context.js';
import { SECRET_NAMES } from '../envFile.js';
import { doctorChecks } from './doctor.js';
import { tail } from './logs.js';

/**
 * support-bundle: what support needs in one archive — versions, the configuration with every secret
 * redacted, recent logs, the doctor report — and no secret: every file passes through the masker, which
 * knows every value of .env, on top of the names being redacted.
 */
export async function supportBundle(ctx: Ctx): Promise<number> {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const out = ctx.opts.output ?? path.join(ctx.dir, `support-bundle-${stamp}.tar.gz`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'atendo-support-'));
  try {
    const write = (name: string, text: string) => fs.writeFileSync(path.join(work, name), ctx.masker.mask(text), { mode: 0o600 });
    write('versions.json', JSON.stringify({ installer: ctx.state?.version, ...(await ctx.runtime.versions()), os: `${os.type()} ${os.release()}`, arch: os.arch() }, null, 2));
    write('installer-state.json', JSON.stringify(ctx.state, null, 2));
    const secretNames = new Set<string>(SECRET_NAMES);
    write('env.redacted', Object.entries(ctx.env).map(([k, v]) => `${k}=${secretNames.has(k) || /PASSWORD|SECRET|KEY|TOKEN/.test(k) ? '<redacted>' : v}`).join('\n'));
    write('doctor.json', JSON.stringify(await doctorChecks(ctx), null, 2));
    for (const f of ['compose.yaml', 'Caddyfile']) if (fs.existsSync(path.join(ctx.dir, f))) write(f, fs.readFileSync(path.join(ctx.dir, f), 'utf8'));
    fs.mkdirSync(path.join(work, 'logs'));
    for (const name of ctx.runtime.logNames()) write(`logs/${name}.log`, await ctx.runtime.logs(name, 2000));
    write('logs/installer.log', tail(ctx.log.file, 2000));
    await $({ quiet: true })`tar -C ${work} -czf ${out} .`;
    fs.chmodSync(out, 0o600);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  ctx.ui.info(`Support bundle: ${out}\nIt holds no passwords or keys; look inside before sending if you like: tar -tzf ${out}`);
  return 0;
}
