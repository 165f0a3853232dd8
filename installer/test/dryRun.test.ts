import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { generateLicenseKey } from '#protocol/licenseKey.js';
import { ADMIN_PASSWORD, runInstaller, tempDir } from './support.js';

// A docker-runtime install cannot run here (no Docker engine); its plan can, and must change nothing.
test('--dry-run prints the docker plan and the files it would write, and changes nothing', async (t) => {
  const parent = tempDir('dry-');
  const dir = path.join(parent, 'atendo');
  const passwordFile = path.join(parent, 'pw');
  fs.writeFileSync(passwordFile, ADMIN_PASSWORD);
  const run = await runInstaller([
    'install', '--runtime', 'docker', '--dir', dir, '--dry-run', '--yes', '--license-key', 'ATD-0000-0000-0000-0000-0000-0',
    '--domain', 'atendimento.padaria.com.br', '--admin-email', 'dona@padaria.com.br', '--admin-password-file', passwordFile,
  ]);
  // The key above fails its check characters: even a dry run refuses it, offline.
  t.is(run.code, 2, run.out);
  t.regex(run.out, /invalid_license_key/);

  const key = generateLicenseKey();
  const plan = await runInstaller([
    'install', '--runtime', 'docker', '--dir', dir, '--dry-run', '--yes', '--license-key', key,
    '--domain', 'atendimento.padaria.com.br', '--admin-email', 'dona@padaria.com.br', '--admin-password-file', passwordFile,
  ]);
  t.is(plan.code, 0, plan.out);
  for (const step of ['Preflight checks', 'Settings and secrets', 'Compose stack files', 'Start PostgreSQL and Redis', 'Database migrations', 'License activation', 'Start server, workers and Caddy', 'First admin']) {
    t.regex(plan.out, new RegExp(`• ${step}`), step);
  }
  t.regex(plan.out, /ports 80 and 443, Docker and compose/);
  // Caddy on other host ports (a proxy already in front): preflight checks those.
  const moved = await runInstaller([
    'install', '--runtime', 'docker', '--dir', dir, '--dry-run', '--yes', '--license-key', key, '--http-port', '8081', '--https-port', '8443',
    '--image', 'registry.example.com/atendo/appliance', '--project-name', 'atendo-loja', '--admin-email', 'dona@padaria.com.br', '--admin-password-file', passwordFile,
  ]);
  t.is(moved.code, 0, moved.out);
  t.regex(moved.out, /ports 8081 and 8443, Docker and compose/);
  t.regex(plan.out, new RegExp(`writes ${dir}/compose\\.yaml \\(644\\)`));
  t.regex(plan.out, new RegExp(`writes ${dir}/Caddyfile`));
  t.regex(plan.out, /atendimento\.padaria\.com\.br/, 'the Caddyfile carries the domain');
  t.regex(plan.out, /POSTGRES_PASSWORD, REDIS_PASSWORD, SESSION_SECRET, ENCRYPTION_KEY \(generated\)/);
  t.false(plan.out.includes(key), 'the key is masked');
  t.false(plan.out.includes(ADMIN_PASSWORD));
  t.regex(plan.out, /Dry run: nothing was changed/);
  t.false(fs.existsSync(dir), 'not even the directory was made');
});
