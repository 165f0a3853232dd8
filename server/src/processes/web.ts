import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '#kit/logger.js';
import { createApp } from '../app.js';
import { buildDeps, closeDeps, followLicenseChanges } from '../bootstrap.js';
import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import { HeartbeatScheduler } from '../license/heartbeatScheduler.js';
import type { TrustedKeys } from '../license/trust.js';
import { attachSockets } from '../websockets/io.js';

export interface WebProcess {
  deps: Deps;
  url: string;
  scheduler: HeartbeatScheduler;
  /** Graceful: stop accepting, drop sockets, finish in-flight requests, close pools. */
  stop(): Promise<void>;
}

export async function startWeb(
  config: Config,
  opts: { trustedKeys: TrustedKeys; now?: () => Date; log?: Logger; heartbeats?: boolean },
): Promise<WebProcess> {
  const deps = buildDeps(config, { ...opts, name: 'atendo-web', queues: 'producer' });
  const server = http.createServer(createApp(deps).callback());
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 60_000;
  deps.sockets = attachSockets(server, deps);
  const unfollow = await followLicenseChanges(deps);
  const scheduler = new HeartbeatScheduler(deps);
  if (opts.heartbeats !== false) scheduler.start();
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  deps.log.info({ url }, 'appliance web process listening');

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await scheduler.stop();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await closed; // stops accepting; in-flight requests finish first
      await deps.sockets!.close();
      await unfollow();
      await closeDeps(deps);
    })();
    return stopping;
  };
  return { deps, url, scheduler, stop };
}
