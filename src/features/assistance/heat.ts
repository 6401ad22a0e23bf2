import { createAdminsRepository } from '../../db/repos/accounts.js';
import { createChatAssistanceRepository } from '../../db/repos/assistance.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import { HEAT } from '../../moderation/assistance/heat.js';
import { chatAddress, privateChatOf } from '../../runtime/format.js';
import type { Services } from '../../runtime/services.js';
import { moderatorRuleIn } from '../membership/staff.js';
import { currentRules, rulesMessage } from '../rules/rules.js';

/**
 * A heated chat (4.13.4): the bot recalls the rules in the chat, at most once in 6 hours (the time is
 * kept in the database, so a restart does not repeat it), and tells the moderators privately.
 */
export async function remindRules(services: Services, chat: ChatRecord): Promise<void> {
  await services.transact(async (work) => {
    const repo = createChatAssistanceRepository(work.tx);
    const row = await repo.lock(chat.id);
    if (row.lastReminderAt && work.now.getTime() - row.lastReminderAt.getTime() < HEAT.reminderEveryMs)
      return;
    await repo.update(chat.id, { lastReminderAt: work.now });
    const t = services.texts.t(chat.settings.language);
    const rules = await currentRules(services, work.tx, chat);
    await work.enqueue(
      {
        type: 'send',
        chat: chatAddress(chat),
        text: `${t('assistance.heat_reminder')}\n\n${rulesMessage(services, chat, rules)}`,
      },
      { chatId: chat.id },
    );
    const access = await moderatorRuleIn(services, work, chat);
    const moderators = (await createAdminsRepository(work.tx).reachableModerators(chat.id)).filter(
      (admin) => !access.staffOnly || access.staff.has(admin.platformUserId),
    );
    for (const moderator of moderators) {
      const mt = services.texts.t(services.texts.languageFor(moderator.languageCode ?? undefined));
      await work.enqueue({
        type: 'send',
        chat: privateChatOf(moderator),
        text: mt('assistance.heat_moderators', { title: chat.title }),
      });
    }
  });
}
