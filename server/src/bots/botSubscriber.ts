import { botOnMessage } from '../commands/botTurn.js';
import { endBotOnResolve, stopBot } from '../commands/botHandoff.js';
import type { Deps } from '../deps.js';
import type { StoredEvent, Subscriber } from '../events/domainEvents.js';

/** Turns of different conversations run side by side, this many at once; one conversation's in order. */
const PARALLEL_CONVERSATIONS = 16;

/**
 * The bot runtime's ears: customer messages move bot sessions (commands/botTurn.ts), and every sign of a
 * person — an attendant's message, an answer from the Business app, an assignment or a transfer by
 * someone — stops the bot for that conversation (commands/botHandoff.ts). Events come in commit order, so
 * a takeover recorded before a customer message is applied before that message's turn.
 *
 * At least once: a batch may come again after a crash; a message's turn is taken once (bot_inputs) and
 * stopping twice changes nothing.
 */
export function botSubscriber(deps: Deps): Subscriber {
  return {
    name: 'bots',
    types: ['message.received', 'message.sent', 'conversation.assigned', 'conversation.transferred', 'conversation.resolved'],
    handle: async (events) => {
      const byConversation = new Map<string, StoredEvent[]>();
      for (const e of events) {
        if (!e.conversationId) continue; // the bot hears only of conversations
        byConversation.set(e.conversationId, [...(byConversation.get(e.conversationId) ?? []), e]);
      }
      const queue = [...byConversation.values()];
      const lane = async () => {
        for (let list = queue.shift(); list; list = queue.shift()) for (const e of list) await reactOnce(deps, e);
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_CONVERSATIONS, queue.length) }, lane));
    },
  };
}

/**
 * A failure that may pass (the database or Redis away, a deadlock) comes again with the whole batch; any
 * other is this one event's and is logged and passed over, so one bad conversation cannot stop every bot.
 */
async function reactOnce(deps: Deps, e: StoredEvent): Promise<void> {
  try {
    await react(deps, e);
  } catch (err) {
    if (isTransient(err)) throw err;
    deps.log.error({ err, event: e.id, type: e.type, conversationId: e.conversationId }, 'bot could not handle an event; passed over');
  }
}

function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return true; // a network error, a timeout: not known to be this event's fault
  // Connection trouble (08), shutdown or cancel (57), serialization and deadlock (40), out of resources (53).
  return /^(08|57|40|53)/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code);
}

async function react(deps: Deps, e: StoredEvent): Promise<void> {
  switch (e.type) {
    case 'message.received':
      await botOnMessage(deps, { id: e.messageId, conversationId: e.conversationId });
      return;
    case 'message.sent':
      if (e.origin === 'agent') await stopBot(deps, e.conversationId, 'human_replied', e.recordedAt);
      else if (e.origin === 'business_app') await stopBot(deps, e.conversationId, 'business_app_reply', e.recordedAt);
      return;
    case 'conversation.assigned':
    case 'conversation.transferred':
      // The bot's own transfer node has no user; handing back to the bot unassigns.
      if (e.byUserId && (e.assigneeId || e.type === 'conversation.transferred')) await stopBot(deps, e.conversationId, e.type === 'conversation.assigned' ? 'assigned' : 'transferred', e.recordedAt);
      return;
    case 'conversation.resolved':
      await endBotOnResolve(deps, e.conversationId);
      return;
    default:
  }
}
