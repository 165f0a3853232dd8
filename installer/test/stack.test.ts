import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { checkDockerfile } from '../src/stack/dockerfileRules.js';
import { renderStack, type StackFile } from '../src/stack/renderStack.js';
import { APPLIANCE_RULES, checkCaddyfile, checkComposeText, isPinnedImage, validateStack, type ComposeRules } from '../src/stack/validateStack.js';

/** Static checks of the Docker artefacts in compose/ (no Docker engine here) and of the rendered stack. */
const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');
const codes = (problems: { code: string }[]) => problems.map((p) => p.code);

const LICENSE_SERVICE_RULES: ComposeRules = {
  proxyService: 'caddy',
  requiredMounts: {
    'db-data': [['postgres', '/var/lib/postgresql/data']],
    'redis-data': [['redis', '/data']],
    backups: [['postgres', '/backups']],
  },
};

// What the installer writes into .env: generated secrets and site settings.
const SAMPLE_ENV = {
  POSTGRES_PASSWORD: 'pg-3f9a1c0d7e5b42a8b6c1',
  REDIS_PASSWORD: 'rd-8e2b4f6a1c3d5e7f9a0b',
  SESSION_SECRET: 'ss-0123456789abcdef0123456789abcdef',
  ENCRYPTION_KEY: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
  PUBLIC_URL: 'https://atendimento.padaria.com.br',
  LICENSE_SERVICE_URL: 'https://license.atendo.example',
  ATENDO_VERSION: '0.1.0',
  ATENDO_DOMAIN: 'atendimento.padaria.com.br', // no secret: it rightly appears in the Caddyfile
};

function rendered(domain: string | null): StackFile[] {
  return renderStack({ domain, version: '0.1.0' }).files;
}

function withCompose(files: StackFile[], edit: (text: string) => string): StackFile[] {
  return files.map((f) => (f.path === 'compose.yaml' ? { ...f, content: edit(f.content) } : f));
}

/** Replaces the one exact occurrence of `from`; a template change that removes it fails the test loudly. */
function once(text: string, from: string, to: string): string {
  if (text.split(from).length !== 2) throw new Error(`expected exactly one ${JSON.stringify(from)}`);
  return text.replace(from, () => to);
}

// ---- the files in compose/ ---------------------------------------------------------------------------

test('every compose file in compose/ validates against the Compose Specification and our rules', (t) => {
  const files = fs.readdirSync(path.join(root, 'compose'), { recursive: true, encoding: 'utf8' })
    .filter((f) => /(^|\/)compose\.ya?ml$/.test(f));
  t.deepEqual(files.sort(), ['appliance/compose.yaml', 'license-service/compose.yaml']);
  t.deepEqual(checkComposeText(read('compose/appliance/compose.yaml'), APPLIANCE_RULES), []);
  t.deepEqual(checkComposeText(read('compose/license-service/compose.yaml'), LICENSE_SERVICE_RULES), []);
});

test('the schema check bites: an unknown service key and a wrong type are schema_invalid', (t) => {
  const text = read('compose/appliance/compose.yaml');
  const typo = once(text, '    restart: unless-stopped\n    command: ["node", "server/src/entry/web.js"]', '    restart: unless-stopped\n    comand: ["node", "server/src/entry/web.js"]');
  const problems = checkComposeText(typo, APPLIANCE_RULES);
  t.true(problems.some((p) => p.code === 'schema_invalid' && p.message.includes('comand')), JSON.stringify(problems));
  const badType = once(text, '      replicas: 1\n', '      replicas: [1]\n');
  t.true(codes(checkComposeText(badType, APPLIANCE_RULES)).includes('schema_invalid'));
});

