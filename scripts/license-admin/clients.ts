/** clients list | show | create. */
import { date, kv, nextPage, out, table, time } from './format.js';
import { printJson, type Client, type Ctx, type License, type Page } from './context.js';
import { licenseTable } from './licenses.js';
import { planCodes } from './plans.js';

export async function clientsList({ api, args, json }: Ctx) {
  const page = await api().get<Page<Client>>('/clients', {
    cursor: args.str('cursor'), limit: args.int('limit', 1, 200),
  });
  if (json) return printJson(page);
  table(['ID', 'NAME', 'EMAIL', 'TAX ID', 'CREATED'], page.items.map((c) => [c.id, c.name, c.email, c.taxId, date(c.createdAt)]));
  nextPage(page);
}

const showClient = (c: Client) => kv([['id', c.id], ['name', c.name], ['email', c.email], ['tax id', c.taxId], ['created', time(c.createdAt)]]);

export async function clientsShow({ api, args, json }: Ctx) {
  const client = await api().get<Client & { licenses: License[] }>(`/clients/${args.id(0, 'client ID')}`);
  if (json) return printJson(client);
  showClient(client);
  out('\nLicenses:');
  licenseTable(client.licenses, await planCodes(api()), client.name);
}

export async function clientsCreate({ api, args, json }: Ctx) {
  const body = { name: args.need('name'), email: args.need('email'), ...(args.has('tax-id') ? { taxId: args.need('tax-id') } : {}) };
  const client = await api().post<Client>('/clients', body);
  if (json) return printJson(client);
  out('Client created.\n');
  showClient(client);
}
