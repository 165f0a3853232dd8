import fs from 'node:fs';

/**
 * Renders the appliance's compose stack for one install: the files the installer writes into the install
 * dir (paths relative to it). Pure apart from reading the templates in compose/appliance/; never sees a
 * secret — those live only in `.env`, which the compose file references as ${VARIABLES}.
 */
export interface StackFile {
  path: string;
  content: string;
  mode: number;
}

export interface RenderInput {
  /** The public domain (automatic HTTPS), or null for plain HTTP on the server's IP. */
  domain: string | null;
  /**
   * The appliance release being installed, e.g. "0.1.0". Checked and named in the file's header; the
   * compose file itself reads the release from ATENDO_VERSION in .env, which the installer writes.
   */
  version: string;
  /** The appliance image repository; ghcr.io/atendo/appliance by default. */
  image?: string;
  /** How many worker containers; 1 by default. */
  workerReplicas?: number;
}

export const DEFAULT_IMAGE = 'ghcr.io/atendo/appliance';

const TEMPLATES = new URL('../../../compose/appliance/', import.meta.url);

export function renderStack(input: RenderInput): { files: StackFile[]; warnings: string[] } {
  const image = input.image ?? DEFAULT_IMAGE;
  const replicas = input.workerReplicas ?? 1;
  // Everything below lands in files Docker reads: refuse anything that is not plainly what it claims to be.
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(input.version) || input.version === 'latest') {
    throw new Error(`renderStack: version must be an exact image tag such as 0.1.0, not ${JSON.stringify(input.version)}`);
  }
  if (!/^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(image)) {
    throw new Error(`renderStack: image must be a repository such as ${DEFAULT_IMAGE}, without a tag`);
  }
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 32) {
    throw new Error('renderStack: workerReplicas must be an integer from 1 to 32');
  }
  if (input.domain !== null && !isDomainName(input.domain)) {
    throw new Error(`renderStack: ${JSON.stringify(input.domain)} is not a domain name (for an IP address, pass domain: null)`);
  }

  // The compose file keeps the release as ${ATENDO_VERSION} (from .env, or the shell for an upgrade's
  // pull and probe); only a non-default image repository is written in, as the variable's default.
  // Plain text substitution of an exact template line: comments and layout reach the install dir as they
  // are, and a template that no longer has the line fails loudly here.
  let compose = readTemplate('compose.yaml');
  compose = replaceExactly(compose, '${ATENDO_IMAGE:-ghcr.io/atendo/appliance}:', `\${ATENDO_IMAGE:-${image}}:`, 2);
  compose = replaceExactly(compose, '      replicas: 1\n', `      replicas: ${replicas}\n`, 1);
  compose = `# Rendered by the Atendo installer (for appliance ${input.version}); running it again rewrites this file.\n${compose}`;

  const warnings: string[] = [];
  let caddyfile: string;
  if (input.domain !== null) {
    const template = readTemplate('Caddyfile.domain');
    const site = /^\{\$ATENDO_DOMAIN\} \{$/m;
    if (!site.test(template)) throw new Error('renderStack: Caddyfile.domain has no `{$ATENDO_DOMAIN} {` site line');
    caddyfile = template.replace(site, `${input.domain.toLowerCase()} {`);
  } else {
    caddyfile = readTemplate('Caddyfile.ip');
    warnings.push(
      'No domain given: the dashboard will be served over plain HTTP on this server\'s IP address (port 80), '
      + 'without TLS. Passwords, sessions and conversations cross the network unencrypted. '
      + 'Point a domain at this server and run the installer again with it to get HTTPS.',
    );
  }

  return {
    files: [
      { path: 'compose.yaml', content: compose, mode: 0o644 },
      { path: 'Caddyfile', content: caddyfile, mode: 0o644 },
    ],
    warnings,
  };
}

function replaceExactly(text: string, from: string, to: string, times: number): string {
  const parts = text.split(from);
  if (parts.length - 1 !== times) {
    throw new Error(`renderStack: compose template has ${parts.length - 1} × "${from}", expected ${times}`);
  }
  return parts.join(to);
}

function readTemplate(name: string): string {
  return fs.readFileSync(new URL(name, TEMPLATES), 'utf8');
}

/** A DNS name with at least two labels (atendimento.example.com.br); not an IP address. */
function isDomainName(s: string): boolean {
  if (s.length > 253 || /^[0-9.]+$/.test(s)) return false;
  const labels = s.split('.');
  return labels.length >= 2 && labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) && /[A-Za-z]/.test(labels[labels.length - 1]!);
}
