import { createChatsRepository } from '../../db/repos/chats.js';
import { createGateRepository } from '../../db/repos/rules-gate.js';
import { outcome } from '../../outbox/outcomes.js';
import type { OutcomeHandlers } from '../../outbox/worker.js';
import type { CommandSpec } from '../../runtime/commands.js';
import { chatAddress } from '../../runtime/format.js';
import type { Services } from '../../runtime/services.js';

/** Telegram keeps link names to 32 characters. */
function linkName(prefix: string, date: Date): string {
  return `${prefix} ${date.toISOString().slice(0, 10)}`.slice(0, 32);
}

/** `/invite`: a join-request link; people who use it accept the rules before they are let in. */
export const inviteCommand: CommandSpec = {
  name: 'invite',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { chat, work } = ctx;
    await work.enqueue(
      { type: 'create_invite', chat: chatAddress(chat), name: linkName(ctx.t('invite.link_name'), work.now) },
      {
        chatId: chat.id,
        onDone: outcome('gate.invite_created', {
          chatId: chat.id,
          replyTo: ctx.event.messageId,
          createdBy: ctx.account?.id ?? null,
        }),
        onFailed: outcome('gate.invite_created', { chatId: chat.id, replyTo: ctx.event.messageId }),
      },
    );
  },
};

/** The link was made (it is kept and posted) or the platform refused (the moderator is told why). */
export function inviteOutcomes(services: Services): Pick<OutcomeHandlers, 'gate.invite_created'> {
  return {
    'gate.invite_created': {
      async done(work, args, result) {
        const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(args.chatId);
        if (!chat || !result?.url) return;
        await createGateRepository(work.tx).insertInviteLink({
          chatId: chat.id,
          url: result.url,
          name: 'invite',
          kind: 'chat',
          createdByAccountId: args.createdBy ?? null,
          createdAt: work.now,
        });
        const t = services.texts.t(chat.settings.language);
        const key = !services.platform(chat.platform).capabilities.joinRequests
          ? 'invite.created_no_requests'
          : chat.settings.rules_gate === 'on'
            ? 'invite.created'
            : 'invite.created_open';
        await work.enqueue(
          {
            type: 'send',
            chat: chatAddress(chat),
            text: t(key, { title: chat.title, url: result.url }),
            options: { replyTo: args.replyTo },
          },
          { chatId: chat.id },
        );
      },
      async failed(work, args, error) {
        const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(args.chatId);
        if (!chat) return;
        const t = services.texts.t(chat.settings.language);
        const why = error.code === 'NOT_ENOUGH_RIGHTS' ? t('invite.why_rights') : t('block.why_refused');
        await work.enqueue(
          {
            type: 'send',
            chat: chatAddress(chat),
            text: t('invite.failed', { why }),
            options: { replyTo: args.replyTo },
          },
          { chatId: chat.id },
        );
      },
    },
  };
}
