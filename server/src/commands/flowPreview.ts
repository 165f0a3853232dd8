import { z } from 'zod';
import { initialState, step, type BotEffect, type BotInput, type EngineEnv, type SessionState, type StepResult } from '../bots/engine.js';
import { FlowDefinition, FlowSettings } from '../bots/flowDefinition.js';
import { promptContent } from '../bots/prompt.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import type { PreviewInput } from '../routes/bot/schema.js';

/** What the preview chat shows of a bot step. */
export type PreviewReply =
  | { kind: 'text' | 'buttons' | 'list' | 'numbered'; text: string; options?: { id: string; title: string; description?: string }[] }
  | { kind: 'note'; text: string };

/** The preview's state travels with the client: the session and the pretend contact. */
const PreviewState = z.object({
  session: z.object({
    nodeId: z.string(), status: z.string(), reason: z.string().nullable(), variables: z.record(z.string(), z.unknown()),
    retries: z.number(), reminders: z.number(), visits: z.record(z.string(), z.number()), dueInMs: z.number().nullable(),
  }),
  contact: z.object({ name: z.string().nullable(), phone: z.string().nullable(), fields: z.record(z.string(), z.unknown()), tags: z.array(z.string()) }),
});
type PreviewState = z.infer<typeof PreviewState>;

const badPreviewState = () => new AppError(400, 'invalid_preview_state', 'the preview state is not one this appliance gave: start the preview again');

/**
 * Walks the flow's draft with the same engine as the live runtime, sending nothing: webhooks are not
 * called (taken as answered with nothing), timers fire when asked ("sem resposta"), business hours are
 * taken as open.
 */
export async function previewFlow(deps: Deps, flowId: string, body: PreviewInput) {
  const row = await deps.db('flows').where({ id: flowId }).whereNull('deleted_at').first('draft', 'settings');
  if (!row) throw notFound('flow');
  const parsedDef = FlowDefinition.safeParse(row.draft);
  if (!parsedDef.success) throw new AppError(422, 'flow_invalid', 'the draft is not a valid flow');
  const def = parsedDef.data;
  const settings = FlowSettings.parse(row.settings ?? {});
  let state: PreviewState;
  let input: BotInput;
  if (body.state === undefined || body.state === null) {
    state = { session: initialState(def), contact: { name: 'Cliente de teste', phone: '5511999990000', fields: {}, tags: [] } };
    input = { kind: 'start' };
  } else {
    const parsed = PreviewState.safeParse(body.state);
    if (!parsed.success) throw badPreviewState();
    state = parsed.data;
    const i = body.input;
    input = !i ? { kind: 'timer' } : 'text' in i ? { kind: 'message', text: i.text, replyId: null } : 'optionId' in i ? { kind: 'message', text: null, replyId: i.optionId } : { kind: 'timer' };
  }
  const env: EngineEnv = { now: deps.now(), timeZone: deps.config.APP_TIMEZONE, channel: 'whatsapp', contact: state.contact, businessOpen: null };
  const replies: PreviewReply[] = [];
  let session = state.session as SessionState;
  let contact = state.contact;
  let result: StepResult = step(def, settings, session, input, env);
  // Webhooks are not called in a preview: each is taken as answered (and called back) with nothing.
  for (let i = 0; i < 20; i++) {
    collect(result.effects, replies);
    contact = applyToContact(contact, result.effects);
    session = result.state;
    if (session.status === 'waiting_webhook') result = step(def, settings, session, { kind: 'webhook_called', ok: true, data: {} }, { ...env, contact });
    else if (session.status === 'waiting_callback') result = step(def, settings, session, { kind: 'callback', data: {} }, { ...env, contact });
    else break;
  }
  const ended = !['running', 'waiting_answer', 'waiting_time', 'waiting_webhook', 'waiting_callback'].includes(session.status);
  return { replies, state: { session, contact }, status: session.status, reason: session.reason, nodeId: session.nodeId, ended };
}

function collect(effects: BotEffect[], replies: PreviewReply[]): void {
  for (const e of effects) {
    if (e.kind === 'send') {
      if (e.media) { replies.push({ kind: 'note', text: `[${e.media.type}]${e.text ? ` ${e.text}` : ''}` }); continue; }
      const content = promptContent('whatsapp', e.text, e.options, e.buttonLabel);
      const n = e.options?.length ?? 0;
      if (content.type === 'interactive') replies.push({ kind: n <= 3 ? 'buttons' : 'list', text: content.text, options: content.options });
      else replies.push({ kind: n ? 'numbered' : 'text', text: content.type === 'text' ? content.text : e.text });
    } else if (e.kind === 'tags') {
      replies.push({ kind: 'note', text: [...e.add.map((t) => `+${t}`), ...e.remove.map((t) => `-${t}`)].join(' ') });
    } else if (e.kind === 'contact_field') {
      replies.push({ kind: 'note', text: `contato.${e.name} = ${String(e.value)}` });
    } else if (e.kind === 'transfer') {
      replies.push({ kind: 'note', text: `transfer ${e.userId ? `user:${e.userId}` : e.teamId ? `team:${e.teamId}` : 'queue'}` });
    } else if (e.kind === 'resolve') {
      replies.push({ kind: 'note', text: 'resolved' });
    } else if (e.kind === 'call_webhook') {
      replies.push({ kind: 'note', text: `webhook ${e.nodeId} (not called in preview)` });
    }
  }
}

function applyToContact(contact: PreviewState['contact'], effects: BotEffect[]): PreviewState['contact'] {
  let c = contact;
  for (const e of effects) {
    if (e.kind === 'tags') c = { ...c, tags: [...c.tags.filter((t) => !e.remove.includes(t)), ...e.add] };
    if (e.kind === 'contact_field') c = e.name === 'nome' || e.name === 'name' ? { ...c, name: String(e.value) } : { ...c, fields: { ...c.fields, [e.name]: e.value } };
  }
  return c;
}
