import test from 'ava';
import { runInstaller, tempDir, useLicenseService } from './support.js';

const licenseService = useLicenseService(test);

const doctor = async (args: string[]) => {
  const run = await runInstaller(['doctor', '--dir', tempDir('pre-'), '--json', '--license-service-url', licenseService().url, ...args]);
  return { code: run.code, checks: JSON.parse(run.out).checks as { id: string; status: string; detail: string; fix?: string }[] };
};

test('a domain that does not resolve fails the DNS check, saying which record to create', async (t) => {
  const { code, checks } = await doctor(['--runtime', 'local', '--domain', 'atendimento.does-not-exist.invalid']);
  t.is(code, 1);
  const dns = checks.find((c) => c.id === 'dns')!;
  t.is(dns.status, 'fail');
  t.regex(dns.fix!, /create an A record for atendimento\.does-not-exist\.invalid pointing to 127\.0\.0\.1/);
  t.like(checks.find((c) => c.id === 'public_ip'), { status: 'ok', detail: '127.0.0.1' }, 'the IP as the license service sees it');
});

test('a domain pointing here passes DNS, and port 80 on it really reaches this machine', async (t) => {
  const { checks } = await doctor(['--runtime', 'docker', '--domain', 'localhost']);
  t.like(checks.find((c) => c.id === 'dns'), { status: 'ok' });
  // Whether an engine runs here depends on the machine (test:docker starts one): either way it is said.
  const docker = checks.find((c) => c.id === 'docker')!;
  t.true(['ok', 'warn', 'fail'].includes(docker.status), JSON.stringify(docker));
  if (docker.status !== 'ok') t.truthy(docker.fix, 'with what to do');
  if (checks.find((c) => c.id === 'port_80')?.status === 'ok') {
    t.like(checks.find((c) => c.id === 'http_reach'), { status: 'ok', detail: 'token fetched back' });
  } else {
    t.log('port 80 is taken on this machine: the reach-back probe cannot listen');
  }
});

test('an unreachable license service fails preflight with what to do', async (t) => {
  const { checks } = await doctor(['--runtime', 'local', '--license-service-url', 'http://127.0.0.1:9']);
  const reach = checks.find((c) => c.id === 'license_service')!;
  t.is(reach.status, 'fail');
  t.regex(reach.fix!, /allow outbound HTTPS/);
});
