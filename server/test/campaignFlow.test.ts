/**
 * A campaign that names a flow: the customer's reply starts that flow (the bot runtime hears the reply
 * and finds the campaign send it answers), even when the flow's own trigger would never start it.
 */
import anyTest from 'ava';
import { flowOf } from './botSupport.js';
import { startCampaignWorld, type CampaignWorld } from './campaignSupport.js';
import { waitFor } from './inbound.js';

const test = anyTest.serial;
let w: CampaignWorld;

anyTest.before(async () => {
  w = await startCampaignWorld();
  await w.app.startWorker();
});
anyTest.after.always(async () => { await w?.close(); });

test('a reply to a campaign starts the campaign\'s flow; someone who got no campaign message does not', async (t) => {
  const definition = flowOf([
    { id: 'start', type: 'start', data: {} },
    { id: 'e', type: 'end', data: { text: 'Que bom que respondeu, {{contato.nome}}! Veja a oferta: https://loja.example/natal', resolve: false } },
  ], ['start.next>e']);
  const flow = await w.api('POST', '/api/flows', { name: 'Resposta da campanha', trigger: { type: 'none' }, draft: definition });
  t.is(flow.status, 201, flow.text);
  t.is((await w.api('POST', `/api/flows/${flow.body.id}/publish`)).status, 200);
  t.is((await w.api('POST', `/api/flows/${flow.body.id}/status`, { status: 'live' })).status, 200);

  const { tag, phones } = await w.contacts(2);
  const id = await w.campaign(tag, { ratePerSecond: 5, flowId: flow.body.id });
  t.is((await w.api('POST', `/api/campaigns/${id}/start`, {})).status, 200);
  await w.until(id, 'completed', 30_000);

  await w.say(phones[0]!, 'Quero saber mais');
  const reply = await waitFor(() => w.sim.sent.find((s) => s.to === phones[0] && s.body.type === 'text') ?? null, 15_000, 'the flow\'s answer');
  t.regex(reply.body.text.body, /^Que bom que respondeu, Cliente 1!/);

  // Someone outside the campaign writes: the flow's own trigger ('none') starts nothing.
  const other = `5511988${String(Date.now()).slice(-6)}`;
  await w.say(other, 'Oi');
  await waitFor(async () => {
    const row = await w.app.deps.db('messages as m').join('conversations as cv', 'cv.id', 'm.conversation_id').join('contacts as ct', 'ct.id', 'cv.contact_id')
      .where('ct.external_id', other).first('m.id');
    return row ? w.app.deps.db('bot_inputs').where({ message_id: row.id }).whereNot('outcome', 'pending').first('outcome') : null;
  }, 15_000, 'the bot to take the other message');
  t.is(w.sim.sent.filter((s) => s.to === other).length, 0);
});
