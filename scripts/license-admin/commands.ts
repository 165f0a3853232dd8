/**
 * Every license-admin command, one per admin API route (under /admin/v1), with its usage line.
 * `--json` prints the service's answer as it came; otherwise a table or a key-value block.
 */
import type { OptionName } from './args.js';
import { auditList, installationsList } from './activity.js';
import { clientsCreate, clientsList, clientsShow } from './clients.js';
import type { Command } from './context.js';
import { licensesIssue, licensesList, licensesPlan, licensesRebind, licensesRenew, licensesShow, statusChange } from './licenses.js';
import { generateKey, hashToken } from './offline.js';
import { plansCreate, plansList, plansShow, plansUpdate } from './plans.js';

export type { Command } from './context.js';

const PAGE: OptionName[] = ['cursor', 'limit'];

export const COMMANDS: Command[] = [
  { name: 'hash-token', synopsis: 'hash-token [--name NAME]', options: ['name'],
    summary: 'Make a new admin token; prints it once and its ADMIN_TOKENS entry (name:sha256hex). No request.',
    run: ({ args, json }) => hashToken(args, json) },
  { name: 'keys generate', synopsis: 'keys generate --dir DIR', options: ['dir'],
    summary: "Make a service signing key in DIR (the service's SIGNING_KEYS_DIR). No request.",
    run: ({ args, json }) => generateKey(args, json) },

  { name: 'plans list', synopsis: 'plans list', summary: 'List plans.', run: plansList },
  { name: 'plans show', positionals: ['ID'], synopsis: 'plans show ID', summary: 'Show one plan.', run: plansShow },
  { name: 'plans create', options: ['code', 'name', 'users', 'connections', 'messages-per-month', 'campaigns-per-month', 'features'],
    synopsis: 'plans create --code C --name N --users N --connections N --messages-per-month N --campaigns-per-month N [--features instagram,chatbot,campaigns,api]',
    summary: 'Create a plan; features not listed are off.', run: plansCreate },
  { name: 'plans update', positionals: ['ID'], options: ['name', 'users', 'connections', 'messages-per-month', 'campaigns-per-month', 'enable', 'disable'],
    synopsis: 'plans update ID [--name N] [--users N] [--connections N] [--messages-per-month N] [--campaigns-per-month N] [--enable F,G] [--disable F,G]',
    summary: 'Change a plan; only what is given is sent. Licenses on it get the change with their next lease.', run: plansUpdate },

  { name: 'clients list', options: PAGE, synopsis: 'clients list [--cursor C] [--limit N]', summary: 'List clients, newest first.', run: clientsList },
  { name: 'clients show', positionals: ['ID'], synopsis: 'clients show ID', summary: 'Show a client and its licenses.', run: clientsShow },
  { name: 'clients create', options: ['name', 'email', 'tax-id'], synopsis: 'clients create --name N --email E [--tax-id T]',
    summary: "Create a client (a CPF or CNPJ tax id is checked; other countries' ids are taken as given).", run: clientsCreate },

  { name: 'licenses list', options: ['client', 'status', ...PAGE], synopsis: 'licenses list [--client ID] [--status active|suspended|revoked] [--cursor C] [--limit N]',
    summary: 'List licenses, newest first.', run: licensesList },
  { name: 'licenses show', positionals: ['ID'], synopsis: 'licenses show ID', summary: 'Show one license (never its key).', run: licensesShow },
  { name: 'licenses issue', options: ['client', 'plan', 'days', 'expires', 'ip'],
    synopsis: 'licenses issue --client ID --plan ID_OR_CODE (--days N | --expires ISO) [--ip IP]',
    summary: 'Issue a license and print its key: the only time it is ever shown. --ip binds it to an address up front.', run: licensesIssue },
  { name: 'licenses suspend', positionals: ['ID'], options: ['reason'], synopsis: 'licenses suspend ID [--reason TEXT]',
    summary: 'Suspend a license: appliances turn read-only at their next contact. --reason is shown to the customer on their dashboard.', run: statusChange('suspend') },
  { name: 'licenses resume', positionals: ['ID'], options: ['reason'], synopsis: 'licenses resume ID [--reason TEXT]',
    summary: 'Resume a suspended license: appliances return to full function within about a minute.', run: statusChange('resume') },
  { name: 'licenses revoke', positionals: ['ID'], options: ['reason'], synopsis: 'licenses revoke ID [--reason TEXT]',
    summary: 'Revoke a license for good (issue a new one to undo). --reason is shown to the customer on their dashboard.', run: statusChange('revoke') },
  { name: 'licenses renew', positionals: ['ID'], options: ['days', 'expires'], synopsis: 'licenses renew ID (--days N | --expires ISO)',
    summary: 'Extend by N days (from today if already expired) or set the expiry.', run: licensesRenew },
  { name: 'licenses plan', positionals: ['ID'], options: ['plan'], synopsis: 'licenses plan ID --plan ID_OR_CODE',
    summary: 'Move a license to another plan.', run: licensesPlan },
  { name: 'licenses rebind', positionals: ['ID'], options: ['ip', 'clear-ip', 'new-machine'],
    synopsis: 'licenses rebind ID [--ip IP | --clear-ip] [--new-machine]',
    summary: 'Bind to a new IP (or clear it: the next contact binds it), and/or let a new machine activate. At least one.', run: licensesRebind },

  { name: 'installations list', options: ['stale', 'license', ...PAGE], synopsis: 'installations list [--stale] [--license ID] [--cursor C] [--limit N]',
    summary: 'List installations: IP, host, version, last heartbeat, STALE mark, usage/limits (! = over).', run: installationsList },

  { name: 'audit list', options: ['kind', 'action', 'license', 'actor', 'since', 'until', ...PAGE],
    synopsis: 'audit list [--kind admin|security|appliance] [--action A|PREFIX*] [--license ID] [--actor A] [--since ISO] [--until ISO] [--cursor C] [--limit N]',
    summary: 'List audit events, newest first.', run: auditList },
];
