import fs from 'node:fs';
import path from 'node:path';
import type { Runtime } from './runtime/runtime.js';
import type { EnvValues } from './envFile.js';

/** Writes the runtime's files (compose stack or local config) into the install dir with their modes. */
export function writeRendered(runtime: Runtime, env: EnvValues): void {
  for (const f of runtime.render(env)) {
    const file = path.join(runtime.dir, f.path);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, f.content, { mode: f.mode });
    fs.chmodSync(file, f.mode);
  }
}
