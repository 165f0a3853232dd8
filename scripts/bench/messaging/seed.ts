/**
 * The messaging benchmark's appliance data, written straight through the repositories: teams, one
 * WhatsApp connection per team (secrets sealed like commands/connections.ts does), dashboard users in
 * a realistic mix (one admin, one supervisor per team, attendants spread over the teams) and a live
 * session per user (the token is what a dashboard socket presents).
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { newGraphId } from '../../meta-simulator/webhooks.js';
import { hashToken } from '../../../server/src/commands/sessions.js';
import { SecretBox } from '../../../server/src/lib/secretBox.js';
import { insertConnection } from '../../../server/src/repositories/connections.js';
import { insertSession } from '../../../server/src/repositories/sessions.js';
import { insertTeam } from '../../../server/src/repositories/teams.js';
import { insertUser, setUserTeams, type Role } from '../../../server/src/repositories/users.js';
import type { BenchConnection } from './load.js';

export interface Seeded {
  connections: BenchConnection[];
  /** One session token per dashboard user. */
  tokens: string[];
  /** Sockets that see a new (unassigned) conversation of each connection: admins + its team's supervisors and attendants. */
  audience: number[];
  mix: Record<Role, number>;
}

export async function seedAppliance(db: Knex, o: {
  teams: number; users: number; customersPerConnection: number; sessionSecret: string; encryptionKey: string;
}): Promise<Seeded> {
  const box = new SecretBox(o.encryptionKey);
  const teams = [];
  for (let i = 0; i < o.teams; i++) teams.push(await insertTeam(db, `Equipe ${i + 1}`));

  const connections: BenchConnection[] = [];
  for (const [i, team] of teams.entries()) {
    const id = crypto.randomUUID();
    const secrets = {
      accessToken: `EAAB${crypto.randomBytes(24).toString('hex')}`,
      appSecret: crypto.randomBytes(16).toString('hex'),
      verifyToken: crypto.randomBytes(12).toString('hex'),
    };
    const phoneNumberId = newGraphId();
    await insertConnection(db, {
      id, channel: 'whatsapp', name: `WhatsApp ${i + 1}`, external_id: phoneNumberId, team_id: team.id,
      display_phone_number: `+55 11 3${String(1000000 + i).slice(1)}`, secrets: box.seal(secrets, id), status: 'ok',
    });
    const customers = new Set<string>();
    // Brazilian mobiles in their 13-digit form, so the match key is the wa_id itself.
    while (customers.size < o.customersPerConnection) customers.add(`55${11 + (i % 80)}9${crypto.randomInt(10_000_000, 99_999_999)}`);
    connections.push({ id, phoneNumberId, appSecret: secrets.appSecret, customers: [...customers] });
  }

  const supervisors = Math.min(teams.length, Math.max(0, o.users - 1));
  const mix: Record<Role, number> = { admin: Math.min(1, o.users), supervisor: supervisors, attendant: Math.max(0, o.users - 1 - supervisors) };
  const audience = teams.map(() => mix.admin);
  const tokens: string[] = [];
  const expiresAt = new Date(Date.now() + 24 * 3_600_000);
  for (let u = 0; u < o.users; u++) {
    const role: Role = u < mix.admin ? 'admin' : u < mix.admin + supervisors ? 'supervisor' : 'attendant';
    const teamIndex = role === 'admin' ? null : (u - mix.admin) % teams.length;
    // No password: these users never log in, their sessions are written directly.
    const user = await insertUser(db, { email: `bench-${role}-${u}@example.com`, name: `Bench ${role} ${u}`, role, password_hash: '!' });
    if (teamIndex !== null) {
      await setUserTeams(db, user.id, [teams[teamIndex]!.id]);
      audience[teamIndex]! += 1;
    }
    const token = crypto.randomBytes(32).toString('base64url');
    await insertSession(db, { token_hash: hashToken(token, o.sessionSecret), user_id: user.id, ip: '127.0.0.1', user_agent: 'atendo-bench', expires_at: expiresAt });
    tokens.push(token);
  }
  return { connections, tokens, audience, mix };
}
