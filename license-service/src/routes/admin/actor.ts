import type { Context } from 'koa';
import type { Actor } from '../../deps.js';

export function adminActor(ctx: Context): Actor {
  return { name: `admin:${ctx.state.admin!.name}`, ip: ctx.state.ip };
}
