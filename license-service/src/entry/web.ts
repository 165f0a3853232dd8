import http from 'node:http';
import { createApp } from '../app.js';
import { buildDeps, closeDeps } from '../bootstrap.js';
import { ConfigError, loadConfig } from '../config.js';
import { migrateLatest } from '../../migrations/index.js';

/** The license service process: config → database (migrated) → HTTP. Stops gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`license-service: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const deps = buildDeps(config);
  await migrateLatest(deps.db);
  const server = http.createServer(createApp(deps).callback());
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  deps.log.info({ port: config.PORT, host: config.HOST, signingKey: deps.keyring.active.kid }, 'license service listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.log.info({ signal }, 'stopping: finishing in-flight requests');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    server.close(async () => {
      await closeDeps(deps);
      clearTimeout(force);
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`license-service failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
