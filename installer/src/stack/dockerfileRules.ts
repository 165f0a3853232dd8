import { isPinnedImage, type StackProblem } from './validateStack.js';

/**
 * Static rules for our two Dockerfiles (compose/appliance.Dockerfile, compose/license-service.Dockerfile):
 * multi-stage, exact base images, a runtime stage that runs as non-root with a HEALTHCHECK and production
 * dependencies only; for the appliance, nothing of the development entry or of the license service's own
 * code. `dockerignore` is the Dockerfile's `<name>.dockerignore`, when the caller has it.
 */
export type DockerfileKind = 'appliance' | 'license-service';

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  image: string;
  name: string | null;
  instructions: Instruction[];
}

export function checkDockerfile(text: string, kind: DockerfileKind, dockerignore?: string): StackProblem[] {
  const problems: StackProblem[] = [];
  const stages = parseStages(parseInstructions(text));
  if (stages.length < 2) {
    problems.push({ code: 'not_multistage', message: `want a build stage and a runtime stage, found ${stages.length} FROM` });
  }

  const stageNames = new Set<string>();
  for (const stage of stages) {
    const fromStage = stageNames.has(stage.image.toLowerCase());
    if (!fromStage && stage.image !== 'scratch' && !isPinnedImage(stage.image)) {
      problems.push({ code: 'image_unpinned', message: `base image ${stage.image} is not pinned to an exact version` });
    }
    if (stage.name) stageNames.add(stage.name.toLowerCase());
  }

  const runtime = stages[stages.length - 1];
  if (!runtime) return problems;
  const inRuntime = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);

  const user = inRuntime('USER').at(-1)?.args.trim();
  if (!user || /^(root|0)(:|$)/.test(user)) {
    problems.push({ code: 'runs_as_root', message: user ? `the runtime stage runs as ${user}` : 'the runtime stage has no USER: it runs as root' });
  }

  const healthcheck = inRuntime('HEALTHCHECK').at(-1);
  if (!healthcheck || /^NONE\b/i.test(healthcheck.args.trim())) {
    problems.push({ code: 'healthcheck_missing', message: 'the runtime stage has no HEALTHCHECK' });
  }

  // Production dependencies only: the runtime installs with --omit=dev and takes no node_modules from a
  // build stage (which has the dev dependencies).
  const installs = inRuntime('RUN').flatMap((i) => npmInstalls(i.args));
  if (installs.length === 0) {
    problems.push({ code: 'dev_deps_in_runtime', message: 'the runtime stage does not run `npm ci --omit=dev`' });
  }
  for (const cmd of installs) {
    if (!/(^|\s)--omit[= ]dev(\s|$)/.test(cmd)) {
      problems.push({ code: 'dev_deps_in_runtime', message: `the runtime stage installs without --omit=dev: ${cmd}` });
    }
  }
  for (const copy of inRuntime('COPY')) {
    if (/--from=/.test(copy.args) && /node_modules/.test(copy.args)) {
      problems.push({ code: 'dev_deps_in_runtime', message: `line ${copy.line}: the runtime stage copies node_modules from a build stage` });
    }
  }

  if (kind === 'appliance') problems.push(...applianceRules(stages, runtime, dockerignore));
  return problems;
}

/**
 * The appliance ships no development entry (server/src/entry/dev.ts trusts a local license key) and none
 * of the license service's own code. The rule, stated plainly:
 *   - no COPY/ADD names dev.ts/dev.js, license-service/src, or license-service as a whole;
 *   - the runtime stage copies no sources from the build context (only compiled output from a stage);
 *   - a RUN asserts the compiled entry is absent (`test ! -e …/server/src/entry/dev.js`), failing the build;
 *   - when the dockerignore is given, it excludes server/src/entry/dev.ts and license-service/src.
 */
function applianceRules(stages: Stage[], runtime: Stage, dockerignore: string | undefined): StackProblem[] {
  const problems: StackProblem[] = [];
  const copies = stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD'));
  for (const copy of copies) {
    const sources = copySources(copy.args);
    if (sources.some((s) => /(^|\/)dev\.(ts|js)$/.test(s))) {
      problems.push({ code: 'dev_entry_shipped', message: `line ${copy.line} copies the development entry` });
    }
    if (!/--from=/.test(copy.args) && sources.some((s) => /^(\.\/)?license-service(\/src(\/.*)?)?\/?$/.test(s) || s === '.' || s === './')) {
      problems.push({ code: 'license_service_src_shipped', message: `line ${copy.line} copies license-service/src (or the whole context) into the image` });
    }
  }
  for (const copy of runtime.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
    if (!/--from=/.test(copy.args) && copySources(copy.args).some((s) => /^(\.\/)?server(\/|$)/.test(s) || s === '.' || s === './')) {
      problems.push({ code: 'dev_entry_shipped', message: `line ${copy.line}: the runtime stage copies server sources (it must take compiled output only)` });
    }
  }
  const guarded = stages.some((s) => s.instructions.some((i) => i.keyword === 'RUN' && /test\s+!\s+-e\s+\S*server\/src\/entry\/dev\.js/.test(i.args)));
  if (!guarded) {
    problems.push({ code: 'dev_entry_shipped', message: 'no RUN asserts `test ! -e …/server/src/entry/dev.js`: nothing fails the build if the development entry is compiled in' });
  }
  if (dockerignore !== undefined) {
    const rules = dockerignore.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    // The last matching line wins in a dockerignore: the exclusion must come after any re-inclusion.
    const excludes = (path: string) => {
      const last = rules.filter((r) => r.replace(/^!/, '').replace(/\/$/, '') === path).at(-1);
      return last !== undefined && !last.startsWith('!');
    };
    if (!excludes('server/src/entry/dev.ts')) {
      problems.push({ code: 'dev_entry_shipped', message: 'the dockerignore does not exclude server/src/entry/dev.ts' });
    }
    if (!excludes('license-service/src')) {
      problems.push({ code: 'license_service_src_shipped', message: 'the dockerignore does not exclude license-service/src' });
    }
  }
  return problems;
}

/** `npm ci …` / `npm install …` / `npm i …` commands inside a RUN line. */
function npmInstalls(run: string): string[] {
  return run.split(/&&|;|\|\|/).map((c) => c.trim()).filter((c) => /^npm\s+(ci|install|i)(\s|$)/.test(c));
}

/** The source paths of a COPY/ADD (flags and the destination dropped); JSON form too. */
function copySources(args: string): string[] {
  const trimmed = args.trim();
  const words = trimmed.startsWith('[') ? (JSON.parse(trimmed) as string[]) : trimmed.split(/\s+/);
  const paths = words.filter((w) => !w.startsWith('--'));
  return paths.slice(0, -1);
}

/** Joins `\` continuations, drops comments and blank lines, keeps the starting line number. */
function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | null = null;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (/^\s*#/.test(line) || (pending === null && line.trim() === '')) return;
    const continued = /\\\s*$/.test(line);
    const body = line.replace(/\\\s*$/, '');
    pending = pending ? { text: `${pending.text} ${body.trim()}`, line: pending.line } : { text: body.trim(), line: index + 1 };
    if (!continued) {
      const m = /^(\S+)\s*(.*)$/.exec(pending.text);
      if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!, line: pending.line });
      pending = null;
    }
  });
  return out;
}

function parseStages(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const i of instructions) {
    if (i.keyword === 'FROM') {
      const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ image: words[0] ?? '', name: as >= 0 ? (words[as + 1] ?? null) : null, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(i);
    }
  }
  return stages;
}
