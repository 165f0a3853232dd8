/**
 * The messaging benchmark's baseline: the least a webhook receiver can do on this machine — a bare Koa
 * route that reads the body and does one INSERT per message through a pg Pool (same pool size as the
 * appliance's knex), no signature check, no queue, no sockets. Started by scripts/bench/messaging.ts.
 *
 *   DATABASE_URL=… PORT=… node --import tsx scripts/bench/messaging/baseline.ts
 */
import http from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import pg from 'pg';
import { readLimited } from '#kit/http/jsonBody.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
await pool.query('create table if not exists bench_baseline (id bigserial primary key, body bytea not null, received_at timestamptz not null default now())');

const router = new Router();
router.post('/webhooks/whatsapp/:connectionId', async (ctx) => {
  const raw = await readLimited(ctx.req, 1024 * 1024);
  await pool.query('INSERT INTO bench_baseline (body) VALUES ($1)', [raw]);
  ctx.body = 'EVENT_RECEIVED';
});
router.get('/health', (ctx) => { ctx.body = 'ok'; });

const app = new Koa();
app.use(router.routes());
const server = http.createServer(app.callback());
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.({ type: 'listening' }));

const stop = () => {
  server.close();
  server.closeIdleConnections();
  void pool.end().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3_000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.on('disconnect', stop);
