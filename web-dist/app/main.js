import { effect } from '@preact/signals';
import { html } from 'htm/preact';
import { render } from 'preact';
import { Toasts } from './components/Toast.js';
import { api } from './lib/api.js';
import { lang } from './lib/i18n.js';
import { connect, disconnect, on } from './lib/realtime.js';
import { match, navigate, onLinkClick, route } from './lib/router.js';
import { Forbidden, NotFound } from './pages/Forbidden.js';
import { Login } from './pages/Login.js';
import { InboxPage } from './pages/inbox/InboxPage.js';
import { FlowEditorPage } from './pages/flows/FlowEditorPage.js';
import { FlowsListPage } from './pages/flows/FlowsListPage.js';
import { SchedulesPage } from './pages/schedules/SchedulesPage.js';
import { CampaignDetailPage } from './pages/campaigns/CampaignDetailPage.js';
import { CampaignWizard } from './pages/campaigns/CampaignWizard.js';
import { CampaignsListPage } from './pages/campaigns/CampaignsListPage.js';
import { ImportsPage } from './pages/contacts/ImportsPage.js';
import { OptOutsPage } from './pages/contacts/OptOutsPage.js';
import { ConnectionsPage } from './pages/admin/ConnectionsPage.js';
import { LicensePage } from './pages/admin/LicensePage.js';
import { QuickRepliesPage } from './pages/admin/QuickRepliesPage.js';
import { BusinessHoursPage } from './pages/admin/BusinessHoursPage.js';
import { TeamsPage } from './pages/admin/TeamsPage.js';
import { UsersPage } from './pages/admin/UsersPage.js';
import { Shell } from './Shell.js';
import { license } from './state/license.js';
import { booting, isAdmin, isSupervisorOrAdmin, loadMe, me } from './state/session.js';

/** The pages behind the shell, with who may open them. */
const PAGES = [
  { pattern: '/inbox', page: InboxPage, allowed: () => true },
  { pattern: '/inbox/:id', page: InboxPage, allowed: () => true },
  { pattern: '/schedules', page: SchedulesPage, allowed: () => true },
  { pattern: '/flows', page: FlowsListPage, allowed: isSupervisorOrAdmin },
  { pattern: '/flows/:id', page: FlowEditorPage, allowed: isSupervisorOrAdmin },
  { pattern: '/campaigns', page: CampaignsListPage, allowed: isSupervisorOrAdmin },
  { pattern: '/campaigns/:id', page: CampaignDetailPage, allowed: isSupervisorOrAdmin },
  { pattern: '/campaigns/:id/edit', page: CampaignWizard, allowed: isAdmin },
  { pattern: '/contacts', page: OptOutsPage, allowed: isSupervisorOrAdmin },
  { pattern: '/contacts/opt-outs', page: OptOutsPage, allowed: isSupervisorOrAdmin },
  { pattern: '/contacts/imports', page: ImportsPage, allowed: isAdmin },
  { pattern: '/admin/users', page: UsersPage, allowed: isAdmin },
  { pattern: '/admin/teams', page: TeamsPage, allowed: isAdmin },
  { pattern: '/admin/connections', page: ConnectionsPage, allowed: isAdmin },
  { pattern: '/admin/quick-replies', page: QuickRepliesPage, allowed: isSupervisorOrAdmin },
  { pattern: '/admin/business-hours', page: BusinessHoursPage, allowed: isSupervisorOrAdmin },
  { pattern: '/admin/license', page: LicensePage, allowed: isAdmin },
];

function App() {
  // Read so the whole tree re-renders in the new language.
  void lang.value;
  if (booting.value) return html`<div class="boot" aria-busy="true"></div>`;
  const { path } = route.value;
  if (!me.value) {
    if (path !== '/login') queueMicrotask(() => navigate('/login', { replace: true }));
    return html`<${Login} />`;
  }
  if (path === '/' || path === '/login') {
    queueMicrotask(() => navigate('/inbox', { replace: true }));
    return null;
  }
  for (const p of PAGES) {
    const params = match(p.pattern, path);
    if (!params) continue;
    const Page = p.page;
    return html`<${Shell}>${p.allowed() ? html`<${Page} ...${params} />` : html`<${Forbidden} />`}<//>`;
  }
  return html`<${Shell}><${NotFound} /><//>`;
}

function Root() {
  return html`<${App} /><${Toasts} />`;
}

document.addEventListener('click', onLinkClick);

/** The full license picture when the appliance says it changed (the headers carry the brief between). */
async function refreshLicense() {
  const l = await api('GET', '/api/license').catch(() => null);
  if (l) license.value = { state: l.state, reason: l.reason, graceEndsAt: l.graceEndsAt, vendorReason: l.vendorReason ?? null };
}
on('license:changed', () => void refreshLicense());
on('resync', () => void refreshLicense());

// The socket lives as long as someone is logged in.
let connectedFor = /** @type {string | null} */ (null);
effect(() => {
  const id = me.value?.id ?? null;
  if (id === connectedFor) return;
  connectedFor = id;
  if (id) {
    connect({ onUnauthorized: () => void loadMe() });
    void refreshLicense();
  } else {
    disconnect();
  }
});

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${Root} />`, root);
}
void loadMe();
