import { createChatsRepository } from '../../db/repos/chats.js';
import { createGateRepository } from '../../db/repos/rules-gate.js';
import { outcome } from '../../outbox/outcomes.js';
import type { OutcomeHandlers } from '../../outbox/worker.js';
import type { CommandSpec } from '../../runtime/commands.js';
import { chatAddress, when } from '../../runtime/format.js';
import type { Services } from '../../runtime/services.js';

/** Telegram keeps link names to 32 characters. */
function linkName(prefix: string, date: Date): string {
  return `${prefix} ${date.toISOString().slice(0, 10)}`.slice(0, 32);
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * `/invite`: a join-request link; people who use it accept the rules before they are let in. It expires
 * after the chat's `invite_link_days` and is revoked then (4.11.2), by the platform where it can set an
 * expiry and by the scheduled job (roster's `expire-invitations`) in any case.
 */
export const inviteCommand: CommandSpec = {
  name: 'invite',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { chat, work } = ctx;
    const expiresAt = new Date(work.now.getTime() + chat.settings.invite_link_days * DAY_MS).toISOString();
    await work.enqueue(
      {
        type: 'create_invite',
        chat: chatAddress(chat),
        name: linkName(ctx.t('invite.link_name'), work.now),
        expiresAt,
      },
      {
        chatId: chat.id,
        onDone: outcome('gate.invite_created', {
          chatId: chat.id,
          replyTo: ctx.event.messageId,
          createdBy: ctx.account?.id ?? null,
          expiresAt,
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
          expiresAt: args.expiresAt ? new Date(args.expiresAt) : null,
        });
        const t = services.texts.t(chat.settings.language);
        const capabilities = services.platform(chat.platform).capabilities;
        const key = !capabilities.joinRequests
          ? 'invite.created_no_requests'
          : chat.settings.rules_gate === 'on'
            ? 'invite.created'
            : 'invite.created_open';
        const lines = [t(key, { title: chat.title, url: result.url })];
        // Strangers never enter a school's class chat unseen (4.11.2): say so where it applies.
        if (chat.schoolId !== null) lines.push(t('invite.strangers'));
        if (args.expiresAt) {
          const until = when(services, new Date(args.expiresAt), chat.settings.language);
          lines.push(
            t(capabilities.revocableLinks ? 'invite.valid_until' : 'invite.valid_until_manual', { until }),
          );
        }
        await work.enqueue(
          {
            type: 'send',
            chat: chatAddress(chat),
            text: lines.join('\n'),
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
