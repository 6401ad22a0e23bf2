import { createChatsRepository } from '../../db/repos/chats.js';
import { createGateRepository } from '../../db/repos/rules-gate.js';
import type { OutcomeHandlers } from '../../outbox/worker.js';
import type { Services, Work } from '../../runtime/services.js';
import { refreshGreeting } from './greeting-message.js';

type GateOutcomes = Pick<
  OutcomeHandlers,
  'gate.request_message' | 'gate.request_approved' | 'gate.greeting_sent'
>;

/** What the gate records once its messages and approvals reach the platform (or do not). */
export function gateOutcomes(services: Services): GateOutcomes {
  const chatOf = (work: Work, id: number) =>
    createChatsRepository(work.tx, services.deps.defaultLanguage).byId(id);

  /** The request's private message says how it ended (the bot may no longer start a new one). */
  const closeRequest = async (work: Work, requestId: number, approved: boolean) => {
    const gate = createGateRepository(work.tx);
    const request = await gate.request(requestId);
    const chat = request ? await chatOf(work, request.chatId) : undefined;
    if (!request || !chat) return;
    await gate.updateRequest(request.id, { status: approved ? 'approved' : 'declined', decidedAt: work.now });
    if (!request.messageId) return;
    const key = approved ? 'gate.request_approved' : 'gate.request_failed';
    const text = services.texts.t(chat.settings.language)(key, { title: chat.title });
    const privateChat = { platform: chat.platform, platformChatId: request.privateChatId };
    await work.enqueue({ type: 'edit', chat: privateChat, messageId: request.messageId, text });
  };

  return {
    'gate.request_message': {
      async done(work, args, result) {
        if (result?.messageId) {
          await createGateRepository(work.tx).updateRequest(args.requestId, { messageId: result.messageId });
        }
      },
    },
    'gate.request_approved': {
      done: (work, args) => closeRequest(work, args.requestId, true),
      failed: (work, args) => closeRequest(work, args.requestId, false),
    },
    'gate.greeting_sent': {
      async done(work, args, result) {
        const gate = createGateRepository(work.tx);
        const greeting = await gate.greeting(args.greetingId);
        const chat = greeting ? await chatOf(work, greeting.chatId) : undefined;
        if (!greeting || !chat || !result?.messageId) return;
        await gate.updateGreeting(greeting.id, { messageId: result.messageId });
        // Newcomers who joined or accepted while the greeting was on its way are caught up now.
        await refreshGreeting(services, work, chat, greeting);
      },
    },
  };
}
