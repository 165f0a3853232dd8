import type Router from '@koa/router';
import { parse } from '../../../../license-service/kit/http/validate.js';
import { changeContact, visibleContact } from '../../commands/contacts.js';
import type { Deps } from '../../deps.js';
import { presentContact } from '../../presenters/contact.js';
import { IdParam, UpdateContactBody } from './schema.js';

export function contactsRoutes(deps: Deps, router: Router): void {
  router.get('/contacts/:id', async (ctx) => {
    ctx.body = presentContact(await visibleContact(deps, ctx.state.user!, parse(IdParam, ctx.params.id, 'id')));
  });

  router.patch('/contacts/:id', async (ctx) => {
    const id = parse(IdParam, ctx.params.id, 'id');
    const input = parse(UpdateContactBody, ctx.state.body);
    ctx.body = presentContact(await changeContact(deps, ctx.state.user!, id, input, ctx.state.ip));
  });
}
