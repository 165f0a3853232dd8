import { ConfigError, loadConfig, type Config } from '../config.js';

/**
 * Runs a long-lived process: config (a missing or malformed variable stops it, naming the variable),
 * start, and a graceful stop on SIGTERM/SIGINT with a hard deadline.
 */
export async function runProcess(name: string, start: (config: Config) => Promise<{ stop(): Promise<void> }>): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  // A stray rejection (a library's unawaited command while Redis restarts, say) must not take down a
  // process serving requests: log it loudly, keep serving.
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`${JSON.stringify({ level: 50, name, msg: 'unhandled rejection', err: String(reason instanceof Error ? reason.stack : reason) })}\n`);
  });
  try {
    const running = await start(config);
    const stop = (signal: string) => {
      process.stderr.write(`${name}: ${signal}, stopping gracefully\n`);
      setTimeout(() => process.exit(1), 20_000).unref();
      running.stop().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  } catch (err) {
    process.stderr.write(`${name} failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
