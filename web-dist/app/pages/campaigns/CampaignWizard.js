import { html } from 'htm/preact';
import { Icon } from '../../components/Icon.js';
import { api } from '../../lib/api.js';
import { phone } from '../../lib/format.js';
import { t, tDynamic } from '../../lib/i18n.js';
import { navigate, route } from '../../lib/router.js';
import { me } from '../../state/session.js';
import { LoadError, Loading, useLoad } from '../admin/common.js';
import { AudienceStep } from './AudienceStep.js';
import { PacingStep } from './PacingStep.js';
import { ReviewStep } from './ReviewStep.js';
import { StartStep } from './StartStep.js';
import { TemplateStep } from './TemplateStep.js';
import { StatusPill, editable } from './campaign.js';

/** @typedef {import('./types.js').Campaign} Campaign */
/** @typedef {'audience'|'template'|'pacing'|'review'|'start'} Step */

/** @type {Step[]} */
export const STEPS = ['audience', 'template', 'pacing', 'review', 'start'];

/**
 * @typedef {{
 *   campaign: Campaign, connection: import('./types.js').Connection | null,
 *   save: (patch: Partial<Campaign> & Record<string, unknown>) => Promise<Campaign>,
 *   go: (step: Step) => void, next: () => void, back: () => void,
 * }} StepProps
 */

/**
 * The campaign wizard over a saved draft (or a scheduled campaign, until it starts): audience → template
 * and parameters → pacing and window → review with the exclusions and a test send → schedule or start.
 * Each step saves as it leaves, so nothing is lost and the audience count comes from the server.
 * The step is in the address (`?step=`), so Back and reload keep the place.
 * @param {{ id: string }} props
 */
export function CampaignWizard({ id }) {
  const c = useLoad(async () => /** @type {Campaign} */ (await api('GET', `/api/campaigns/${id}`)), [id]);
  const conns = useLoad(async () => /** @type {import('./types.js').Connection[]} */ ((await api('GET', '/api/connections')).items));
  const q = route.value.query.get('step');
  const step = /** @type {Step} */ (STEPS.includes(/** @type {Step} */ (q)) ? q : 'audience');

  if (c.loading && !c.data) return html`<section class="page"><${Loading} /></section>`;
  if (c.error && !c.data) return html`<section class="page"><${LoadError} error=${c.error} onRetry=${c.reload} /></section>`;
  const campaign = /** @type {Campaign} */ (c.data);
  if (!editable(campaign) || me.value?.role !== 'admin') {
    queueMicrotask(() => navigate(`/campaigns/${id}`, { replace: true }));
    return null;
  }
  const connection = conns.data?.find((x) => x.id === campaign.connectionId) ?? null;
  const go = (/** @type {Step} */ s) => navigate(`/campaigns/${id}/edit?step=${s}`);
  const at = STEPS.indexOf(step);
  /** @type {StepProps} */
  const props = {
    campaign, connection,
    save: async (patch) => {
      const saved = /** @type {Campaign} */ (await api('PATCH', `/api/campaigns/${id}`, patch));
      c.setData(saved);
      return saved;
    },
    go,
    next: () => go(STEPS[Math.min(at + 1, STEPS.length - 1)] ?? 'start'),
    back: () => go(STEPS[Math.max(at - 1, 0)] ?? 'audience'),
  };
  const Body = { audience: AudienceStep, template: TemplateStep, pacing: PacingStep, review: ReviewStep, start: StartStep }[step];
  return html`<section class="page cmp-wizard" data-testid="campaign-wizard" data-step=${step} data-campaign-id=${id}>
    <a href="/campaigns" class="back-link"><${Icon} name="back" size=${16} />${t('cmp.wizard.backToList')}</a>
    <header class="cmp-wizard-head">
      <div class="cmp-wizard-title">
        <h1 data-testid="campaign-name">${campaign.name}</h1>
        <${StatusPill} status=${campaign.status} />
        ${connection && html`<span class="muted small">${connection.name}${connection.displayPhoneNumber ? ` · ${phone(connection.displayPhoneNumber.replace(/\D/g, ''))}` : ''}</span>`}
      </div>
      <a class="btn btn-sm btn-ghost" href=${`/campaigns/${id}`} data-testid="campaign-view">${t('cmp.wizard.viewCampaign')}</a>
    </header>
    <ol class="cmp-stepper" data-testid="campaign-stepper">
      ${STEPS.map((s, i) => html`<li key=${s} class=${i === at ? 'cmp-step-on' : i < at ? 'cmp-step-done' : ''}>
        <button type="button" onClick=${() => go(s)} aria-current=${i === at ? 'step' : undefined} data-testid=${`step-${s}`}>
          <span class="cmp-step-n">${i < at ? html`<${Icon} name="check" size=${14} />` : i + 1}</span>
          <span class="cmp-step-label">${tDynamic(`cmp.step.${s}`)}</span>
        </button>
      </li>`)}
    </ol>
    <${Body} key=${step} ...${props} />
  </section>`;
}
