import type { Executor } from '../../db/client.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import { createPersonalDataRepository } from '../../db/repos/personal-data.js';
import { createRosterRepository } from '../../db/repos/roster.js';
import type { CommandSpec } from '../../runtime/commands.js';

/** The school's privacy notice for a chat (none for a chat outside a school, or a school without one). */
export async function chatPrivacyNotice(
  ex: Executor,
  chat: Pick<ChatRecord, 'schoolId'>,
): Promise<string | undefined> {
  if (!chat.schoolId) return undefined;
  return (await createPersonalDataRepository(ex).school(chat.schoolId))?.privacyNotice ?? undefined;
}

/**
 * `/privacy`: the school's privacy notice (operator, purposes, contacts, how to ask for one's data or its
 * erasure); in a private chat, the notices of the schools the person belongs to; else the bot's own words.
 */
export const privacyCommand: CommandSpec = {
  name: 'privacy',
  audience: 'member',
  where: 'both',
  async run(ctx) {
    const notice = await chatPrivacyNotice(ctx.work.tx, ctx.chat);
    await ctx.reply(notice ? `${ctx.t('privacy.title')}\n\n${notice}` : ctx.t('privacy.default'));
  },
  async runPrivate(ctx) {
    const notices = new Set<string>();
    if (ctx.account) {
      const repo = createPersonalDataRepository(ctx.work.tx);
      for (const person of await createRosterRepository(ctx.work.tx).personsOfAccount(ctx.account.id)) {
        const notice = (await repo.school(person.schoolId))?.privacyNotice;
        if (notice) notices.add(notice);
      }
    }
    await ctx.reply(
      notices.size > 0
        ? `${ctx.t('privacy.title')}\n\n${[...notices].join('\n\n')}`
        : ctx.t('privacy.default'),
    );
  },
};