test('the Caddyfiles never serve /metrics and proxy to the app', (t) => {
  for (const f of ['compose/appliance/Caddyfile.domain', 'compose/appliance/Caddyfile.ip']) {
    t.deepEqual(checkCaddyfile(read(f), 'server:3000'), [], f);
  }
  t.deepEqual(checkCaddyfile(read('compose/license-service/Caddyfile'), 'license-service:8080'), []);
  // The rule bites: without the 404 (or with only the exact path hidden), /metrics is exposed.
  const domain = read('compose/appliance/Caddyfile.domain');
  t.deepEqual(codes(checkCaddyfile(once(domain, '\trespond @metrics 404\n', ''), 'server:3000')), ['metrics_exposed']);
  t.deepEqual(codes(checkCaddyfile(once(domain, '@metrics path /metrics /metrics/*', '@metrics path /metrics'), 'server:3000')), ['metrics_exposed']);
  t.deepEqual(codes(checkCaddyfile(once(domain, '\trespond @metrics 404\n', '\t# respond @metrics 404\n'), 'server:3000')), ['metrics_exposed']);
});

test('each Dockerfile passes its rules (with its dockerignore)', (t) => {
  t.deepEqual(checkDockerfile(read('compose/appliance.Dockerfile'), 'appliance', read('compose/appliance.Dockerfile.dockerignore')), []);
  t.deepEqual(checkDockerfile(read('compose/license-service.Dockerfile'), 'license-service', read('compose/license-service.Dockerfile.dockerignore')), []);
});

// ---- the rendered stack ------------------------------------------------------------------------------

test('the stack rendered with a domain passes validateStack, HTTPS for that domain', (t) => {
  const { files, warnings } = renderStack({ domain: 'Atendimento.Padaria.com.br', version: '0.1.0' });
  t.deepEqual(files.map((f) => [f.path, f.mode]), [['compose.yaml', 0o644], ['Caddyfile', 0o644]]);
  t.deepEqual(warnings, []);
  t.deepEqual(validateStack(files, SAMPLE_ENV).problems, []);
  const caddyfile = files.find((f) => f.path === 'Caddyfile')!.content;
  t.regex(caddyfile, /^atendimento\.padaria\.com\.br \{$/m);
  t.notRegex(caddyfile, /auto_https off/);
});

test('the stack rendered without a domain passes validateStack, is plain HTTP on :80, and warns', (t) => {
  const { files, warnings } = renderStack({ domain: null, version: '0.1.0' });
  t.deepEqual(validateStack(files, SAMPLE_ENV).problems, []);
  t.regex(files.find((f) => f.path === 'Caddyfile')!.content, /^:80 \{$/m);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /plain HTTP/);
  t.regex(warnings[0]!, /without TLS/);
});

test('renderStack writes the image repository and worker count, keeps the release a variable, and refuses bad input', (t) => {
  const compose = renderStack({ domain: null, version: '1.2.3', image: 'registry.example.com:5000/acme/atendo', workerReplicas: 3 }).files[0]!.content;
  t.is(compose.split('image: ${ATENDO_IMAGE:-registry.example.com:5000/acme/atendo}:${ATENDO_VERSION:?').length, 3);
  t.regex(compose, /^ {6}replicas: 3$/m);
  t.deepEqual(checkComposeText(compose, APPLIANCE_RULES), []);
  t.throws(() => renderStack({ domain: null, version: 'latest' }), { message: /exact image tag/ });
  t.throws(() => renderStack({ domain: null, version: '1.0.0\nimage: evil' }), { message: /exact image tag/ });
  t.throws(() => renderStack({ domain: '203.0.113.7', version: '1.0.0' }), { message: /not a domain/ });
  t.throws(() => renderStack({ domain: 'a.com {\n}', version: '1.0.0' }), { message: /not a domain/ });
  t.throws(() => renderStack({ domain: null, version: '1.0.0', workerReplicas: 0 }), { message: /workerReplicas/ });
  t.throws(() => renderStack({ domain: null, version: '1.0.0', image: 'ghcr.io/atendo/appliance:latest' }), { message: /without a tag/ });
});

test('the rendered files never contain a secret value, and validateStack catches one that does', (t) => {
  for (const domain of ['atendimento.padaria.com.br', null]) {
    const files = rendered(domain);
    for (const [key, value] of Object.entries(SAMPLE_ENV)) {
      if (key === 'ATENDO_VERSION' || key === 'ATENDO_DOMAIN') continue; // not secrets; the files name them
      for (const f of files) t.false(f.content.includes(value), `${f.path} contains ${key}`);
    }
    // Only references: the database password reaches the file as a variable.
    t.regex(files[0]!.content, /postgres:\/\/atendo:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/atendo/);
  }
  // A rendered file that did carry the value is caught, naming the key and never echoing the value.
  const leaked = withCompose(rendered(null), (c) => `${c}\n# ${SAMPLE_ENV.REDIS_PASSWORD}\n`);
  const problems = validateStack(leaked, SAMPLE_ENV).problems;
  t.deepEqual(codes(problems), ['secret_inlined']);
  t.regex(problems[0]!.message, /REDIS_PASSWORD/);
  t.false(problems[0]!.message.includes(SAMPLE_ENV.REDIS_PASSWORD));
});

// ---- negative: every rule bites ---------------------------------------------------------------------

test('a port on postgres (or a port other than 80/443 on caddy) is port_published', (t) => {
  const files = withCompose(rendered(null), (c) => once(c, '    image: postgres:15.18-bookworm\n', '    image: postgres:15.18-bookworm\n    ports:\n      - "5432:5432"\n'));
  const problems = validateStack(files).problems;
  t.deepEqual(codes(problems), ['port_published']);
  t.regex(problems[0]!.message, /postgres/);
  const caddy = withCompose(rendered(null), (c) => once(c, '      - "${ATENDO_HTTPS_PORT:-443}:443/udp"\n', '      - "${ATENDO_HTTPS_PORT:-443}:443/udp"\n      - "2019:2019"\n'));
  t.deepEqual(codes(validateStack(caddy).problems), ['port_published']);
  const host = withCompose(rendered(null), (c) => once(c, '    image: redis:7.4.6-bookworm\n', '    image: redis:7.4.6-bookworm\n    network_mode: host\n'));
  t.true(codes(validateStack(host).problems).includes('port_published'));
});

test('an unpinned image is image_unpinned', (t) => {
  for (const image of ['postgres:15', 'postgres', 'postgres:latest', 'redis:7.4']) {
    const files = withCompose(rendered(null), (c) => once(c, 'image: postgres:15.18-bookworm', `image: ${image}`));
    t.deepEqual(codes(validateStack(files).problems), ['image_unpinned'], image);
  }
  t.true(isPinnedImage('postgres:15.18-bookworm'));
  t.true(isPinnedImage('redis:7.4.6-bookworm'));
  t.true(isPinnedImage('node:20.20.2-bookworm-slim'));
  t.true(isPinnedImage('${ATENDO_IMAGE:-ghcr.io/atendo/appliance}:${ATENDO_VERSION}'));
  t.true(isPinnedImage('caddy@sha256:' + 'a'.repeat(64)));
  t.false(isPinnedImage('${ATENDO_IMAGE:-ghcr.io/atendo/appliance}:${ATENDO_VERSION:-latest}'));
  t.false(isPinnedImage('node:20-bookworm-slim'));
  t.false(isPinnedImage('caddy:2'));
});

test('a service without a health check, restart policy or log rotation is caught', (t) => {
  const noHealth = withCompose(rendered(null), (c) => once(c, '      test: ["CMD-SHELL", "redis-cli ping | grep -q PONG"]\n', '      disable: true\n'));
  t.deepEqual(codes(validateStack(noHealth).problems), ['healthcheck_missing']);
  const noRestart = withCompose(rendered(null), (c) => once(c, '    image: caddy:2.10.2-alpine\n    restart: unless-stopped\n', '    image: caddy:2.10.2-alpine\n'));
  t.deepEqual(codes(validateStack(noRestart).problems), ['restart_missing']);
  const noLogs = withCompose(rendered(null), (c) => once(c, '    max-file: "5"\n', ''));
  t.deepEqual([...new Set(codes(validateStack(noLogs).problems))], ['logging_unbounded']);
});

test('TRUSTED_PROXIES that is not the fixed subnet is trusted_proxies_mismatch', (t) => {
  const files = withCompose(rendered(null), (c) => once(c, '        - subnet: 172.28.0.0/24\n', '        - subnet: 172.30.0.0/24\n'));
  t.deepEqual([...new Set(codes(validateStack(files).problems))], ['trusted_proxies_mismatch']);
});

test('a missing data volume is volume_missing', (t) => {
  const files = withCompose(rendered(null), (c) => once(c, '      - backups:/backups\n', ''));
  t.deepEqual(codes(validateStack(files).problems), ['volume_missing']);
});

test('an inlined secret is secret_inlined, even without the .env to compare with', (t) => {
  const literal = withCompose(rendered(null), (c) => once(c, '      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set in .env}\n', '      POSTGRES_PASSWORD: hunter2hunter2\n'));
  t.deepEqual(codes(validateStack(literal).problems), ['secret_inlined']);
  const inUrl = withCompose(rendered(null), (c) => once(c, 'redis://:${REDIS_PASSWORD:?REDIS_PASSWORD must be set in .env}@redis', 'redis://:hunter2hunter2@redis'));
  // Once per place it lands (the shared anchor, then server and worker): one code all the same.
  t.deepEqual([...new Set(codes(validateStack(inUrl).problems))], ['secret_inlined']);
  const inCommand = withCompose(rendered(null), (c) => once(c, '"--requirepass", "${REDIS_PASSWORD:?REDIS_PASSWORD must be set in .env}"', '"--requirepass", "hunter2hunter2"'));
  t.deepEqual(codes(validateStack(inCommand).problems), ['secret_inlined']);
  // With the .env: the actual value, wherever it lands (here a label), URL-encoded or not.
  const env = { POSTGRES_PASSWORD: 'p@ss/word+with=odd chars' };
  const labelled = withCompose(rendered(null), (c) => `${c}\n# ${encodeURIComponent(env.POSTGRES_PASSWORD)}\n`);
  t.deepEqual(codes(validateStack(labelled, env).problems), ['secret_inlined']);
});

test('Dockerfile rules bite: root, no --omit=dev, single stage, unpinned base, no HEALTHCHECK', (t) => {
  const appliance = read('compose/appliance.Dockerfile');
  const ignore = read('compose/appliance.Dockerfile.dockerignore');
  const check = (text: string) => codes(checkDockerfile(text, 'appliance', ignore));

  t.deepEqual(check(once(appliance, '\nUSER node\n', '\n')), ['runs_as_root']);
  t.deepEqual(check(once(appliance, '\nUSER node\n', '\nUSER root\n')), ['runs_as_root']);
  t.deepEqual(check(once(appliance, 'npm ci --omit=dev --ignore-scripts', 'npm ci --ignore-scripts')), ['dev_deps_in_runtime']);
  t.deepEqual(check(once(appliance, 'RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force\n', 'COPY --from=build /src/node_modules ./node_modules\n')), ['dev_deps_in_runtime', 'dev_deps_in_runtime']);
  t.deepEqual(check(once(appliance, 'FROM node:20.20.2-bookworm-slim AS runtime', 'FROM node:20-bookworm-slim AS runtime')), ['image_unpinned']);
  const healthcheck = appliance.slice(appliance.indexOf('HEALTHCHECK'), appliance.indexOf('# tini is PID 1'));
  t.deepEqual(check(once(appliance, healthcheck, '')), ['healthcheck_missing']);
  const runtimeOnly = appliance.slice(appliance.indexOf('FROM node:20.20.2-bookworm-slim AS runtime'));
  t.true(check(runtimeOnly).includes('not_multistage'));

  const license = read('compose/license-service.Dockerfile');
  t.deepEqual(codes(checkDockerfile(once(license, '\nUSER node\n', '\n'), 'license-service')), ['runs_as_root']);
  t.deepEqual(codes(checkDockerfile(once(license, 'npm ci --omit=dev --ignore-scripts', 'npm install'), 'license-service')), ['dev_deps_in_runtime']);
});

test('appliance rules bite: the dev entry and license-service/src must stay out', (t) => {
  const appliance = read('compose/appliance.Dockerfile');
  const ignore = read('compose/appliance.Dockerfile.dockerignore');
  const check = (text: string, dockerignore = ignore) => codes(checkDockerfile(text, 'appliance', dockerignore));

  // The dockerignore forgets dev.ts, or lets license-service/src back in after excluding it.
  t.deepEqual(check(appliance, once(ignore, '\nserver/src/entry/dev.ts\n', '\n')), ['dev_entry_shipped']);
  t.deepEqual(check(appliance, `${ignore}\n!license-service/src/\n`), ['license_service_src_shipped']);
  // The build-failing guard is gone.
  t.deepEqual(check(once(appliance, ' && test ! -e dist/server/src/entry/dev.js \\\n', ' \\\n')), ['dev_entry_shipped']);
  // The runtime copies sources instead of compiled output, or copies the dev entry by name.
  t.deepEqual(check(once(appliance, 'COPY web-dist/ web-dist/', 'COPY server/ server/')), ['dev_entry_shipped']);
  t.deepEqual(check(once(appliance, 'COPY web-dist/ web-dist/', 'COPY server/src/entry/dev.ts server/src/entry/')), ['dev_entry_shipped', 'dev_entry_shipped']);
  // The whole context, or the service's own code.
  t.deepEqual(check(once(appliance, 'COPY license-service/kit/ license-service/kit/', 'COPY license-service/ license-service/')), ['license_service_src_shipped']);
  t.deepEqual(check(once(appliance, 'COPY server/ server/', 'COPY . .')), ['license_service_src_shipped']);
  // The license service's own image may of course carry its src.
  t.deepEqual(checkDockerfile(read('compose/license-service.Dockerfile'), 'license-service'), []);
});

// ---- the images run compiled JavaScript --------------------------------------------------------------

test('compose/tsconfig.build.json compiles the services to JavaScript that loads, without dev.ts or tests', (t) => {
  const out = fs.mkdtempSync(path.join(process.env.ATENDO_TEST_TMP ?? os.tmpdir(), 'atendo-build-'));
  try {
    const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'compose/tsconfig.build.json'), '--outDir', out], { encoding: 'utf8', timeout: 60_000 });
    t.is(tsc.status, 0, tsc.stdout + tsc.stderr);
    t.true(fs.existsSync(path.join(out, 'server/src/entry/cli.js')));
    t.true(fs.existsSync(path.join(out, 'server/src/entry/web.js')));
    t.true(fs.existsSync(path.join(out, 'server/src/entry/worker.js')));
    t.true(fs.existsSync(path.join(out, 'license-service/src/entry/web.js')));
    t.false(fs.existsSync(path.join(out, 'server/src/entry/dev.js')));
    const emitted = fs.readdirSync(out, { recursive: true, encoding: 'utf8' });
    t.deepEqual(emitted.filter((f) => /\.test\.js$|(^|\/)test\//.test(f)), []);

    // The image's layout: package.json beside server/ (version.ts reads ../../package.json), node_modules.
    fs.copyFileSync(path.join(root, 'package.json'), path.join(out, 'package.json'));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(out, 'node_modules'), 'dir');

    // Loading the CLI entry resolves every import; it then stops on configuration or the missing vendor
    // key (this tree carries none), never on a module it cannot find.
    const cli = spawnSync(process.execPath, [path.join(out, 'server/src/entry/cli.js')], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '' } });
    const output = cli.stdout + cli.stderr;
    t.notRegex(output, /ERR_MODULE_NOT_FOUND|Cannot find module|SyntaxError/);
    t.regex(output, /^atendo: |usage|Usage/m);
    const service = spawnSync(process.execPath, [path.join(out, 'license-service/src/entry/web.js')], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '' } });
    t.is(service.status, 78, service.stderr); // EX_CONFIG: the modules loaded, the config was refused
    t.regex(service.stderr, /license-service: invalid configuration/);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
